"""Import a compose file: services, images, ports, replicas, memory, env edges, depends_on.

Follows the Compose Specification where it matters for the model: ``.env`` interpolation
(``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``, ``${VAR:?error}``, ``$$``), profiles
(a service with ``profiles`` is imported only when one of them is asked for), both forms of
``depends_on``, YAML anchors and merge keys, ``deploy.replicas``, ``mem_limit``/``cpus``
and ``deploy.resources``. Published ports make a service public.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from meshwright.importers.builder import ApiDraft, Evidence, ModelBuilder, ServiceDraft, Source
from meshwright.importers.reading import Document, fail, read_text, yaml_stream
from meshwright.importers.shapes import Shape, text
from meshwright.importers.wellknown import classify

_VAR = re.compile(r"\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")
_HEALTH_URL = re.compile(r"https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?::(\d+))?")


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines (comments, blank lines and ``export`` allowed; quotes removed)."""
    out: dict[str, str] = {}
    for number, line in enumerate(read_text(path).splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, eq, value = line.partition("=")
        if not eq or not re.match(r"^[A-Za-z_][A-Za-z0-9_.-]*$", key.strip()):
            raise fail(str(path), number, 1, "not a KEY=VALUE line", "write KEY=VALUE, or comment it out")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        out[key.strip()] = value
    return out


class _Interpolator:
    def __init__(self, env: dict[str, str], where: str) -> None:
        self.env = env
        self.where = where
        self.missing: set[str] = set()

    def text(self, value: str) -> str:
        def one(m: re.Match[str]) -> str:
            if m.group(0) == "$$":
                return "$"
            name = m.group(1) or m.group(4)
            op, arg = m.group(2), m.group(3) or ""
            val = self.env.get(name)
            if op == ":-":
                return val if val else arg
            if op == "-":
                return val if val is not None else arg
            if op == ":+":
                return arg if val else ""
            if op == "+":
                return arg if val is not None else ""
            if op in (":?", "?") and (val is None or (op == ":?" and not val)):
                raise fail(self.where, 0, 0, f"required variable {name} is not set: {arg}",
                           f"set {name} in .env or the environment")
            if val is None:
                self.missing.add(name)
                return ""
            return val

        return _VAR.sub(one, value)

    def walk(self, data: Any, depth: int = 0) -> Any:
        if depth > 64:
            raise fail(self.where, 0, 0, "the compose file is nested too deeply", "simplify it")
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, dict):
            return {k: self.walk(v, depth + 1) for k, v in data.items()}
        if isinstance(data, list):
            return [self.walk(v, depth + 1) for v in data]
        return data


def import_compose(builder: ModelBuilder, path: Path, *, env_file: Path | None = None,
                   profiles: list[str] | None = None, environ: dict[str, str] | None = None) -> None:
    """Add the services of the compose file at ``path`` to ``builder``."""
    source = read_text(path)
    name = str(path)
    docs = yaml_stream(source, name)
    if len(docs) != 1 or not isinstance(docs[0].data, dict):
        raise fail(name, docs[0].line if docs else 1, 1, "a compose file is one YAML mapping",
                   "start it with `services:`")
    env = dict(environ or {})
    dot_env = env_file or path.parent / ".env"
    if dot_env.is_file():
        env = {**read_env_file(dot_env), **env}
    elif env_file is not None:
        raise fail(str(env_file), 0, 0, "no such env file", "check the path")
    interp = _Interpolator(env, name)
    data = interp.walk(docs[0].data)
    doc = Document(data, name, 1, docs[0].node)
    shape = Shape(doc)
    builder.inputs.append(name)
    builder.platform.setdefault("orchestrator", "compose")
    active = set(profiles or [])
    services = shape.map(data.get("services"), "services")
    if not services:
        raise fail(name, 1, 1, "the compose file has no services", "add a `services:` mapping")
    for missing in sorted(interp.missing):
        builder.notes.append(f"{name}: variable {missing} is not set (compose uses an empty string)")
    for sname, spec_any in services.items():
        where = doc.where_at("services", str(sname))
        spec = shape.map(spec_any, f"services.{sname}")
        wanted = [str(p) for p in shape.seq(spec.get("profiles"), f"services.{sname}.profiles")]
        if wanted and not active.intersection(wanted):
            builder.notes.append(f"{where}: {sname} is only in profiles {', '.join(wanted)} (not imported; "
                                 "pass --profile to include it)")
            continue
        _service(builder, doc, str(sname), spec, where)


def _ports(shape: Shape, spec: dict[str, Any], path: str) -> tuple[list[int], bool]:
    """(container ports, published to the host)."""
    ports: list[int] = []
    published = False
    for entry in shape.seq(spec.get("ports"), f"{path}.ports"):
        if isinstance(entry, dict):
            target = entry.get("target")
            if isinstance(target, int):
                ports.append(target)
                published = published or entry.get("published") is not None
            continue
        value = str(entry).split("/", 1)[0]
        parts = value.rsplit(":", 1)
        container = parts[-1].split("-", 1)[0]
        if container.isdigit():
            ports.append(int(container))
            published = published or len(parts) > 1
    for entry in shape.seq(spec.get("expose"), f"{path}.expose"):
        value = str(entry).split("/", 1)[0].split("-", 1)[0]
        if value.isdigit():
            ports.append(int(value))
    return ports, published


def _service(builder: ModelBuilder, doc: Document, name: str, spec: dict[str, Any], where: str) -> None:
    shape = Shape(doc)
    path = f"services.{name}"
    image = text(spec.get("image"))
    known = classify(image, name)
    if known is not None:
        role, kind = known
        if role == "registry":
            builder.registries.setdefault(kind, where)
        else:
            builder.add_backing(name, role, kind, image, where)
        return
    draft = ServiceDraft(name, where, "compose service", image=image)
    if image is None and spec.get("build") is not None:
        draft.notes.append("TODO: built from source (`build:`), no image named: set `image`")
    deploy = shape.map(spec.get("deploy"), f"{path}.deploy")
    draft.replicas = shape.int_or_none(deploy.get("replicas", spec.get("scale")), f"{path}.deploy.replicas")
    resources = shape.map(deploy.get("resources"), f"{path}.deploy.resources")
    limits = shape.map(resources.get("limits"), "limits")
    reservations = shape.map(resources.get("reservations"), "reservations")
    draft.memory_limit = _memory(text(limits.get("memory")) or text(spec.get("mem_limit")))
    draft.cpu_limit = text(limits.get("cpus")) or text(spec.get("cpus"))
    draft.memory = _memory(text(reservations.get("memory")) or text(spec.get("mem_reservation")))
    draft.cpu = text(reservations.get("cpus"))
    ports, published = _ports(shape, spec, path)
    for port in dict.fromkeys(ports):
        draft.apis.append(ApiDraft(f"port-{port}", port, where=where))
    if published:
        draft.public = f"publishes ports to the host ({where})"
    _healthcheck(shape, spec, draft, path)
    draft.has_listener = bool(draft.apis)
    env = _environment(shape, spec, path)
    env_node = spec.get("environment")
    for index, (var, value) in enumerate(env.items()):
        key: str | int = var if isinstance(env_node, dict) else index
        builder.env_edges(name, {var: value}, doc.where_at("services", name, "environment", key))
    draft.config = {k: v for k, v in env.items() if len(v) <= 1024}
    depends = spec.get("depends_on")
    targets = list(shape.map(depends, f"{path}.depends_on")) if isinstance(depends, dict) else \
        shape.seq(depends, f"{path}.depends_on")
    depends_where = doc.where_at("services", name, "depends_on")
    for target in targets:
        builder.edge(name, str(target), None, Evidence(Source.depends_on, f"on {target}", depends_where))
    for link in shape.seq(spec.get("links"), f"{path}.links"):
        target = str(link).split(":", 1)[0]
        builder.edge(name, target, None, Evidence(Source.depends_on, f"links {target}", where))
    if spec.get("restart") is not None:
        draft.notes.append(f"restart: {spec.get('restart')} (not in the model)")
    builder.add_service(draft)


def _memory(value: str | None) -> str | None:
    """Compose sizes (``512m``, ``1g``, ``1gb``) as Kubernetes quantities (``512Mi``)."""
    if value is None:
        return None
    m = re.match(r"^(\d+(?:\.\d+)?)\s*([bkmg])?b?$", value.strip().lower())
    if not m:
        return value
    unit = {"b": "", "k": "Ki", "m": "Mi", "g": "Gi", None: ""}[m.group(2)]
    return f"{m.group(1)}{unit}"


def _environment(shape: Shape, spec: dict[str, Any], path: str) -> dict[str, str]:
    env = spec.get("environment")
    out: dict[str, str] = {}
    if isinstance(env, dict):
        for k, v in env.items():
            value = text(v)
            if value is not None:
                out[str(k)] = value
    else:
        for item in shape.seq(env, f"{path}.environment"):
            key, eq, value = str(item).partition("=")
            if eq:
                out[key] = value
    return out


def _healthcheck(shape: Shape, spec: dict[str, Any], draft: ServiceDraft, path: str) -> None:
    check = shape.map(spec.get("healthcheck"), f"{path}.healthcheck")
    test = check.get("test")
    words = " ".join(str(w) for w in test) if isinstance(test, list) else str(test or "")
    m = _HEALTH_URL.search(words)
    if not m:
        return
    port = int(m.group(1)) if m.group(1) else (443 if m.group(0).startswith("https") else 80)
    api = draft.api_for_port(port)
    if api is None or api.port != port:
        api = ApiDraft(f"port-{port}", port, where=draft.where)
        draft.apis.append(api)
    api.protocol, api.protocol_from = "http", "healthcheck URL"
