"""Write a :class:`~meshwright.importers.builder.ModelBuilder` as a model directory.

``mesh.yaml`` holds the system, platform and entrypoints; ``services/NAME.yaml`` one
service each. Every call edge, datastore use and inferred setting carries its provenance
as a comment; what the inputs do not say is a ``TODO`` comment, never a made-up value.
An API whose operations are unknown gets one placeholder operation,
:data:`PLACEHOLDER`, so calls can name it (traces name the real ones).
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from meshwright.importers.builder import (
    ApiDraft,
    EdgeDraft,
    Evidence,
    ModelBuilder,
    ServiceDraft,
    Source,
    TraceCall,
    find_traffic_sources,
)
from meshwright.model.units import format_duration, format_rate

PLACEHOLDER = "request"
"""The operation standing for all operations of an API the inputs do not detail."""

_BROKERS = ("kafka", "rabbitmq")
_NAME = re.compile(r"[^a-z0-9-]+")


@dataclass
class Written:
    """What was written, for the summary."""

    files: dict[str, str] = field(default_factory=dict)
    edges: list[EdgeDraft] = field(default_factory=list)
    uses: dict[str, list[tuple[str, Evidence]]] = field(default_factory=dict)
    todos: list[str] = field(default_factory=list)
    unwritten_edges: list[str] = field(default_factory=list)


def _yaml() -> YAML:
    y = YAML()
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


_YAML = _yaml()


def _dump(data: Any) -> str:
    buf = io.StringIO()
    _YAML.dump(data, buf)
    return buf.getvalue()


def _flow(**items: Any) -> CommentedMap:
    m = CommentedMap(items)
    m.fa.set_flow_style()
    return m


def _comment(text: str) -> str:
    return " ".join(text.split())


def file_name(service: str) -> str:
    return _NAME.sub("-", service.lower()).strip("-") or "service"


def render(builder: ModelBuilder) -> Written:
    """The model's files (relative path → text) and what they say."""
    find_traffic_sources(builder)
    edges, uses = builder.resolve()
    out = Written(edges=edges, uses=uses)
    by_caller: dict[str, list[EdgeDraft]] = {}
    for edge in edges:
        by_caller.setdefault(edge.caller, []).append(edge)
    for name, draft in builder.services.items():
        stem, n = file_name(name), 1
        while f"services/{stem}.yaml" in out.files:  # names that differ only in case or punctuation
            n += 1
            stem = f"{file_name(name)}-{n}"
        out.files[f"services/{stem}.yaml"] = _service_file(
            builder, draft, by_caller.get(name, []), uses, out)
    out.files["mesh.yaml"] = _mesh_file(builder, uses, out)
    return out


def write(builder: ModelBuilder, directory: Path) -> Written:
    """Render and write the model directory (``mesh.yaml`` and ``services/``)."""
    written = render(builder)
    (directory / "services").mkdir(parents=True, exist_ok=True)
    for rel, text in written.files.items():
        (directory / rel).write_text(text, encoding="utf-8")
    return written


# ------------------------------------------------------------------------- mesh.yaml


def _mesh_file(builder: ModelBuilder, uses: dict[str, list[tuple[str, Evidence]]], out: Written) -> str:
    root = CommentedMap()
    root["meshwright"] = 1
    root["system"] = builder.system
    root["description"] = f"imported from {', '.join(builder.inputs)}"
    platform = CommentedMap()
    for key in ("orchestrator", "mesh", "namespace"):
        if key in builder.platform:
            platform[key] = builder.platform[key]
    if platform.get("orchestrator") == "compose" and platform.get("mesh") in ("istio", "linkerd"):
        platform["orchestrator"] = "kubernetes"  # the mesh runs only there
        platform.yaml_add_eol_comment(
            f"# {platform['mesh']} runs on Kubernetes only; the compose file is a local setup",
            "orchestrator",
        )
    if builder.platform.get("mtls") == "true":
        platform["mtls"] = True
        platform.yaml_add_eol_comment("# PeerAuthentication mode STRICT", "mtls")
    brokers = [b for b in builder.backing.values() if b.role == "broker"]
    modelled = [b for b in brokers if b.kind in _BROKERS]
    if modelled:
        platform["broker"] = modelled[0].kind
        first = modelled[0]
        platform.yaml_add_eol_comment(f"# {first.name}: image {first.image} ({first.where})",
                                      "broker")
    for b in brokers:
        if modelled and b is modelled[0]:
            continue
        why = "a second broker: the model has one (platform.broker)" if b.kind in _BROKERS else \
            f"the model describes {' and '.join(_BROKERS)} only"
        out.todos.append(f"broker {b.name} ({b.kind}, image {b.image}, {b.where}): {why}")
    registry = builder.registry
    if registry in ("consul", "etcd"):
        platform["discovery"] = registry
        platform.yaml_add_eol_comment(f"# {builder.registries[registry]}", "discovery")
    # The inputs show no telemetry stack: say so, rather than take the model's defaults
    # (Prometheus, Grafana, Jaeger, Elasticsearch), which would add scrape rules and agents.
    platform["telemetry"] = _flow(metrics="none", dashboards="none", tracing="none", logs="none")
    platform.yaml_add_eol_comment("# TODO telemetry: no input shows one; set what the system runs",
                                  "telemetry")
    root["platform"] = platform
    traced = [e for e in builder.entrypoints if builder.services.get(e.operation.split(".")[0])]
    if traced:
        seq = CommentedSeq()
        for i, ep in enumerate(traced):
            seq.append(_flow(name=ep.name, operation=ep.operation, rate=format_rate(_round(ep.rate))))
            seq.yaml_add_eol_comment(f"# root spans in {ep.where}", i)
        root["entrypoints"] = seq
    notes: list[str] = []
    if not traced:
        for name, draft in builder.services.items():
            if draft.public:
                target = _first_operation(draft)
                notes.append(f"TODO entrypoints: {name} is public ({draft.public}); its request rate is "
                             f"in no input: add `- {{operation: {name}.{target}, rate: N/s}}` under "
                             "entrypoints, or import traces")
        for source in builder.traffic_sources.values():
            notes.append(f"traffic source, not a service: {source}")
    if registry:
        notes.append(f"services find each other through {registry} ({builder.registries[registry]}): no "
                     "call edges were guessed from configuration; add them by importing traces "
                     "(`--traces FILE` with OTLP, Jaeger or Zipkin JSON)")
    for b in builder.backing.values():
        if b.role == "datastore" and b.name not in uses:
            notes.append(f"TODO datastore {b.name} ({b.kind}, image {b.image}, {b.where}) is used by no "
                         "service the inputs show: add it under the datastores of its owner")
    out.todos.extend(n.removeprefix("TODO ") for n in notes if n.startswith("TODO"))
    header = ["Imported by `meshwright import`: each call edge and inferred value says where it",
              "came from; TODO marks what the inputs do not say (fill it in, nothing was guessed)."]
    root.yaml_set_start_comment("\n".join([*header, "", *notes]))
    return _dump(root)


def _first_operation(draft: ServiceDraft) -> str:
    for api in draft.apis:
        if api.operations:
            return next(iter(api.operations))
    return PLACEHOLDER


# ------------------------------------------------------------------------- services


def _api_ops(api: ApiDraft) -> list[str]:
    return list(api.operations) or [PLACEHOLDER]


def _callable(draft: ServiceDraft) -> bool:
    return any(a.port is not None for a in draft.apis)


def _target(callee: ServiceDraft, port: int | None, operation: str | None = None) -> str | None:
    if operation is not None:
        for known in callee.apis:
            if operation in known.operations and known.port is not None:
                return f"{callee.name}.{operation}"
    api: ApiDraft | None = callee.api_for_port(port) if port is not None else None
    if api is None:
        api = next((a for a in callee.apis if a.port is not None), None)
    if api is None or api.port is None:
        return None
    return f"{callee.name}.{_api_ops(api)[0]}"


def _round(x: float, digits: int = 3) -> float | int:
    """``x`` to ``digits`` significant digits (an int when whole)."""
    if x == 0 or not math.isfinite(x):
        return x
    r = round(x, digits - 1 - math.floor(math.log10(abs(x))))
    return int(r) if r == int(r) else r


def _trace_call_comment(tc: TraceCall, edge: EdgeDraft) -> str:
    text = f"traces: {tc.count} calls"
    if tc.errors:
        text += f", {100 * tc.errors / tc.count:.2g} % failed"
    others = [e.text() for e in edge.evidence if e.source is not Source.trace][:2]
    return "# " + _comment("; ".join([f"{text} ({tc.where})", *others]))


def _edge_comment(edge: EdgeDraft) -> str:
    parts = [e.text() for e in edge.evidence[:3]]
    if len(edge.evidence) > 3:
        parts.append(f"+{len(edge.evidence) - 3} more")
    if edge.policy_from:
        parts.append("policy: " + ", ".join(edge.policy_from))
    return "# " + _comment("; ".join(parts))


def _runtime(draft: ServiceDraft) -> CommentedMap | None:
    rt = CommentedMap()
    if draft.replicas is not None:
        rt["replicas"] = draft.replicas
    for key in ("cpu", "memory", "cpu_limit", "memory_limit"):
        value = getattr(draft, key)
        if value is not None:
            rt[key] = value
    if draft.autoscale:
        auto = {k: v for k, v in draft.autoscale.items() if k != "where"}
        rt["autoscale"] = _flow(**auto)
        rt.yaml_add_eol_comment(f"# HorizontalPodAutoscaler ({draft.autoscale['where']})", "autoscale")
        if draft.replicas is None or draft.replicas < auto["min"]:
            rt["replicas"] = auto["min"]
    return rt or None


def _service_file(builder: ModelBuilder, draft: ServiceDraft, edges: list[EdgeDraft],
                  uses: dict[str, list[tuple[str, Evidence]]], out: Written) -> str:
    svc = CommentedMap()
    notes = list(draft.notes)
    if draft.image:
        svc["image"] = draft.image
    if draft.public:
        svc["expose"] = "public"
        svc.yaml_add_eol_comment("# " + _comment(draft.public), "expose")
    if draft.availability is not None:
        svc["availability"] = draft.availability
        svc.yaml_add_eol_comment("# 100 % minus the share of spans failing by themselves (traces)",
                                 "availability")
    runtime = _runtime(draft)
    if runtime is not None:
        svc["runtime"] = runtime
    apis = CommentedSeq()
    for api in draft.apis:
        if api.port is None:
            notes.append(f"TODO API {api.name}: its port is in no input; add it to `apis` with its port")
            continue
        apis.append(_api(api))
    if apis:
        svc["apis"] = apis
    elif not draft.apis:
        notes.append("TODO apis: no port is declared, so no service can call this one; add its APIs")
    calls, op_calls = _calls(builder, draft, edges, notes, out)
    if op_calls:
        _attach_operation_calls(svc, op_calls)
    if calls:
        svc["calls"] = calls
    stores = CommentedMap()
    for name, users in sorted(uses.items()):
        mine = [e for u, e in users if u == draft.name]
        if not mine:
            continue
        backing = builder.backing[name]
        if backing.role == "datastore":
            stores[name] = _flow(kind=backing.kind)
            stores.yaml_add_eol_comment("# " + _comment("; ".join(e.text() for e in mine[:3])), name)
        else:
            notes.append(f"TODO messaging: uses broker {name} ({backing.kind}; "
                         f"{'; '.join(e.text() for e in mine[:2])}): the topics it publishes or consumes "
                         "are in no input; add `publishes`/`consumes` and declare the topics")
    if stores:
        svc["datastores"] = stores
    if draft.config:
        svc["config"] = CommentedMap(sorted(draft.config.items()))
    if draft.secrets:
        svc["secrets"] = CommentedSeq(draft.secrets)
    if draft.authorization:
        rules = CommentedSeq()
        for i, (allow, where) in enumerate(draft.authorization):
            rules.append(_flow(allow=CommentedSeq(allow)))
            rules[-1]["allow"].fa.set_flow_style()
            rules.yaml_add_eol_comment(f"# {where}", i)
        svc["authorization"] = rules
    out.todos.extend(f"{draft.name}: {n.removeprefix('TODO ')}" for n in notes if n.startswith("TODO"))
    root = CommentedMap()
    root[draft.name] = svc
    header = [f"{draft.kind} {draft.name} ({draft.where})", *notes]
    root.yaml_set_start_comment("\n".join(header))
    return _dump(root)


def _api(api: ApiDraft) -> CommentedMap:
    m = CommentedMap()
    m["name"] = api.name
    if api.protocol:
        m["protocol"] = api.protocol
        m.yaml_add_eol_comment(f"# {api.protocol_from}", "protocol")
    m["port"] = api.port
    if api.protocol is None:
        m.yaml_add_eol_comment("# TODO protocol: no port name, appProtocol or probe says it; "
                               "the model's default is http (set grpc if it is)", "port")
    if api.service_port is not None:
        m["service_port"] = api.service_port
    ops = CommentedMap()
    if not api.operations:
        ops[PLACEHOLDER] = CommentedMap()
        ops.yaml_add_eol_comment("# TODO operations: the inputs do not name them; this placeholder "
                                 "stands for all (import traces to get the real ones)", PLACEHOLDER)
    for name, op in api.operations.items():
        entry = CommentedMap()
        if op.service_time_mean is not None:
            mean = _round(op.service_time_mean)
            st = _flow(mean=format_duration(mean))
            if op.service_time_p99 is not None and _round(op.service_time_p99) > mean:
                st["p99"] = format_duration(_round(op.service_time_p99))
            entry["service_time"] = st
            entry.yaml_add_eol_comment(f"# span self time of {op.count} spans", "service_time")
        ops[name] = entry if entry else None
        if op.span_name and op.span_name != name:
            ops.yaml_add_eol_comment(f"# span name {op.span_name!r}", name)
    m["operations"] = ops
    return m


def _policy(edge: EdgeDraft) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in edge.policy.items():
        out[key] = _flow(**value) if isinstance(value, dict) else value
        if isinstance(value, dict) and isinstance(value.get("retry_on"), list):
            seq = CommentedSeq(value["retry_on"])
            seq.fa.set_flow_style()
            out[key]["retry_on"] = seq
    return out


def _calls(builder: ModelBuilder, draft: ServiceDraft, edges: list[EdgeDraft], notes: list[str],
           out: Written) -> tuple[CommentedSeq, dict[str, CommentedSeq]]:
    """(service-level calls, operation → its own calls observed in traces)."""
    calls = CommentedSeq()
    op_calls: dict[str, CommentedSeq] = {}
    traced: set[str] = set()
    for api in draft.apis:
        for op_name, op in api.operations.items():
            if not op.observed:
                continue
            seq = CommentedSeq()
            for tc in sorted(op.calls, key=lambda c: c.start_offset):
                edge = next((e for e in edges if e.caller == draft.name and e.callee == tc.callee), None)
                callee = builder.services.get(tc.callee)
                target = _target(callee, None, tc.operation) if callee else None
                if target is None or edge is None:
                    continue
                item = _flow(to=target, **_policy(edge))
                if abs(tc.per_request - 1.0) > 1e-9:
                    item["per_request"] = _round(tc.per_request)
                seq.append(item)
                seq.yaml_add_eol_comment(_trace_call_comment(tc, edge), len(seq) - 1)
                traced.add(tc.callee)
            op_calls[op_name] = seq
    for edge in edges:
        if edge.caller != draft.name or edge.callee in traced:
            continue
        callee = builder.services[edge.callee]
        target = _target(callee, edge.port)
        if target is None:
            text = (f"TODO call: {edge.callee} ({_edge_comment(edge)[2:]}) has no known port: add its API, "
                    f"then `- {{to: {edge.callee}.OPERATION}}` here")
            notes.append(text)
            out.unwritten_edges.append(f"{edge.caller} → {edge.callee}")
            continue
        calls.append(_flow(to=target, **_policy(edge)))
        comment = _edge_comment(edge)
        if op_calls:
            comment += " (not seen in the traces)"
        calls.yaml_add_eol_comment(comment, len(calls) - 1)
    return calls, op_calls


def _attach_operation_calls(svc: CommentedMap, op_calls: dict[str, CommentedSeq]) -> None:
    for api in svc.get("apis", []):
        ops = api["operations"]
        for name in list(ops):
            if name in op_calls:
                entry = ops[name] if isinstance(ops[name], CommentedMap) else CommentedMap()
                entry["calls"] = op_calls[name]
                ops[name] = entry
