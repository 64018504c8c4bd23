"""Protobuf target: a ``.proto`` per gRPC API, laid out as buf expects.

Each gRPC API becomes ``<system>/<service>/v1/<api>.proto`` in package
``<system>.<service>.v1`` (lower snake case, versioned, directory matching the package),
with one ``service`` named after the API (``Service`` appended when missing) and one rpc
per operation taking ``<Rpc>Request`` and returning ``<Rpc>Response``. An idempotent
operation carries ``option idempotency_level = IDEMPOTENT``, the standard protobuf method
option gRPC clients read to decide on retries; the others state the default explicitly
(``IDEMPOTENCY_UNKNOWN``). The model declares no message fields, so every message is empty
and says so rather than invent fields. ``buf.yaml`` beside them selects buf's STANDARD lint
rules and FILE breaking-change rules. Models without gRPC APIs get no file.
"""

from __future__ import annotations

import re

from meshwright.emit.registry import target
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
    for rpc, _ in rpcs:
        for kind in ("Request", "Response"):
            lines += ["", f"// {NO_FIELDS}", f"message {rpc}{kind} {{}}"]
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
