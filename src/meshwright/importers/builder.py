"""The model builder: what every importer learns, with where it learned it.

Importers add services (workloads), datastores, brokers, host aliases and raw edges
(``caller → host``), each with :class:`Evidence`. :meth:`ModelBuilder.resolve` turns raw
edges into call edges between services (or datastore uses), merging the evidence of every
source; the strongest kind of evidence (:class:`Source`, ordered) decides an edge's port
and rates. Nothing is invented: what no input says stays ``None`` and becomes a commented
TODO when written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from meshwright.importers.addresses import hosts_in
from meshwright.importers.wellknown import registry_in


class Source(IntEnum):
    """Kinds of evidence for an edge, weakest first: a later one wins over an earlier."""

    depends_on = 1
    env = 2
    network_policy = 3
    authorization_policy = 4
    istio_route = 5
    trace = 6

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Source.depends_on: "compose depends_on",
    Source.env: "env",
    Source.network_policy: "NetworkPolicy",
    Source.authorization_policy: "AuthorizationPolicy",
    Source.istio_route: "Istio route",
    Source.trace: "traces",
}


@dataclass(frozen=True)
class Evidence:
    """One reason to believe something: its kind, what it says, and where (file:line)."""

    source: Source
    detail: str
    where: str

    def text(self) -> str:
        return f"{self.source.label} {self.detail} ({self.where})"


@dataclass
class OperationDraft:
    """An operation as observed (traces) or a placeholder (``observed=False``)."""

    observed: bool = False
    count: int = 0
    service_time_mean: float | None = None
    service_time_p99: float | None = None
    errors: int = 0
    calls: list[TraceCall] = field(default_factory=list)
    span_name: str = ""


@dataclass
class TraceCall:
    """A call observed in traces from one operation to ``callee.operation``."""

    callee: str
    operation: str
    per_request: float
    start_offset: float
    count: int = 0
    errors: int = 0
    where: str = ""


@dataclass
class ApiDraft:
    name: str
    port: int | None
    protocol: str | None = None
    protocol_from: str = ""
    service_port: int | None = None
    port_name: str = ""
    operations: dict[str, OperationDraft] = field(default_factory=dict)
    where: str = ""


@dataclass
class ServiceDraft:
    """A workload that becomes a service of the model."""

    name: str
    where: str
    kind: str
    image: str | None = None
    replicas: int | None = None
    cpu: str | None = None
    memory: str | None = None
    cpu_limit: str | None = None
    memory_limit: str | None = None
    autoscale: dict[str, Any] | None = None
    apis: list[ApiDraft] = field(default_factory=list)
    config: dict[str, str] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    public: str | None = None
    availability: float | None = None
    authorization: list[tuple[list[str], str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    has_listener: bool = False

    def api_for_port(self, port: int | None) -> ApiDraft | None:
        """The API a caller reaches on ``port`` (service port or container port), else the
        only networked API."""
        if port is not None:
            for api in self.apis:
                if port in (api.service_port, api.port):
                    return api
            return None
        return self.apis[0] if len(self.apis) == 1 else None


@dataclass
class BackingDraft:
    """A datastore or broker recognised from its image."""

    name: str
    role: str
    kind: str
    image: str | None
    where: str


@dataclass
class EdgeDraft:
    """A resolved call edge between two services, with all its evidence."""

    caller: str
    callee: str
    port: int | None
    evidence: list[Evidence]
    policy: dict[str, Any] = field(default_factory=dict)
    policy_from: list[str] = field(default_factory=list)

    @property
    def strongest(self) -> Source:
        return max(e.source for e in self.evidence)


@dataclass
class RawEdge:
    caller: str
    host: str
    port: int | None
    evidence: Evidence


@dataclass
class HostPolicy:
    """Call policy every caller of a host gets (an Istio VirtualService/DestinationRule)."""

    host: str
    policy: dict[str, Any]
    where: str
    caller: str | None = None


@dataclass
class Entrypoint:
    operation: str
    rate: float
    name: str
    where: str


class ModelBuilder:
    """Accumulates what importers find; :meth:`resolve` produces the edges to write."""

    def __init__(self, system: str) -> None:
        self.system = system
        self.services: dict[str, ServiceDraft] = {}
        self.backing: dict[str, BackingDraft] = {}
        self.aliases: dict[str, str] = {}
        self.raw_edges: list[RawEdge] = []
        self.policies: list[HostPolicy] = []
        self.entrypoints: list[Entrypoint] = []
        self.traffic_sources: dict[str, str] = {}
        self.registries: dict[str, str] = {}
        self.platform: dict[str, str] = {}
        self.notes: list[str] = []
        self.skipped: dict[str, list[str]] = {}
        self.inputs: list[str] = []
        self.trace_window: float | None = None
        self.labels: dict[str, dict[str, str]] = {}
        self.accounts: dict[str, str] = {}

    # ---------------------------------------------------------------- adding
    def add_service(self, draft: ServiceDraft) -> ServiceDraft:
        """Add (or merge into) a service; the first definition keeps its fields."""
        known = self.services.get(draft.name)
        if known is None:
            self.services[draft.name] = draft
            return draft
        for api in draft.apis:
            if known.api_for_port(api.port) is None:
                known.apis.append(api)
        return known

    def add_backing(self, name: str, role: str, kind: str, image: str | None, where: str) -> None:
        self.backing.setdefault(name, BackingDraft(name, role, kind, image, where))

    def alias(self, host: str, name: str) -> None:
        """``host`` (a Service name, a DNS name) reaches ``name``."""
        self.aliases.setdefault(host, name)

    def edge(self, caller: str, host: str, port: int | None, evidence: Evidence) -> None:
        self.raw_edges.append(RawEdge(caller, host, port, evidence))

    def env_edges(self, caller: str, env: dict[str, str], where: str) -> None:
        """Edges from configuration values naming hosts; a value naming a registry (Consul,
        etcd) records that the system uses it."""
        for var, value in env.items():
            hosts = hosts_in(var, value)
            registry = registry_in(value) if hosts else None
            if registry:
                self.registries.setdefault(registry, f"{where} ({var})")
            for host, host_port in hosts:
                self.edge(caller, host, host_port, Evidence(Source.env, f"{var}={value}", where))

    def skip(self, kind: str, where: str) -> None:
        self.skipped.setdefault(kind, []).append(where)

    # ---------------------------------------------------------------- resolving
    def name_of(self, host: str) -> str | None:
        """The service, datastore or broker a host name reaches (DNS suffixes dropped)."""
        candidates = [host]
        short = host.split(".", 1)[0]
        if short != host:
            candidates.append(short)
        for cand in candidates:
            target = self.aliases.get(cand, cand)
            if target in self.services or target in self.backing:
                return target
        return None

    @property
    def registry(self) -> str | None:
        """The service registry the system uses, if any (then no edges are guessed)."""
        return next(iter(self.registries), None)

    def resolve(self) -> tuple[list[EdgeDraft], dict[str, list[tuple[str, Evidence]]]]:
        """(call edges between services, backing name → [(user, evidence)]).

        Edges from a service to itself and to hosts no input defines are dropped with a
        note; with a registry in use, env and depends_on evidence is not used (names in
        the configuration are registry keys, not addresses)."""
        edges: dict[tuple[str, str], EdgeDraft] = {}
        uses: dict[str, list[tuple[str, Evidence]]] = {}
        guessed = (Source.env, Source.depends_on)
        for raw in self.raw_edges:
            if raw.caller not in self.services:
                continue
            target = self.name_of(raw.host)
            if target is None:
                self.notes.append(f"{raw.caller}: {raw.evidence.text()} names '{raw.host}', which no "
                                  "input defines: an external dependency, not an edge")
                continue
            if target == raw.caller:
                continue
            if target in self.backing:
                uses.setdefault(target, []).append((raw.caller, raw.evidence))
                continue
            if self.registry and raw.evidence.source in guessed:
                continue
            key = (raw.caller, target)
            known = edges.get(key)
            if known is None:
                edges[key] = EdgeDraft(raw.caller, target, raw.port, [raw.evidence])
                continue
            if raw.evidence not in known.evidence:
                known.evidence.append(raw.evidence)
            if raw.port is not None and (known.port is None or raw.evidence.source >= known.strongest):
                known.port = raw.port
        for edge in edges.values():
            edge.evidence.sort(key=lambda e: -e.source)
            for pol in self.policies:
                if self.name_of(pol.host) == edge.callee and pol.caller in (None, edge.caller):
                    edge.policy.update(pol.policy)
                    edge.policy_from.append(pol.where)
        return sorted(edges.values(), key=lambda e: (e.caller, e.callee)), uses


def find_traffic_sources(builder: ModelBuilder) -> None:
    """Workloads nobody calls, with no port, that only call public services (a load
    generator): traffic sources, not services. They leave ``services`` and their edges
    are kept in ``traffic_sources`` (name → what they call) for the entrypoint TODO."""
    called = {builder.name_of(r.host) for r in builder.raw_edges if r.caller != builder.name_of(r.host)}
    for name, draft in list(builder.services.items()):
        if draft.apis or draft.has_listener or name in called:
            continue
        mine = [r for r in builder.raw_edges if r.caller == name]
        targets = {builder.name_of(r.host) for r in mine} - {None}
        public = {t for t in targets if t in builder.services and builder.services[t].public}
        if targets and targets == public:
            evidence = "; ".join(r.evidence.text() for r in mine if builder.name_of(r.host) in public)
            builder.traffic_sources[name] = f"{draft.kind} {name} ({draft.where}) calls " \
                f"{', '.join(sorted(public))}: {evidence}"
            del builder.services[name]
