"""The chart's values and their JSON schema, read from the base objects of each service."""

from __future__ import annotations

from typing import Any

from meshwright.emit.wiring import dns_name

Obj = dict[str, Any]

QUANTITY: Obj = {"type": ["string", "integer", "number"]}
RESOURCES_SCHEMA: Obj = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        key: {
            "type": "object",
            "additionalProperties": False,
            "properties": {"cpu": QUANTITY, "memory": QUANTITY},
        }
        for key in ("requests", "limits")
    },
}


def _find(objects: list[Obj], kind: str) -> Obj | None:
    return next((o for o in objects if o["kind"] == kind), None)


def service_values(objects: list[Obj]) -> Obj:
    """The tunable settings of one service, exactly as its base objects carry them."""
    values: Obj = {}
    dep = _find(objects, "Deployment")
    if dep is not None:
        container = dep["spec"]["template"]["spec"]["containers"][0]
        values["image"] = container["image"]
        if "replicas" in dep["spec"]:  # absent when an autoscaler owns the count
            values["replicas"] = dep["spec"]["replicas"]
        values["resources"] = container.get("resources", {})
    cm = _find(objects, "ConfigMap")
    if cm is not None:
        values["config"] = cm["data"]
    hpa = _find(objects, "HorizontalPodAutoscaler")
    if hpa is not None:
        values["autoscaling"] = {
            "minReplicas": hpa["spec"]["minReplicas"],
            "maxReplicas": hpa["spec"]["maxReplicas"],
            "targetCPUUtilizationPercentage": hpa["spec"]["metrics"][0]["resource"]["target"][
                "averageUtilization"
            ],
        }
    return values


def _service_schema(values: Obj) -> Obj:
    props: Obj = {}
    if "image" in values:
        props["image"] = {"type": "string", "minLength": 1, "description": "Container image."}
    if "replicas" in values:  # absent when an autoscaler owns the count
        props["replicas"] = {"type": "integer", "minimum": 0}
    if "image" in values:
        props["resources"] = RESOURCES_SCHEMA
    if "config" in values:
        props["config"] = {"type": "object", "additionalProperties": {"type": "string"}}
    if "autoscaling" in values:
        props["autoscaling"] = {
            "type": "object",
            "additionalProperties": False,
            "required": ["minReplicas", "maxReplicas", "targetCPUUtilizationPercentage"],
            "properties": {
                "minReplicas": {"type": "integer", "minimum": 1},
                "maxReplicas": {"type": "integer", "minimum": 1},
                "targetCPUUtilizationPercentage": {"type": "integer", "minimum": 1, "maximum": 100},
            },
        }
    return {"type": "object", "additionalProperties": False, "required": sorted(props), "properties": props}


def values_schema(values: Obj) -> Obj:
    """A strict JSON schema (draft-07) of the chart's values."""
    services = values["services"]
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "values",
        "type": "object",
        "additionalProperties": False,
        "required": ["services"],
        "properties": {
            "services": {
                "type": "object",
                "additionalProperties": False,
                "required": sorted(services),
                "properties": {dns_name(n): _service_schema(v) for n, v in services.items()},
            }
        },
    }
