"""The meshwright model: one typed description of a microservice system.

Field names follow DESIGN.md ("The model, by example"). Policies are small frozen types
that accept a shorthand (``timeout: 1s``, ``retries: 3``, ``bulkhead: 40``) or the full
form, like httpx's ``Timeout``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema as cs

from meshwright.model import bounds as B
from meshwright.model.payload import PayloadSchema, check_payload_schema
from meshwright.model.units import Cpu, Duration, Memory, Percentage, Rate

FORMAT_VERSION = 1
_CONFIG_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


class Strict(BaseModel):
    """Base of every model type: unknown keys are errors, values are immutable.

    A subclass that accepts a shorthand (``retries: 3``) names its JSON Schema in
    ``shorthand_schema`` so editors accept it too.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    shorthand_schema: ClassVar[dict[str, Any] | None] = None

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: cs.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        if cls.shorthand_schema is not None:
            return {"anyOf": [cls.shorthand_schema, schema]}
        return schema


_DURATION_TEXT: dict[str, Any] = {"type": ["string", "number"], "description": "shorthand: a duration"}
_NULL: dict[str, Any] = {"type": "null"}


class Nullable(Strict):
    """A mapping whose every field has a default: ``name:`` alone (null) means all defaults."""

    shorthand_schema = _NULL

    @model_validator(mode="before")
    @classmethod
    def _null_is_empty(cls, data: Any) -> Any:
        return {} if data is None else data


Suppressions = dict[str, str]
"""Rule code → the reason a finding is accepted, e.g. ``{MW203: "batch job, no SLO"}``."""


# --------------------------------------------------------------------------- platform


class Orchestrator(StrEnum):
    kubernetes = "kubernetes"
    compose = "compose"


class Mesh(StrEnum):
    istio = "istio"
    linkerd = "linkerd"
    consul = "consul"
    none = "none"


class Broker(StrEnum):
    kafka = "kafka"
    rabbitmq = "rabbitmq"
    none = "none"


class Discovery(StrEnum):
    kubernetes = "kubernetes"
    consul = "consul"
    etcd = "etcd"


class SecretStore(StrEnum):
    vault = "vault"
    kubernetes = "kubernetes"


class SecretsDelivery(StrEnum):
    """How Vault secrets reach the pods (``platform.secrets: vault`` only)."""

    operator = "operator"
    external_secrets = "external-secrets"
    agent = "agent"


class Telemetry(Strict):
    metrics: Literal["prometheus", "none"] = "prometheus"
    dashboards: Literal["grafana", "none"] = "grafana"
    tracing: Literal["jaeger", "zipkin", "none"] = "jaeger"
    logs: Literal["elasticsearch", "none"] = "elasticsearch"
    log_retention: Duration = Field(7 * 86400.0, description="How long Elasticsearch keeps logs.")


class Platform(Strict):
    orchestrator: Orchestrator = Field(
        Orchestrator.kubernetes,
        description=(
            "Where services run; chooses what `build` deploys with: kubernetes (Kustomize, "
            "Helm, Strimzi topics, Gateway API, plus compose.yaml for local runs) or compose "
            "(compose.yaml and Dockerfiles only; Istio and Linkerd need Kubernetes)."
        ),
    )
    mesh: Mesh = Field(Mesh.none, description="Service mesh carrying service-to-service calls.")
    broker: Broker = Field(Broker.none, description="Message broker for topics.")
    discovery: Discovery = Field(
        Discovery.kubernetes,
        description=(
            "Service discovery: kubernetes (cluster DNS), consul (`build` writes the Consul "
            "config entries) or etcd (`build` writes the etcd key layout)."
        ),
    )
    secrets: SecretStore = Field(SecretStore.kubernetes, description="Where secret values live.")
    secrets_delivery: SecretsDelivery | None = Field(
        default=None,
        description=(
            "With secrets: vault, how secrets reach the pods: operator (Vault Secrets "
            "Operator, the default), external-secrets (External Secrets Operator) or agent "
            "(Vault Agent injector annotations on the Deployments)."
        ),
    )
    telemetry: Telemetry = Field(Telemetry(), description="Metrics, dashboards, tracing, logs.")
    mtls: bool | None = Field(
        default=None,
        description="Mutual TLS between services; defaults to on when a mesh is used.",
    )
    namespace: str | None = Field(default=None, description="Kubernetes namespace; default: system.")
    kubernetes_version: str = "1.30"

    @field_validator("mesh")
    @classmethod
    def _mesh_runs_on_the_orchestrator(cls, value: Mesh, info: ValidationInfo) -> Mesh:
        orchestrator = info.data.get("orchestrator")
        if orchestrator is Orchestrator.compose and value in (Mesh.istio, Mesh.linkerd):
            raise ValueError(
                f"mesh {value.value} runs only on Kubernetes, but orchestrator is compose: "
                f"write `orchestrator: kubernetes`, or `mesh: consul` (runs beside compose) or "
                f"`mesh: none`"
            )
        return value

    @field_validator("discovery")
    @classmethod
    def _discovery_fits_orchestrator_and_mesh(
        cls, value: Discovery, info: ValidationInfo
    ) -> Discovery:
        orchestrator, mesh = info.data.get("orchestrator"), info.data.get("mesh")
        if orchestrator is Orchestrator.compose and value is Discovery.kubernetes:
            raise ValueError(
                "discovery kubernetes needs orchestrator kubernetes, but orchestrator is "
                "compose: write `discovery: consul` or `discovery: etcd`, or leave discovery "
                "out (compose's own DNS)"
            )
        if mesh is Mesh.consul and value is Discovery.etcd:
            raise ValueError(
                "discovery etcd with mesh consul: Consul's mesh finds services through its own "
                "catalog, so etcd would be a second registry: write `discovery: consul`, or "
                "choose another mesh"
            )
        return value

    @property
    def on_kubernetes(self) -> bool:
        """True when services run on Kubernetes: ``build`` then writes the Kubernetes targets
        (Kustomize, Helm, Strimzi, Gateway API); with ``compose`` it writes compose.yaml and
        the Dockerfiles instead."""
        return self.orchestrator is Orchestrator.kubernetes

    @field_validator("secrets_delivery")
    @classmethod
    def _delivery_needs_vault(
        cls, value: SecretsDelivery | None, info: ValidationInfo
    ) -> SecretsDelivery | None:
        if "secrets" not in info.data:
            return value  # `secrets` itself is invalid: that error is reported
        if value is not None and info.data["secrets"] is not SecretStore.vault:
            raise ValueError(
                "secrets_delivery applies only to `secrets: vault`: remove it, or set "
                "`secrets: vault`"
            )
        return value

    @property
    def vault_delivery(self) -> SecretsDelivery | None:
        """How Vault secrets reach the pods; None when secrets are not in Vault."""
        if self.secrets is not SecretStore.vault:
            return None
        return self.secrets_delivery or SecretsDelivery.operator

    @property
    def mtls_enabled(self) -> bool:
        """mTLS as configured, else on exactly when a mesh is present."""
        return self.mtls if self.mtls is not None else self.mesh is not Mesh.none


# --------------------------------------------------------------------------- policies


class Backoff(Strict):
    shorthand_schema = _DURATION_TEXT
    base: Duration = Field(0.025, description="Wait before the first retry.")
    max: Duration = Field(1.0, description="Longest wait between tries.")
    multiplier: float = Field(
        default=2.0, ge=1.0, le=B.MAX_FACTOR, description="Growth of the wait per retry."
    )
    jitter: Literal["full", "equal", "none"] = Field("full", description="Randomisation of waits.")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str | int | float) and not isinstance(data, bool):
            return {"base": data}
        return data

    def delay(self, retry: int) -> float:
        """Upper bound of the wait before retry number ``retry`` (1-based), before jitter."""
        return float(min(self.max, self.base * self.multiplier ** (retry - 1)))


class RetryBudget(Strict):
    shorthand_schema = {"type": ["number", "string"], "description": "shorthand: ratio in percent"}
    ratio: Percentage = Field(description="Retries allowed as a percentage of requests.")
    min_per_second: float = Field(default=10.0, ge=0, le=B.MAX_RATE)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str | int | float) and not isinstance(data, bool):
            return {"ratio": data}
        return data


RetryOn = Literal[
    "5xx", "gateway_error", "reset", "connect_failure", "refused", "unavailable", "timeout",
    "rate_limited",
]
"""The retry_on vocabulary; what each word retries is defined in ``meshwright.callpolicy``."""
DEFAULT_RETRY_ON: tuple[RetryOn, ...] = ("unavailable", "reset", "5xx")


class Retries(Strict):
    shorthand_schema = {"type": "integer", "minimum": 1, "description": "shorthand: attempts"}
    attempts: int = Field(ge=1, le=B.MAX_ATTEMPTS, description="Total tries, the first one included.")
    per_try_timeout: Duration | None = Field(None, description="Deadline of each single try.")
    backoff: Backoff | None = Field(None, description="Waits between tries.")
    retry_on: list[RetryOn] = Field(
        default_factory=lambda: list(DEFAULT_RETRY_ON),
        description="Failure kinds that trigger a retry (see docs/call-semantics.md).",
    )
    budget: RetryBudget | None = Field(None, description="Cap on retries as a share of requests.")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, int) and not isinstance(data, bool):
            return {"attempts": data}
        return data


class CircuitBreaker(Strict):
    consecutive_errors: int | None = Field(
        default=None, ge=1, le=B.MAX_CALL_COUNT, description="Open after N errors in a row."
    )
    error_rate: Percentage | None = Field(None, description="Open above this error percentage.")
    window: Duration = Field(10.0, description="Window over which error_rate is measured.")
    min_requests: int = Field(
        default=20, ge=1, le=B.MAX_CALL_COUNT, description="Requests needed before error_rate counts."
    )
    open_for: Duration = Field(30.0, description="How long the breaker stays open.")
    half_open_requests: int = Field(
        default=1, ge=1, le=B.MAX_CALL_COUNT, description="Probe requests when half-open."
    )
    max_ejection: Percentage = Field(
        default=100.0,
        description=(
            "Mesh outlier detection: the most of the callee's replicas ejected at once "
            "(Istio maxEjectionPercent; at least one). 100: the whole callee, like the breaker."
        ),
    )

    @model_validator(mode="after")
    def _one_trigger(self) -> CircuitBreaker:
        if self.consecutive_errors is None and self.error_rate is None:
            raise ValueError(
                "a circuit breaker needs a trigger: set consecutive_errors (e.g. 5) "
                "or error_rate (e.g. 50)"
            )
        return self


class Bulkhead(Strict):
    shorthand_schema = {"type": "integer", "minimum": 1, "description": "shorthand: max_concurrent"}
    max_concurrent: int = Field(
        ge=1, le=B.MAX_CALL_COUNT, description="Calls in flight at most; more are rejected."
    )
    max_queue: int = Field(default=0, ge=0, le=B.MAX_QUEUE, description="Calls that may wait for a slot.")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, int) and not isinstance(data, bool):
            return {"max_concurrent": data}
        return data


class RateLimit(Strict):
    shorthand_schema = {"type": ["string", "number"], "description": "shorthand: a rate, e.g. 100/s"}
    rate: Rate = Field(description="Sustained rate allowed.")
    burst: int | None = Field(
        default=None, ge=1, le=B.MAX_CALL_COUNT, description="Token-bucket size; default: 1 s of rate."
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str | int | float) and not isinstance(data, bool):
            return {"rate": data}
        return data

    @property
    def bucket(self) -> int:
        """Token-bucket size: the burst, else one second's worth of tokens."""
        return self.burst if self.burst is not None else max(1, round(self.rate))


class CallPolicy(Strict):
    """The resilience policy of a call; also the shape of ``defaults.call``."""

    timeout: Duration | None = Field(None, description="Overall deadline of the call, retries included.")
    retries: Retries | None = Field(None, description="Application-level retries.")
    circuit_breaker: CircuitBreaker | None = Field(None, description="Stop calling a failing callee.")
    bulkhead: Bulkhead | None = Field(None, description="Cap on concurrent calls to the callee.")
    rate_limit: RateLimit | None = Field(None, description="Client-side rate limit.")
    mesh_retries: Retries | None = Field(
        default=None, description="Retries done by the service mesh's proxy for this call."
    )


class Call(CallPolicy):
    """A synchronous call to ``service.operation``."""

    to: str = Field(description="Target as service.operation.")
    per_request: float = Field(
        default=1.0, gt=0, le=B.MAX_PER_REQUEST, description="Calls per incoming request."
    )
    fallback: str | None = Field(
        default=None,
        description="none | cache | static | service.operation called when this call fails.",
    )
    parallel: str | None = Field(
        default=None, description="Calls that share a group name run concurrently."
    )
    suppress: Suppressions = Field(default_factory=dict)

    @property
    def target_service(self) -> str:
        return self.to.split(".", 1)[0]

    @property
    def target_operation(self) -> str:
        return self.to.split(".", 1)[1] if "." in self.to else ""

    @property
    def has_fallback(self) -> bool:
        return self.fallback not in (None, "none")


# --------------------------------------------------------------------------- services


class ServiceTime(Strict):
    shorthand_schema = {"type": ["string", "number"], "description": "shorthand: the mean"}
    mean: Duration = Field(description="Mean time the operation itself takes (no downstream calls).")
    p99: Duration | None = Field(None, description="99th percentile; fits a lognormal.")
    distribution: Literal["exponential", "lognormal", "deterministic"] | None = Field(
        None, description="Default: lognormal with p99, else exponential."
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str | int | float) and not isinstance(data, bool):
            return {"mean": data}
        return data

    @model_validator(mode="after")
    def _p99_above_mean(self) -> ServiceTime:
        if self.p99 is not None and self.p99 < self.mean:
            raise ValueError("p99 must be at least the mean service time")
        if self.distribution == "lognormal" and self.p99 is None:
            raise ValueError("a lognormal service time needs p99 to fit its shape: add p99")
        return self

    @property
    def kind(self) -> str:
        """The distribution used: explicit, else lognormal when p99 is given, else exponential."""
        if self.distribution:
            return self.distribution
        return "lognormal" if self.p99 is not None else "exponential"


class Operation(Nullable):
    idempotent: bool = Field(False, description="Safe to repeat (retries, compensations).")
    service_time: ServiceTime = Field(ServiceTime(mean=0.005), description="Own processing time.")
    calls: list[Call] | None = Field(
        default=None,
        description="Calls of this operation; when absent, the service's calls apply.",
    )
    writes: list[str] = Field(default_factory=list, description="Datastores this operation writes.")
    publishes: list[str] = Field(default_factory=list, description="Topics this operation publishes.")
    outbox: bool = Field(default=False, description="Events are published via a transactional outbox.")
    request: PayloadSchema | None = Field(
        default=None, description="JSON Schema of the request payload; contracts use it."
    )
    response: PayloadSchema | None = Field(
        default=None, description="JSON Schema of the response payload; contracts use it."
    )
    suppress: Suppressions = Field(default_factory=dict)

    @field_validator("request", "response")
    @classmethod
    def _payload(cls, value: PayloadSchema | None) -> PayloadSchema | None:
        return None if value is None else check_payload_schema(value)


class Api(Strict):
    """Operations served together: over gRPC or HTTP on a port, or as event handlers
    (``protocol: event``, no port) that only consumers invoke."""

    name: str = Field(description="API name, e.g. the gRPC service name.")
    protocol: Literal["grpc", "http", "event"] = Field(
        "http", description="grpc | http | event (handlers of consumed messages, no port)."
    )
    port: int | None = Field(None, ge=1, le=65535, description="Container port (not for event).")
    service_port: int | None = Field(
        None, ge=1, le=65535, description="Port callers use (the Kubernetes Service port); default: port."
    )
    operations: dict[str, Operation] = Field(default_factory=dict, description="Operations by name.")

    @model_validator(mode="after")
    def _port_matches_protocol(self) -> Api:
        if self.protocol == "event" and self.port is not None:
            raise ValueError("an event API has no port: remove `port`, or use protocol grpc or http")
        if self.protocol != "event" and self.port is None:
            raise ValueError(f"a {self.protocol} API needs a port: add `port: 8080` (for example)")
        if self.protocol == "event" and self.service_port is not None:
            raise ValueError("an event API has no service_port: remove it")
        return self

    @property
    def call_port(self) -> int:
        """The port callers connect to: ``service_port``, else the container port."""
        return self.service_port if self.service_port is not None else self.listen_port

    @property
    def listen_port(self) -> int:
        """The port of a networked API (gRPC or HTTP); event APIs have none."""
        if self.port is None:
            raise ValueError(f"API {self.name} ({self.protocol}) has no port")
        return self.port

    @property
    def networked(self) -> bool:
        """Served on a port (gRPC or HTTP), as opposed to event handlers."""
        return self.protocol != "event"



class Autoscale(Strict):
    min: int = Field(ge=0, le=B.MAX_REPLICAS, description="Fewest replicas.")
    max: int = Field(ge=1, le=B.MAX_REPLICAS, description="Most replicas.")
    cpu_target: Percentage = Field(70.0, description="Target CPU utilisation.")
    reaction: Duration = Field(
        default=30.0, description="Delay before a scale-up acts (new replicas start serving)."
    )
    scale_down_stabilization: Duration = Field(
        default=300.0,
        description=(
            "Scale-down stabilisation window: replicas drop only to the highest count "
            "recommended during this window (the HPA's "
            "behavior.scaleDown.stabilizationWindowSeconds)."
        ),
    )


class Runtime(Strict):
    replicas: int = Field(
        default=1, ge=0, le=B.MAX_REPLICAS, description="Instances (the minimum under autoscale)."
    )
    cpu: Cpu | None = Field(None, description="CPU request per replica.")
    memory: Memory | None = Field(None, description="Memory request per replica.")
    cpu_limit: Cpu | None = Field(None, description="CPU limit; default: none.")
    memory_limit: Memory | None = Field(None, description="Memory limit; default: the request.")
    concurrency: int = Field(
        default=16, ge=1, le=B.MAX_CONCURRENCY, description="Requests one replica serves at once."
    )
    queue_limit: int | None = Field(default=None, ge=0, le=B.MAX_QUEUE, description="Bounded request queue.")
    load_balancing: Literal["round_robin", "least_requests", "power_of_two"] = "round_robin"
    autoscale: Autoscale | None = None
    metrics_port: int = Field(
        default=9090,
        ge=1,
        le=65535,
        description="Port of the health (/healthz) and metrics (/metrics) endpoint every workload serves.",
    )


class Datastore(Strict):
    shorthand_schema = {"type": "string", "description": "shorthand: the kind"}

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"kind": data} if isinstance(data, str) else data

    kind: str = Field(description="postgres, mysql, mongodb, redis, cassandra, spanner, ...")
    shared: bool = Field(False, description="Deliberately shared with other services.")
    suppress: Suppressions = Field(default_factory=dict)


class Consume(Strict):
    shorthand_schema = {"type": "string", "description": "shorthand: the topic"}
    topic: str = Field(description="Topic consumed.")
    group: str | None = Field(None, description="Consumer group; default: the service name.")
    operation: str | None = Field(default=None, description="Operation handling each message.")
    dead_letter: str | None = Field(default=None, description="Topic for poison messages.")
    idempotent: bool = Field(False, description="Handling a message twice is harmless.")
    suppress: Suppressions = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"topic": data}
        return data


class Secret(Strict):
    shorthand_schema = {"type": "string", "description": "shorthand: the secret's name"}
    name: str
    path: str | None = Field(default=None, description="Path in the secret store.")
    value: str | None = Field(
        default=None, description="An inline value: never do this; the review flags it."
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"name": data}
        return data


class LatencyObjective(Strict):
    p50: Duration | None = None
    p95: Duration | None = None
    p99: Duration | None = None


class Slo(Strict):
    availability: Percentage | None = None
    latency: LatencyObjective | None = None
    window: Duration = 30 * 86400.0
    min_bad_requests: int = Field(
        default=5,
        ge=1,
        le=1_000_000,
        description=(
            "Low-traffic guard: a burn-rate alert fires only when its short window holds at "
            "least this many bad requests, so a lone failure of a quiet service never pages."
        ),
    )


class AuthorizationRule(Strict):
    allow: list[str] = Field(description='Callers allowed: service names, or "*" for anyone.')
    operations: list[str] = Field(default_factory=lambda: ["*"])


class Service(Nullable):
    context: str | None = Field(None, description="Bounded context the service belongs to.")
    description: str = ""
    image: str | None = Field(None, description="Container image.")
    language: str | None = Field(default=None, description="go, java, python, node, dotnet, ...")
    expose: Literal["internal", "public"] = Field("internal", description="Reachable from outside.")
    runtime: Runtime = Field(Runtime(), description="Replicas, resources, concurrency, autoscaling.")
    availability: Percentage = Field(
        default=99.9, description="Intrinsic availability, excluding dependencies."
    )
    apis: list[Api] = Field(default_factory=list, description="APIs the service serves.")
    calls: list[Call] = Field(
        default_factory=list, description="Calls every operation makes (unless it sets its own)."
    )
    datastores: dict[str, Datastore] = Field(default_factory=dict, description="Data it owns.")
    publishes: list[str] = Field(default_factory=list, description="Topics it publishes to.")
    consumes: list[Consume] = Field(default_factory=list, description="Topics it consumes.")
    secrets: list[Secret] = Field(default_factory=list, description="Secrets by name (never values).")
    config: dict[str, str] = Field(default_factory=dict, description="Environment configuration.")
    slo: Slo | None = Field(None, description="Service level objectives.")
    authorization: list[AuthorizationRule] = Field(default_factory=list, description="Who may call.")
    rate_limit: RateLimit | None = Field(default=None, description="Limit on incoming requests.")
    tls: bool = Field(False, description="Serves TLS itself (without a mesh).")
    kubernetes: dict[str, Any] = Field(
        default_factory=dict, description="Strategic-merge patch applied to the Deployment."
    )
    suppress: Suppressions = Field(default_factory=dict)


    @field_validator("config")
    @classmethod
    def _config_keys(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [k for k in value if not _CONFIG_KEY.match(k)]
        if bad:
            raise ValueError(
                f"config key {bad[0]!r} is not a valid variable name: use letters, digits "
                "and '_' (also '-' and '.'), not starting with a digit, e.g. LOG_LEVEL"
            )
        return value

    def operations(self) -> Iterator[tuple[Api, str, Operation]]:
        """Every (api, operation name, operation) of the service."""
        for api in self.apis:
            for name, op in api.operations.items():
                yield api, name, op

    def operation(self, name: str) -> Operation | None:
        for api in self.apis:
            if name in api.operations:
                return api.operations[name]
        return None

    def network_apis(self) -> list[Api]:
        """The APIs served on a port (gRPC or HTTP), without event handlers."""
        return [a for a in self.apis if a.networked]

    def api_of(self, name: str) -> Api | None:
        for api in self.apis:
            if name in api.operations:
                return api
        return None

    def calls_of(self, operation: str) -> list[Call]:
        """Calls made by one operation: its own ``calls`` if set, else the service's."""
        op = self.operation(operation)
        if op is not None and op.calls is not None:
            return op.calls
        return self.calls

    def all_calls(self) -> list[Call]:
        """Every distinct call any operation of the service makes."""
        seen: list[Call] = list(self.calls)
        for _, _, op in self.operations():
            for call in op.calls or []:
                if call not in seen:
                    seen.append(call)
        return seen


# --------------------------------------------------------------------------- system


class Context(Nullable):
    owner: str | None = Field(None, description="Owning team.")
    description: str = ""
    suppress: Suppressions = Field(default_factory=dict)


class Topic(Nullable):
    partitions: int = Field(default=3, ge=1, le=B.MAX_PARTITIONS)
    replication: int = Field(default=3, ge=1, le=B.MAX_REPLICATION)
    min_insync_replicas: int | None = Field(
        default=None,
        ge=1,
        le=B.MAX_REPLICATION,
        description=(
            "Kafka's min.insync.replicas: replicas that must acknowledge a write; "
            "default: replication - 1 (at least 1)."
        ),
    )
    retention: Duration = Field(7 * 86400.0, description="How long messages are kept.")
    key: str | None = Field(None, description="Partition key field.")
    dead_letter: bool = Field(default=False, description="This topic is a dead-letter topic.")
    message: PayloadSchema | None = Field(
        default=None, description="JSON Schema of the messages' payload; contracts use it."
    )
    suppress: Suppressions = Field(default_factory=dict)

    @field_validator("message")
    @classmethod
    def _payload(cls, value: PayloadSchema | None) -> PayloadSchema | None:
        return None if value is None else check_payload_schema(value)

    @property
    def insync_replicas(self) -> int:
        """Kafka's min.insync.replicas: as declared, else one below the replication factor
        (so a write survives the loss of one broker), at least 1."""
        if self.min_insync_replicas is not None:
            return self.min_insync_replicas
        return max(1, self.replication - 1)


class RateStep(Strict):
    at: Duration = Field(description="Time from the start of a run.")
    rate: Rate = Field(description="Rate from then on.")


class Entrypoint(Strict):
    operation: str = Field(description="service.operation receiving external traffic.")
    rate: Rate = Field(description="Mean request rate.")
    name: str | None = None
    public: bool = Field(True, description="Traffic comes from the internet.")
    rate_limit: RateLimit | None = Field(default=None, description="Limit at the edge (gateway).")
    profile: list[RateStep] = Field(default_factory=list, description="Rate changes over time.")
    suppress: Suppressions = Field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.name or self.operation


class SagaStep(Strict):
    do: str = Field(description="service.operation of the step.")
    compensate: str | None = Field(None, description="service.operation that undoes it.")


class Saga(Strict):
    steps: list[SagaStep] = Field(min_length=1)
    suppress: Suppressions = Field(default_factory=dict)


class Defaults(Strict):
    call: CallPolicy = CallPolicy()


class Model(Strict):
    """A whole system."""

    meshwright: Literal[1] = Field(description="Format version of the model file.")
    system: str = Field(min_length=1, description="Name of the system.")
    description: str = ""
    platform: Platform = Field(Platform(), description="Orchestrator, mesh, broker, telemetry.")
    defaults: Defaults = Field(Defaults(), description="Policies merged into every call.")
    contexts: dict[str, Context] = Field(default_factory=dict, description="Bounded contexts.")
    services: dict[str, Service] = Field(default_factory=dict, description="Services by name.")
    topics: dict[str, Topic] = Field(default_factory=dict, description="Message topics.")
    entrypoints: list[Entrypoint] = Field(default_factory=list, description="External traffic.")
    sagas: dict[str, Saga] = Field(default_factory=dict, description="Distributed transactions.")
    suppress: Suppressions = Field(
        default_factory=dict, description="Rule code → reason, for the whole model."
    )


    def operation(self, ref: str) -> Operation | None:
        """The operation named ``service.operation``, or None."""
        service, _, op = ref.partition(".")
        svc = self.services.get(service)
        return svc.operation(op) if svc else None

    def producers(self, topic: str) -> list[str]:
        """Services that publish to ``topic`` (service level or from an operation)."""
        return self.producers_by_topic().get(topic, [])

    def producers_by_topic(self) -> dict[str, list[str]]:
        """:meth:`producers` of every topic, in one walk over the services."""
        out: dict[str, list[str]] = {}
        for name, svc in self.services.items():
            topics = set(svc.publishes)
            for _, _, op in svc.operations():
                topics.update(op.publishes)
            for t in sorted(topics):
                out.setdefault(t, []).append(name)
        return out

    def consumers(self, topic: str) -> list[str]:
        """Services that consume ``topic``."""
        return self.consumers_by_topic().get(topic, [])

    def consumers_by_topic(self) -> dict[str, list[str]]:
        """:meth:`consumers` of every topic, in one walk over the services."""
        out: dict[str, list[str]] = {}
        for name, svc in self.services.items():
            for t in dict.fromkeys(c.topic for c in svc.consumes):
                out.setdefault(t, []).append(name)
        return out
