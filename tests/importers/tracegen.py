"""Traces of a model, for the round trip model → traces → import → model.

:func:`generate` walks the model from its entrypoints (Poisson arrivals at each
entrypoint's rate): an operation takes its service time (exponential with the mean, or
lognormal fitted to mean and p99), split around its calls, which run one after another
(``per_request`` 1.5 is one call, plus a second half of the time); it fails by itself
with probability 1 − availability. Each call is a CLIENT span in the caller and a SERVER
span in the callee, as OpenTelemetry instrumentation records them. :func:`to_otlp`,
:func:`to_jaeger` and :func:`to_zipkin` write the spans in the three export formats.

Run ``python -m tests.importers.tracegen`` to regenerate the committed fixtures.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

from meshwright.importers.traces import Span
from meshwright.model import Model

GenSpan = Span
"""A generated span: the importer's own span type."""


class _Gen:
    def __init__(self, model: Model, seed: int) -> None:
        self.model = model
        self.rng = random.Random(seed)
        self.spans: list[GenSpan] = []
        self.next_id = 0

    def sid(self) -> str:
        self.next_id += 1
        return f"{self.next_id:016x}"

    def service_time(self, service: str, op: str) -> float:
        st = self.model.services[service].operation(op).service_time  # type: ignore[union-attr]
        if st.p99 is not None:
            sigma = max(1e-6, _lognormal_sigma(st.mean, st.p99))
            mu = math.log(st.mean) - sigma**2 / 2
            return self.rng.lognormvariate(mu, sigma)
        return self.rng.expovariate(1 / st.mean)

    def run_op(self, trace: str, parent: str | None, service: str, op: str, start: float,
               root: bool) -> tuple[float, bool]:
        """Spans of one operation instance; (end time, failed)."""
        svc = self.model.services[service]
        api = svc.api_of(op)
        assert api is not None
        span_id = self.sid()
        own = self.service_time(service, op)
        t = start + own / 2
        failed_call = False
        for call in svc.calls_of(op):
            n = int(call.per_request) + (1 if self.rng.random() < call.per_request % 1 else 0)
            callee, callee_op = call.target_service, call.target_operation
            for _ in range(n):
                client = self.sid()
                end, failed = self.run_op(trace, client, callee, callee_op, t + 0.0002, False)
                end += 0.0002
                port = self.model.services[callee].api_of(callee_op).call_port  # type: ignore[union-attr]
                self.spans.append(GenSpan(trace, client, span_id, service, _span_name(self.model, callee,
                                                                                      callee_op),
                                          "client", t, end, failed, {"server.port": port}))
                failed_call = failed_call or failed
                t = end
        end = t + own / 2
        failed_self = self.rng.random() >= svc.availability / 100
        attrs: dict[str, Any] = {"server.port": api.listen_port}
        if api.protocol == "grpc":
            attrs.update({"rpc.system": "grpc", "rpc.service": api.name, "rpc.method": op})
        else:
            attrs.update({"http.request.method": "GET"})
        self.spans.append(GenSpan(trace, span_id, parent, service, _span_name(self.model, service, op),
                                  "server", start, end, failed_self or failed_call, attrs))
        return end, failed_self or failed_call


def _span_name(model: Model, service: str, op: str) -> str:
    api = model.services[service].api_of(op)
    assert api is not None
    return f"{api.name}/{op}" if api.protocol == "grpc" else op


def _lognormal_sigma(mean: float, p99: float) -> float:
    # p99 = exp(mu + 2.326 sigma), mean = exp(mu + sigma²/2) → sigma² /2 - 2.326 sigma + ln(p99/mean) = 0
    z, r = 2.3263, math.log(p99 / mean)
    disc = z * z - 2 * r
    return z - math.sqrt(max(disc, 0.0))


def generate(model: Model, *, seconds: float, seed: int = 1, start: float = 1_767_225_600.0) -> list[GenSpan]:
    """Spans of ``seconds`` of the model's entrypoint traffic."""
    gen = _Gen(model, seed)
    arrivals: list[tuple[float, str]] = []
    for ep in model.entrypoints:
        t = start
        while True:
            t += gen.rng.expovariate(ep.rate)
            if t > start + seconds:
                break
            arrivals.append((t, ep.operation))
    for n, (t, ref) in enumerate(sorted(arrivals)):
        service, _, op = ref.partition(".")
        gen.run_op(f"{n + 1:032x}", None, service, op, t, True)
    return gen.spans


def _ns(t: float) -> str:  # whole microseconds, as Jaeger and Zipkin record them
    return str(round(t * 1e6) * 1000)


def _us(t: float) -> int:
    return round(t * 1e6)


def to_otlp(spans: list[GenSpan]) -> dict[str, Any]:
    by_service: dict[str, list[GenSpan]] = {}
    for s in spans:
        by_service.setdefault(s.service, []).append(s)
    kinds = {"server": 2, "client": 3}

    def attr(k: str, v: Any) -> dict[str, Any]:
        return {"key": k, "value": {"intValue": str(v)} if isinstance(v, int) else {"stringValue": str(v)}}

    return {"resourceSpans": [
        {"resource": {"attributes": [attr("service.name", svc)]},
         "scopeSpans": [{"scope": {"name": "tracegen"}, "spans": [
             {"traceId": s.trace, "spanId": s.id, **({"parentSpanId": s.parent} if s.parent else {}),
              "name": s.name, "kind": kinds[s.kind], "startTimeUnixNano": _ns(s.start),
              "endTimeUnixNano": _ns(s.end), "attributes": [attr(k, v) for k, v in s.attrs.items()],
              "status": {"code": 2} if s.error else {}}
             for s in items]}]}
        for svc, items in sorted(by_service.items())]}


def to_jaeger(spans: list[GenSpan]) -> dict[str, Any]:
    traces: dict[str, list[GenSpan]] = {}
    for s in spans:
        traces.setdefault(s.trace, []).append(s)
    data = []
    for trace, items in traces.items():
        services = sorted({s.service for s in items})
        pid = {svc: f"p{i + 1}" for i, svc in enumerate(services)}
        processes = {pid[s]: {"serviceName": s, "tags": []} for s in services}
        data.append({"traceID": trace, "processes": processes,
                     "spans": [
                         {"traceID": trace, "spanID": s.id, "operationName": s.name,
                          "references": [{"refType": "CHILD_OF", "traceID": trace, "spanID": s.parent}]
                          if s.parent else [],
                          "startTime": _us(s.start), "duration": _us(s.end) - _us(s.start),
                          "processID": pid[s.service],
                          "tags": [{"key": "span.kind", "type": "string", "value": s.kind}]
                          + [{"key": k, "type": "int64" if isinstance(v, int) else "string", "value": v}
                             for k, v in s.attrs.items()]
                          + ([{"key": "error", "type": "bool", "value": True}] if s.error else [])}
                         for s in items]})
    return {"data": data, "total": 0, "limit": 0, "offset": 0, "errors": None}


def to_zipkin(spans: list[GenSpan]) -> list[dict[str, Any]]:
    out = []
    for s in spans:
        span: dict[str, Any] = {"traceId": s.trace, "id": s.id, "name": s.name.lower(),
                                "kind": s.kind.upper(),
                                "timestamp": _us(s.start), "duration": _us(s.end) - _us(s.start),
                                "localEndpoint": {"serviceName": s.service},
                                "tags": {k: str(v) for k, v in s.attrs.items()}}
        if s.parent:
            span["parentId"] = s.parent
        if s.kind == "server":
            span["localEndpoint"]["port"] = s.attrs.get("server.port")
            span["name"] = s.name
        if s.error:
            span["tags"]["error"] = "true"
        out.append(span)
    return out


def main() -> None:  # regenerate the committed fixtures
    from meshwright.model import load_model

    here = Path(__file__).parent / "data" / "traces"
    model = load_model(here / "model.yaml").model
    spans = generate(model, seconds=20, seed=7)
    (here / "otlp.json").write_text(json.dumps(to_otlp(spans), separators=(',', ':')) + "\n")
    (here / "jaeger.json").write_text(json.dumps(to_jaeger(spans), separators=(',', ':')) + "\n")
    (here / "zipkin.json").write_text(json.dumps(to_zipkin(spans), separators=(',', ':')) + "\n")


if __name__ == "__main__":
    main()
