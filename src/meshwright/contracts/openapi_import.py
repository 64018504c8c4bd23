"""`meshwright import openapi`: an HTTP API and its operations read from an OpenAPI document.

One operation per path and method, named by its ``operationId`` (its last dotted segment),
else ``<method>_<path>``. An operation is idempotent when it says so
(``x-idempotent``), else when its method is idempotent by HTTP's definition (GET, HEAD,
OPTIONS, PUT, DELETE, TRACE). The service is named after ``info.title``, or ``--service``;
the port comes from the first server URL, else ``--port``. An operation's ``request`` and
``response`` payload schemas are its ``application/json`` request body schema and that of
its first 2xx response, when written inline (a schema using ``$ref`` is not carried over,
since the model holds self-contained schemas) and valid.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from meshwright.errors import UsageError
from meshwright.model.payload import PayloadSchema, check_payload_schema

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
IDEMPOTENT_METHODS = frozenset({"get", "head", "options", "put", "delete", "trace"})


def _load(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise UsageError(f"{path}: cannot read the OpenAPI document: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
        raise UsageError(f"{path}: not an OpenAPI document (no `paths` mapping)")
    return doc


def _name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "root"


def _port(doc: dict[str, Any]) -> int | None:
    servers = doc.get("servers")
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        url = urlsplit(str(servers[0].get("url", "")))
        try:
            if url.port is not None:
                return url.port
        except ValueError:
            return None
        return {"http": 80, "https": 443}.get(url.scheme)
    return None


def _has_ref(node: Any) -> bool:
    if isinstance(node, dict):
        return "$ref" in node or any(_has_ref(v) for v in node.values())
    return isinstance(node, list) and any(_has_ref(v) for v in node)


def _json_schema(holder: Any) -> PayloadSchema | None:
    """The inline ``application/json`` schema of a request body or response, if valid."""
    content = holder.get("content") if isinstance(holder, dict) else None
    media = content.get("application/json") if isinstance(content, dict) else None
    schema = media.get("schema") if isinstance(media, dict) else None
    if not isinstance(schema, dict) or _has_ref(schema):
        return None
    try:
        return check_payload_schema(schema)
    except ValueError:
        return None


def _payloads(op: dict[str, Any]) -> dict[str, PayloadSchema]:
    out: dict[str, PayloadSchema] = {}
    request = _json_schema(op.get("requestBody"))
    if request is not None:
        out["request"] = request
    responses = op.get("responses")
    if isinstance(responses, dict):
        ok = next((r for code, r in responses.items() if str(code).startswith("2")), None)
        response = _json_schema(ok)
        if response is not None:
            out["response"] = response
    return out


def operations(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Operation name → ``{"idempotent": ..., "request"/"response": schema}``, in document order."""
    out: dict[str, dict[str, Any]] = {}
    for route, item in doc["paths"].items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            op_id = op.get("operationId")
            name = _name(str(op_id).rsplit(".", 1)[-1]) if op_id else _name(f"{method}_{route}")
            declared = op.get("x-idempotent")
            idempotent = declared if isinstance(declared, bool) else method in IDEMPOTENT_METHODS
            out[name] = {"idempotent": idempotent, **_payloads(op)}
    return out


def model_from_openapi(path: Path, service: str | None, port: int) -> dict[str, Any]:
    """A model document with one service serving the document's operations over HTTP."""
    doc = _load(path)
    info = doc.get("info")
    info = info if isinstance(info, dict) else {}
    title = str(info.get("title") or path.stem)
    name = service or re.sub(r"[^a-z0-9-]+", "-", title.lower()).strip("-") or "service"
    api = {
        "name": _name(title),
        "protocol": "http",
        "port": _port(doc) or port,
        "operations": operations(doc),
    }
    return {"meshwright": 1, "system": name, "services": {name: {"apis": [api]}}}
