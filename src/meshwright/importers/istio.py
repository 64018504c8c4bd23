"""Import Istio configuration: routes, call policies and authorization.

- VirtualService: ``timeout`` and ``retries`` of an HTTP route become the policy of every
  call to its hosts (``timeout``, ``mesh_retries``: Istio's ``attempts`` counts retries,
  the model's counts tries, so it is one more); a route bound to a Gateway makes its
  destination public; a route matching ``sourceLabels`` is a call edge from those pods.
- DestinationRule: ``outlierDetection`` → circuit_breaker (``maxEjectionPercent`` →
  ``max_ejection``, Istio's default 10 when unset), ``connectionPool`` → bulkhead.
- AuthorizationPolicy (ALLOW): callers named by service account principal become edges
  and the callee's ``authorization``.
- PeerAuthentication STRICT → mTLS on. Gateway, ServiceEntry, Sidecar: notes only.
"""

from __future__ import annotations

from typing import Any

from meshwright.importers.builder import ApiDraft, Evidence, HostPolicy, ModelBuilder, ServiceDraft, Source
from meshwright.importers.reading import Document
from meshwright.importers.shapes import Shape, text

ISTIO_MAX_EJECTION = 10
"""Istio's default ``outlierDetection.maxEjectionPercent``."""

ISTIO_KINDS = ("VirtualService", "DestinationRule", "AuthorizationPolicy", "Gateway", "ServiceEntry",
               "PeerAuthentication", "Sidecar")


def import_istio_document(builder: ModelBuilder, doc: Document, shape: Shape) -> None:
    builder.platform["mesh"] = "istio"
    kind = shape.kind
    name = text(shape.at("metadata").get("name")) or ""
    if kind == "VirtualService":
        _virtual_service(builder, doc, shape, name)
    elif kind == "DestinationRule":
        _destination_rule(builder, doc, shape, name)
    elif kind == "AuthorizationPolicy":
        _authorization(builder, doc, shape, name)
    elif kind == "PeerAuthentication":
        mode = text(shape.map(shape.at("spec").get("mtls"), "mtls").get("mode"))
        if mode == "STRICT":
            builder.platform["mtls"] = "true"
    elif kind == "ServiceEntry":
        hosts = ", ".join(str(h) for h in shape.seq(shape.at("spec").get("hosts"), "hosts"))
        builder.notes.append(f"{doc.where}: ServiceEntry {name}: external hosts {hosts} (not services)")
    else:
        builder.skip(kind, doc.where)


def _service_for(builder: ModelBuilder, host: str, port: int | None, where: str) -> str | None:
    """The service a route's host reaches; with no other input, a service for the host."""
    if host in ("*", "") or host.startswith("*"):
        return None
    target = builder.name_of(host)
    if target is not None:
        return target
    if any(s.kind != "Istio host" for s in builder.services.values()):
        builder.notes.append(f"{where}: host {host} is no service of the input (skipped)")
        return None
    short = host.split(".", 1)[0]
    draft = builder.add_service(ServiceDraft(short, where, "Istio host"))
    if port is not None and draft.api_for_port(port) is None:
        draft.apis.append(ApiDraft(f"port-{port}", port, where=where))
    return short


def _duration(value: Any) -> str | None:
    return text(value)


def _virtual_service(builder: ModelBuilder, doc: Document, shape: Shape, name: str) -> None:
    spec = shape.at("spec")
    hosts = [str(h) for h in shape.seq(spec.get("hosts"), "spec.hosts")]
    gateways = [str(g) for g in shape.seq(spec.get("gateways"), "spec.gateways")]
    public = any(g != "mesh" for g in gateways)
    for r_index, route in enumerate(shape.maps(spec.get("http"), "spec.http")):
        policy: dict[str, Any] = {}
        if route.get("timeout") is not None:
            policy["timeout"] = _duration(route.get("timeout"))
        retries = shape.map(route.get("retries"), f"spec.http[{r_index}].retries")
        attempts = shape.int_or_none(retries.get("attempts"), "retries.attempts")
        if attempts is not None and attempts > 0:
            mesh: dict[str, Any] = {"attempts": attempts + 1}
            if retries.get("perTryTimeout") is not None:
                mesh["per_try_timeout"] = _duration(retries.get("perTryTimeout"))
            if text(retries.get("retryOn")):
                mesh["retry_on"] = [w.strip() for w in str(retries["retryOn"]).split(",") if w.strip()]
            policy["mesh_retries"] = mesh
        destinations = shape.maps(route.get("route"), f"spec.http[{r_index}].route")
        if len(destinations) > 1:
            builder.notes.append(f"{doc.where}: VirtualService {name} splits traffic over "
                                 f"{len(destinations)} destinations (weights); the model has one "
                                 "version per service")
        sources = [shape.map(m.get("sourceLabels"), "sourceLabels")
                   for m in shape.maps(route.get("match"), "match")]
        for dest in destinations:
            d = shape.map(dest.get("destination"), "destination")
            host = text(d.get("host")) or ""
            port = shape.int_or_none(shape.map(d.get("port"), "port").get("number"), "port.number")
            target = _service_for(builder, host, port, doc.where)
            if target is None:
                continue
            for vs_host in hosts:
                if vs_host not in ("*",) and vs_host.split(".", 1)[0] != target:
                    builder.alias(vs_host.split(".", 1)[0], target)
            if public and target in builder.services and builder.services[target].public is None:
                builder.services[target].public = \
                    f"VirtualService {name} routes Gateway traffic ({doc.where})"
            if policy and not public:
                builder.policies.append(
                    HostPolicy(host, dict(policy), f"VirtualService {name} ({doc.where})"))
            for labels in sources:
                for caller, caller_labels in builder.labels.items():
                    if labels and all(caller_labels.get(str(k)) == str(v) for k, v in labels.items()):
                        builder.edge(caller, host, port,
                                     Evidence(Source.istio_route, f"{name} routes it", doc.where))


def _destination_rule(builder: ModelBuilder, doc: Document, shape: Shape, name: str) -> None:
    spec = shape.at("spec")
    host = text(spec.get("host")) or ""
    traffic = shape.map(spec.get("trafficPolicy"), "trafficPolicy")
    policy: dict[str, Any] = {}
    outlier = shape.map(traffic.get("outlierDetection"), "outlierDetection")
    errors = outlier.get("consecutive5xxErrors", outlier.get("consecutiveErrors"))
    if isinstance(errors, int) and errors > 0:
        breaker: dict[str, Any] = {"consecutive_errors": errors}
        if outlier.get("baseEjectionTime") is not None:
            breaker["open_for"] = _duration(outlier.get("baseEjectionTime"))
        if outlier.get("interval") is not None:
            breaker["window"] = _duration(outlier.get("interval"))
        share = outlier.get("maxEjectionPercent", ISTIO_MAX_EJECTION)
        if isinstance(share, int) and 0 <= share <= 100:
            breaker["max_ejection"] = share
        else:
            builder.notes.append(
                f"{doc.where}: DestinationRule {name}: maxEjectionPercent {share!r} "
                "is no percentage (skipped)"
            )
        policy["circuit_breaker"] = breaker
    pool = shape.map(traffic.get("connectionPool"), "connectionPool")
    http = shape.map(pool.get("http"), "connectionPool.http")
    tcp = shape.map(pool.get("tcp"), "connectionPool.tcp")
    limit = http.get("http2MaxRequests", tcp.get("maxConnections"))
    if isinstance(limit, int) and limit > 0:
        bulkhead: dict[str, Any] = {"max_concurrent": limit}
        pending = http.get("http1MaxPendingRequests")
        if isinstance(pending, int):
            bulkhead["max_queue"] = pending
        policy["bulkhead"] = bulkhead
    subsets = [str(s.get("name")) for s in shape.maps(spec.get("subsets"), "spec.subsets")]
    if subsets:
        builder.notes.append(f"{doc.where}: DestinationRule {name} defines subsets {', '.join(subsets)} "
                             f"of {host}; the model has one version per service")
    if policy:
        builder.policies.append(HostPolicy(host, policy, f"DestinationRule {name} ({doc.where})"))
    _service_for(builder, host, None, doc.where)


def _authorization(builder: ModelBuilder, doc: Document, shape: Shape, name: str) -> None:
    spec = shape.at("spec")
    action = text(spec.get("action")) or "ALLOW"
    labels = shape.map(shape.map(spec.get("selector"), "selector").get("matchLabels"), "matchLabels")
    callees = [n for n, lab in builder.labels.items()
               if labels and all(lab.get(str(k)) == str(v) for k, v in labels.items())]
    if action != "ALLOW":
        builder.notes.append(f"{doc.where}: AuthorizationPolicy {name} is {action}: not imported")
        return
    if not callees:
        builder.notes.append(f"{doc.where}: AuthorizationPolicy {name} selects no workload of the input")
        return
    for rule in shape.maps(spec.get("rules"), "spec.rules"):
        callers: list[str] = []
        anyone = not rule.get("from")
        for src in shape.maps(rule.get("from"), "rules[].from"):
            source = shape.map(src.get("source"), "source")
            for principal in shape.seq(source.get("principals"), "principals"):
                account = str(principal).rsplit("/sa/", 1)[-1]
                if principal == "*":
                    anyone = True
                elif account in builder.accounts:
                    callers.append(builder.accounts[account])
                else:
                    builder.notes.append(f"{doc.where}: principal {principal} is no workload of the input")
        for callee in callees:
            draft = builder.services.get(callee)
            if draft is None:
                continue
            draft.authorization.append((["*"] if anyone else sorted(set(callers)),
                                        f"AuthorizationPolicy {name} ({doc.where})"))
            for caller in callers:
                builder.edge(caller, callee, None,
                             Evidence(Source.authorization_policy, f"{name} allows it", doc.where))
