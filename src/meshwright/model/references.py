"""Cross-references of a model: every name that points somewhere must point at something.

Runs on the raw data (before or despite type errors) so a user sees all problems at once.
Shapes it does not understand are skipped: the type checker reports those.
"""

from __future__ import annotations

from typing import Any

from meshwright.errors import Diagnostic
from meshwright.model.source import PathKey, SourceMap
from meshwright.model.types import Runtime
from meshwright.model.validation_errors import did_you_mean

METRICS_PORT = Runtime.model_fields["metrics_port"].default
"""The default health and metrics port (``runtime.metrics_port``)."""
_FALLBACK_KEYWORDS = ("none", "cache", "static", "default", "degrade")


def _d(x: Any) -> dict[str, Any]:
    return x if isinstance(x, dict) else {}


def _l(x: Any) -> list[Any]:
    return x if isinstance(x, list) else []


class _Checker:
    def __init__(self, raw: dict[str, Any], smap: SourceMap) -> None:
        self.raw = raw
        self.smap = smap
        self.out: list[Diagnostic] = []
        self.services = _d(raw.get("services"))
        self.topics = set(_d(raw.get("topics")))
        self.contexts = set(_d(raw.get("contexts")))
        self.ops: dict[str, list[str]] = {}
        self.event_ops: set[str] = set()
        for sname, svc in self.services.items():
            names: list[str] = []
            for api in _l(_d(svc).get("apis")):
                ops = [str(k) for k in _d(_d(api).get("operations"))]
                names.extend(ops)
                if _d(api).get("protocol") == "event":
                    self.event_ops.update(f"{sname}.{o}" for o in ops)
            self.ops[sname] = names

    def error(self, path: PathKey, message: str, hint: str = "", code: str = "reference") -> None:
        self.out.append(Diagnostic(self.smap.locate(path), message, hint, code=code, path=path))

    def operation_ref(self, ref: Any, path: PathKey, what: str) -> None:
        """``ref`` must be ``service.operation`` naming a declared operation."""
        if not isinstance(ref, str):
            return
        service, dot, op = ref.partition(".")
        if not dot or not op:
            hint = "write service.operation, e.g. payment.Charge"
            if service in self.services and self.ops.get(service):
                hint = f"write {service}.{self.ops[service][0]} (operations: {', '.join(self.ops[service])})"
            self.error(path, f"{what} '{ref}' must name service.operation", hint)
            return
        if service not in self.services:
            hint = did_you_mean(service, self.services) or (
                "declared services: " + ", ".join(sorted(self.services)[:12])
            )
            self.error(path, f"{what} '{ref}': unknown service '{service}'", hint)
            return
        known = self.ops.get(service, [])
        if op not in known:
            hint = did_you_mean(op, known) or (
                f"{service} declares: {', '.join(known)}" if known else
                f"declare it under services.{service}.apis[].operations"
            )
            self.error(path, f"{what} '{ref}': service '{service}' has no operation '{op}'", hint)

    def topic_ref(self, topic: Any, path: PathKey, what: str) -> None:
        if isinstance(topic, str) and topic not in self.topics:
            hint = did_you_mean(topic, self.topics) or f"declare it under topics: `{topic}: {{}}`"
            self.error(path, f"{what} unknown topic '{topic}'", hint)

    def calls(self, sname: str, calls: Any, base: PathKey) -> None:
        for i, call in enumerate(_l(calls)):
            call = _d(call)
            if "to" in call:
                self.operation_ref(call["to"], (*base, i, "to"), "call target")
                if call["to"] in self.event_ops:
                    self.error(
                        (*base, i, "to"),
                        f"call target '{call['to']}' is an event handler, which has no network API",
                        "publish to a topic it consumes instead, or serve the operation over grpc/http",
                    )
            fb = call.get("fallback")
            if isinstance(fb, str) and fb not in _FALLBACK_KEYWORDS:
                self.operation_ref(fb, (*base, i, "fallback"), "fallback")

    def run(self) -> list[Diagnostic]:
        for sname, svc in self.services.items():
            svc = _d(svc)
            base: PathKey = ("services", sname)
            ctx = svc.get("context")
            if isinstance(ctx, str) and ctx not in self.contexts:
                hint = did_you_mean(ctx, self.contexts) or (
                    f"declare it under contexts: `{ctx}: {{owner: TEAM}}`"
                )
                self.error((*base, "context"), f"unknown context '{ctx}'", hint)
            self.calls(sname, svc.get("calls"), (*base, "calls"))
            self.apis(sname, svc, base)
            for i, topic in enumerate(_l(svc.get("publishes"))):
                self.topic_ref(topic, (*base, "publishes", i), "publishes")
            for i, cons in enumerate(_l(svc.get("consumes"))):
                topic = cons if isinstance(cons, str) else _d(cons).get("topic")
                self.topic_ref(topic, (*base, "consumes", i), "consumes")
                c = _d(cons)
                self.topic_ref(c.get("dead_letter"), (*base, "consumes", i, "dead_letter"),
                               "dead_letter:")
                op = c.get("operation")
                if isinstance(op, str) and op not in self.ops.get(sname, []):
                    self.error((*base, "consumes", i, "operation"),
                               f"consumer operation '{op}' is not an operation of '{sname}'",
                               did_you_mean(op, self.ops.get(sname, [])))
            for i, rule in enumerate(_l(svc.get("authorization"))):
                for j, caller in enumerate(_l(_d(rule).get("allow"))):
                    if isinstance(caller, str) and caller != "*" and caller not in self.services:
                        self.error((*base, "authorization", i, "allow", j),
                                   f"authorization allows unknown service '{caller}'",
                                   did_you_mean(caller, self.services))
                for j, op in enumerate(_l(_d(rule).get("operations"))):
                    if isinstance(op, str) and op != "*" and op not in self.ops.get(sname, []):
                        self.error((*base, "authorization", i, "operations", j),
                                   f"authorization names '{op}', which is not an operation of '{sname}'",
                                   did_you_mean(op, self.ops.get(sname, [])))
        for i, ep in enumerate(_l(self.raw.get("entrypoints"))):
            self.operation_ref(_d(ep).get("operation"), ("entrypoints", i, "operation"),
                               "entrypoint")
        for name, saga in _d(self.raw.get("sagas")).items():
            for i, step in enumerate(_l(_d(saga).get("steps"))):
                step = _d(step)
                for key in ("do", "compensate"):
                    if key in step:
                        self.operation_ref(step[key], ("sagas", name, "steps", i, key),
                                           f"saga step {key}")
        return self.out

    def apis(self, sname: str, svc: dict[str, Any], base: PathKey) -> None:
        seen_ops: dict[str, PathKey] = {}
        seen_ports: dict[Any, PathKey] = {}
        seen_names: dict[Any, PathKey] = {}
        seen_call_ports: dict[Any, PathKey] = {}
        stores = set(_d(svc.get("datastores")))
        metrics_port = _d(svc.get("runtime")).get("metrics_port", METRICS_PORT)
        for ai, api in enumerate(_l(svc.get("apis"))):
            api = _d(api)
            apath: PathKey = (*base, "apis", ai)
            for field in ("port", "service_port"):
                if api.get(field) == metrics_port:
                    self.error((*apath, field),
                               f"port {metrics_port!r} of API '{api.get('name')}' is the health and "
                               f"metrics port of service '{sname}'",
                               "every workload serves /healthz and /metrics on runtime.metrics_port "
                               f"(default {METRICS_PORT}): use another port for the API, or set "
                               "`runtime: {metrics_port: PORT}` to a free one", code="duplicate")
            call_port = api.get("service_port", api.get("port"))
            if "service_port" in api and call_port is not None and call_port in seen_call_ports:
                self.error((*apath, "service_port"),
                           f"service port {call_port!r} is used by two APIs of service '{sname}'",
                           "give each API of a service its own service_port", code="duplicate")
            if call_port is not None:
                seen_call_ports.setdefault(call_port, apath)
            for field, seen in (("port", seen_ports), ("name", seen_names)):
                value = api.get(field)
                if value is None:
                    continue
                if value in seen:
                    first = self.smap.locate((*seen[value], field))
                    self.error((*apath, field),
                               f"api {field} {value!r} is used twice in service '{sname}' "
                               f"(first at line {first.line})",
                               f"give each API of a service its own {field}", code="duplicate")
                else:
                    seen[value] = apath
            for oname, op in _d(api.get("operations")).items():
                opath: PathKey = (*apath, "operations", oname)
                if oname in seen_ops:
                    first = self.smap.locate(seen_ops[oname], key=True)
                    self.error(opath,
                               f"operation '{oname}' is declared twice in service '{sname}' "
                               f"(first at line {first.line})",
                               "operation names must be unique within a service",
                               code="duplicate")
                seen_ops[oname] = opath
                op = _d(op)
                self.calls(sname, op.get("calls"), (*opath, "calls"))
                for i, topic in enumerate(_l(op.get("publishes"))):
                    self.topic_ref(topic, (*opath, "publishes", i), "publishes")
                for i, store in enumerate(_l(op.get("writes"))):
                    if isinstance(store, str) and store not in stores:
                        self.error((*opath, "writes", i),
                                   f"operation writes unknown datastore '{store}'",
                                   did_you_mean(store, stores)
                                   or f"declare it under services.{sname}.datastores")


def check_references(raw: dict[str, Any], smap: SourceMap) -> list[Diagnostic]:
    """Diagnostics for names that point nowhere, and for duplicates within a service."""
    return _Checker(raw, smap).run()

