"""Protobuf target: a ``.proto`` per gRPC API, laid out as buf expects.

Each gRPC API becomes ``<system>/<service>/v1/<api>.proto`` in package
``<system>.<service>.v1`` (lower snake case, versioned, directory matching the package),
with one ``service`` named after the API (``Service`` appended when missing) and one rpc
per operation taking ``<Rpc>Request`` and returning ``<Rpc>Response``. An idempotent
operation carries ``option idempotency_level = IDEMPOTENT``, the standard protobuf method
option gRPC clients read to decide on retries; the others state the default explicitly
(``IDEMPOTENCY_UNKNOWN``). A message gets fields from the operation's ``request`` /
``response`` JSON Schema where it maps (:func:`message_body`: an object's properties of
scalar type, or arrays of them, in declaration order); what does not map is a comment naming
the property, and a message without a schema is empty and says so rather than invent
fields. ``buf.yaml`` beside them selects buf's STANDARD lint
rules and FILE breaking-change rules. Models without gRPC APIs get no file.
"""

from __future__ import annotations

import re
from typing import Any

from meshwright.emit.registry import target
from meshwright.model.payload import PayloadSchema
from meshwright.model.types import Api, Model
from meshwright.pipeline import Artifact

BUF_YAML = """\
# buf lint with the STANDARD rules; buf breaking compares the files of two versions.
version: v2
lint:
  use:
    - STANDARD
breaking:
  use:
    - FILE
"""
NO_FIELDS = "The model declares no fields for this message; none are assumed."
NOT_AN_OBJECT = (
    "The model's JSON Schema for this message is not an object with properties: "
    "it has no protobuf fields here; see the schema in the model."
)
SCALARS = {"string": "string", "integer": "int64", "number": "double", "boolean": "bool"}
"""JSON Schema type → protobuf scalar type."""


def _scalar(schema: Any) -> str | None:
    kind = schema.get("type") if isinstance(schema, dict) else None
    return SCALARS.get(kind) if isinstance(kind, str) else None


def message_body(schema: PayloadSchema | None) -> tuple[str, list[str]]:
    """(comment above the message, lines inside it) for one payload schema."""
    if schema is None:
        return NO_FIELDS, []
    props = schema.get("properties")
    if schema.get("type") != "object" or not isinstance(props, dict) or not props:
        return NOT_AN_OBJECT, []
    required = set(schema.get("required") or [])
    lines: list[str] = []
    used: dict[str, str] = {}
    number = 0
    for prop, sub in props.items():
        field = snake(str(prop))
        scalar = _scalar(sub)
        label = ""
        if scalar is None and isinstance(sub, dict) and sub.get("type") == "array":
            scalar, label = _scalar(sub.get("items")), "repeated "
        if field in used:
            lines.append(f"  // {prop}: not mapped (its protobuf name {field} is {used[field]}'s).")
            continue
        if scalar is None:
            kind = sub.get("type", "untyped") if isinstance(sub, dict) else "untyped"
            lines.append(f"  // {prop}: not mapped (JSON Schema type {kind}); see the schema in the model.")
            continue
        used[field] = str(prop)
        number += 1
        notes = [n for n in (sub.get("description"), "Required." if prop in required else None) if n]
        lines += [f"  // {' '.join(str(n).split())}" for n in notes]
        lines.append(f"  {label}{scalar} {field} = {number};")
    return "Fields from the model's JSON Schema.", lines


def snake(text: str) -> str:
    """``lower_snake_case`` for a package or file name part."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    name = re.sub(r"[^A-Za-z0-9]+", "_", words).strip("_").lower()
    return name if name and not name[0].isdigit() else f"x_{name}"


def pascal(text: str) -> str:
    """``PascalCase`` for a service, rpc or message name."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", text) if p]
    name = "".join(p[:1].upper() + p[1:] for p in parts) or "X"
    return name if not name[0].isdigit() else f"X{name}"


def package(model: Model, service: str) -> str:
    return f"{snake(model.system)}.{snake(service)}.v1"


def service_name(api: Api) -> str:
    """The API's last dotted segment in PascalCase, ending in ``Service``."""
    name = pascal(api.name.rsplit(".", 1)[-1])
    return name if name.endswith("Service") else f"{name}Service"


def path(model: Model, service: str, api: Api) -> str:
    return f"{package(model, service).replace('.', '/')}/{snake(service_name(api))}.proto"


def proto(model: Model, service: str, api: Api) -> str:
    """The text of one API's ``.proto`` file."""
    svc = model.services[service]
    lines = [
        'syntax = "proto3";',
        "",
        f"// The {api.name} API of {service}" + (f": {svc.description}" if svc.description else "."),
        f"package {package(model, service)};",
        "",
        f"service {service_name(api)} {{",
    ]
    rpcs = [(pascal(name), op) for name, op in api.operations.items()]
    for i, (rpc, op) in enumerate(rpcs):
        level = "IDEMPOTENT" if op.idempotent else "IDEMPOTENCY_UNKNOWN"
        note = (
            "Idempotent: safe to retry."
            if op.idempotent
            else "Not idempotent: a retry may repeat its effect."
        )
        if i:
            lines.append("")
        lines += [
            f"  // {note}",
            f"  rpc {rpc}({rpc}Request) returns ({rpc}Response) {{",
            f"    option idempotency_level = {level};",
            "  }",
        ]
    lines.append("}")
    for rpc, op in rpcs:
        for kind, schema in (("Request", op.request), ("Response", op.response)):
            note, body = message_body(schema)
            if body:
                lines += ["", f"// {note}", f"message {rpc}{kind} {{", *body, "}"]
            else:
                lines += ["", f"// {note}", f"message {rpc}{kind} {{}}"]
    return "\n".join(lines) + "\n"


@target("protobuf", "A .proto per gRPC API (package per service, idempotency levels)")
def emit(model: Model) -> list[Artifact]:
    protos = [
        Artifact(path(model, service, api), proto(model, service, api))
        for service, svc in sorted(model.services.items())
        for api in svc.apis
        if api.protocol == "grpc"
    ]
    return [*protos, Artifact("buf.yaml", BUF_YAML)] if protos else []
