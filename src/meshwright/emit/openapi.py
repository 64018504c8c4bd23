"""OpenAPI target: an OpenAPI 3.1 document per HTTP API, ``<service>.<api>.openapi.yaml``.

The model names operations but not HTTP routes, so each operation is served RPC style,
as Connect and Twirp do: ``POST /<api>/<operation>``. Every operation states whether it is
idempotent (``x-idempotent`` and its description: safe to retry) and lists the error
responses the model makes possible:

- ``429`` when the service has a ``rate_limit``, or an entrypoint with a ``rate_limit``
  sends traffic to the operation;
- ``503`` when the service has a ``queue_limit`` (it sheds load), or a call of the
  operation without a fallback has a circuit breaker or a bulkhead (it fails fast);
- ``504`` when a call of the operation without a fallback has a ``timeout``;
- ``500`` always (an unexpected failure).

The model declares no request or response payloads: request bodies and responses say so
rather than invent fields. Models without HTTP APIs get no file.
"""

from __future__ import annotations

from typing import Any

from meshwright.emit.conventions import HTTP_OPERATION_METHOD, http_operation_path
from meshwright.emit.registry import target
from meshwright.emit.wiring import dns_name
from meshwright.emit.yamltext import dump
from meshwright.graph import calls_from
from meshwright.model.types import Api, Model
from meshwright.pipeline import Artifact

Obj = dict[str, Any]

OPENAPI_VERSION = "3.1.0"
NO_PAYLOAD = "The model declares no payload schema for this operation; none is assumed."


def _either(targets: list[str]) -> str:
    return " or ".join(sorted(set(targets)))


def error_statuses(model: Model, service: str, operation: str) -> dict[str, str]:
    """HTTP status → why the operation may return it (see the module docstring)."""
    svc = model.services[service]
    ref = f"{service}.{operation}"
    out: dict[str, str] = {}
    if svc.rate_limit is not None:
        out["429"] = f"Too many requests: {service} accepts {svc.rate_limit.rate:g}/s."
    elif any(e.operation == ref and e.rate_limit is not None for e in model.entrypoints):
        out["429"] = "Too many requests: the edge rate-limits this entrypoint."
    calls = [e.call for e in calls_from(model, ref) if not e.call.has_fallback]
    fast = [c.to for c in calls if c.circuit_breaker is not None or c.bulkhead is not None]
    if svc.runtime.queue_limit is not None:
        out["503"] = f"Unavailable: {service} sheds requests beyond its queue limit."
    elif fast:
        out["503"] = f"Unavailable: a circuit breaker or bulkhead rejected a call to {_either(fast)}."
    timed = [c.to for c in calls if c.timeout is not None]
    if timed:
        out["504"] = f"Timeout: a call to {_either(timed)} exceeded its deadline."
    out["500"] = "An unexpected failure."
    return dict(sorted(out.items()))


def _operation(model: Model, service: str, api: Api, name: str) -> Obj:
    op = api.operations[name]
    safety = (
        "Idempotent: safe to retry." if op.idempotent else "Not idempotent: a retry may repeat its effect."
    )
    responses: Obj = {"200": {"description": f"Success. {NO_PAYLOAD}"}}
    responses |= {code: {"description": why} for code, why in error_statuses(model, service, name).items()}
    return {
        "operationId": f"{api.name}.{name}",
        "summary": name,
        "description": safety,
        "x-idempotent": op.idempotent,
        "requestBody": {
            "description": NO_PAYLOAD,
            "required": False,
            "content": {"application/json": {}},
        },
        "responses": responses,
    }


def document(model: Model, service: str, api: Api) -> Obj:
    """The OpenAPI 3.1 document of one HTTP API."""
    svc = model.services[service]
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"{api.name} ({service})",
            "version": "0.0.0",
            "description": svc.description or f"The {api.name} API of {service}.",
        },
        "servers": [{"url": f"http://{dns_name(service)}:{api.call_port}"}],
        "paths": {
            http_operation_path(api, name): {
                HTTP_OPERATION_METHOD.lower(): _operation(model, service, api, name)
            }
            for name in api.operations
        },
    }


@target("openapi", "OpenAPI 3.1 document per HTTP API (operations, idempotency, error responses)")
def emit(model: Model) -> list[Artifact]:
    return [
        Artifact(
            f"{dns_name(service)}.{dns_name(api.name)}.openapi.yaml", dump(document(model, service, api))
        )
        for service, svc in sorted(model.services.items())
        for api in svc.apis
        if api.protocol == "http"
    ]
