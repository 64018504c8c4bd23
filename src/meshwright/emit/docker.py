"""Docker target: one multi-stage Dockerfile per service, by ``language``.

The runtime stage runs as an unprivileged numeric user, exposes the API ports and the
health and metrics port (``METRICS_PORT``), and declares a HEALTHCHECK (gRPC health probe
for gRPC services, ``GET /healthz`` for HTTP and, without an API, on the metrics port);
compose reuses the same check through :func:`healthcheck`.
"""

from __future__ import annotations

import json

from jinja2 import Environment, PackageLoader, StrictUndefined

from meshwright.emit.conventions import HEALTH_PATH, METRICS_PORT_ENV, RUN_AS, metrics_port
from meshwright.emit.registry import target
from meshwright.emit.wiring import dns_name
from meshwright.model.types import Model, Service
from meshwright.pipeline import Artifact

LANGUAGES = ("go", "java", "python", "node", "dotnet")
"""Languages with a Dockerfile of their own; every other language gets ``default``."""

_ALIASES = {"golang": "go", "kotlin": "java", "javascript": "node", "typescript": "node", "csharp": "dotnet"}

_env = Environment(
    loader=PackageLoader("meshwright.emit", "templates/docker"),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    autoescape=False,
)


def language(svc: Service) -> str:
    """The Dockerfile flavour of a service: its language, else ``default``."""
    lang = (svc.language or "").lower()
    lang = _ALIASES.get(lang, lang)
    return lang if lang in LANGUAGES else "default"


def healthcheck(svc: Service) -> list[str]:
    """The container health command (exec form): the gRPC health service of a gRPC service,
    ``GET /healthz`` on the API of an HTTP service, and on the health and metrics port of a
    service without APIs (see :mod:`meshwright.emit.conventions`)."""
    grpc = [a for a in svc.apis if a.protocol == "grpc"]
    if grpc:
        return ["CMD", "/usr/local/bin/grpc_health_probe", f"-addr=127.0.0.1:{grpc[0].listen_port}"]
    port = svc.apis[0].listen_port if svc.apis else metrics_port(svc)
    url = f"http://127.0.0.1:{port}{HEALTH_PATH}"
    if language(svc) == "python":
        code = f"import urllib.request; urllib.request.urlopen('{url}', timeout=2)"
        return ["CMD", "python", "-c", code]
    return ["CMD", "wget", "-q", "-O", "/dev/null", url]


def dockerfile(name: str, svc: Service) -> str:
    """The Dockerfile text of one service."""
    check = healthcheck(svc)
    return _env.get_template(f"{language(svc)}.Dockerfile.j2").render(
        service=name,
        language=svc.language or "unspecified",
        uid=RUN_AS,
        grpc=any(a.protocol == "grpc" for a in svc.apis),
        ports=sorted({a.listen_port for a in svc.apis} | {metrics_port(svc)}),
        env=[
            *([("PORT", str(svc.apis[0].listen_port))] if svc.apis else []),
            (METRICS_PORT_ENV, str(metrics_port(svc))),
        ],
        healthcheck=json.dumps(check[1:]),
    )


@target("docker", "a multi-stage, non-root Dockerfile with a HEALTHCHECK per service")
def emit(model: Model) -> list[Artifact]:
    """``<service>/Dockerfile`` for every service."""
    return [
        Artifact(f"{dns_name(n)}/Dockerfile", dockerfile(n, s)) for n, s in sorted(model.services.items())
    ]
