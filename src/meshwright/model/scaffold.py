"""The starter model `meshwright init` writes: small, valid, and commented."""

STARTER_MODEL = """\
# yaml-language-server: $schema=./meshwright.schema.json
# A meshwright model. Validate with `meshwright validate .`; build with `meshwright build . -o out`.
meshwright: 1                 # format version
system: my-system

platform:
  orchestrator: kubernetes    # kubernetes | compose
  mesh: istio                 # istio | linkerd | consul | none
  broker: kafka               # kafka | rabbitmq | none
  secrets: vault              # vault | kubernetes

# Resilience defaults merged into every call that does not set the field itself.
defaults:
  call:
    timeout: 1s
    retries: {attempts: 2, per_try_timeout: 400ms, backoff: {base: 25ms, max: 200ms}}

# Bounded contexts: who owns which part of the domain.
contexts:
  ordering: {owner: team-orders, description: Orders and checkout}
  payments: {owner: team-payments, description: Charging and refunds}

services:
  orders:
    context: ordering
    image: registry.example/my-system/orders:1.0.0
    expose: public
    runtime: {replicas: 3, cpu: 250m, memory: 256Mi, memory_limit: 256Mi, concurrency: 32,
              autoscale: {min: 3, max: 10, cpu_target: 70}}
    availability: 99.95       # intrinsic, excluding dependencies
    apis:
      - name: Orders
        protocol: http        # grpc | http | event (message handlers, no port)
        port: 8080
        operations:
          PlaceOrder:
            idempotent: false
            service_time: {mean: 20ms, p99: 120ms}
            writes: [orders-db]
            publishes: [order-placed]
            outbox: true      # events leave through a transactional outbox
            calls:            # calls of this operation (service-level `calls:` apply to all)
              - to: payments.Charge   # service.operation
                timeout: 450ms        # covers 3 tries x 120ms + backoff
                retries: {attempts: 3, per_try_timeout: 120ms, backoff: {base: 25ms, max: 100ms}}
                # the mesh ejects at most half of payments' replicas (MW702)
                circuit_breaker: {consecutive_errors: 5, open_for: 30s, max_ejection: 50}
          GetOrder: {idempotent: true, service_time: 4ms}
    datastores:
      orders-db: {kind: postgres}
    secrets: [orders-db-password]
    slo:
      availability: 99.9
      latency: {p99: 500ms}

  payments:
    context: payments
    image: registry.example/my-system/payments:1.0.0
    runtime: {replicas: 2, cpu: 250m, memory: 256Mi, memory_limit: 256Mi, concurrency: 32}
    availability: 99.95
    apis:
      - name: Payments
        protocol: grpc
        port: 50051
        operations:
          Charge: {idempotent: true, service_time: {mean: 30ms, p99: 100ms}}
    consumes:
      - {topic: order-placed, group: payments, dead_letter: order-placed-dlq, idempotent: true}
    authorization:
      - {allow: [orders]}     # only orders may call payments
    slo:
      availability: 99.9

topics:
  order-placed: {partitions: 6, replication: 3, retention: 7d, key: order_id}
  order-placed-dlq:
    {partitions: 1, replication: 3, retention: 14d, dead_letter: true,
     # a finding you accept is suppressed with the reason, here MW415 (nobody reads the topic)
     suppress: {MW415: "payments' on-call replays parked orders by hand"}}

# External traffic: which operations receive it, and how much.
entrypoints:
# The model names no HTTP paths, so the gateway counts both limits in one bucket (500/s);
# a suppression says why that is accepted (`meshwright check` reports it otherwise).
  - {operation: orders.PlaceOrder, rate: 50/s, rate_limit: 100/s,
     suppress: {MW703: "one gateway bucket for both order routes is enough to start with"}}
  - {operation: orders.GetOrder, rate: 200/s, rate_limit: 400/s,
     suppress: {MW703: "one gateway bucket for both order routes is enough to start with"}}
"""


def system_name(directory: str) -> str:
    """The system name for a model created in ``directory`` (its last path component), as a
    lower-case DNS label (generated Kubernetes names derive from it); ``my-system`` when the
    name has no letters or digits."""
    import re

    label = re.sub(r"[^a-z0-9]+", "-", directory.lower()).strip("-")[:63].strip("-")
    return label or "my-system"


def starter_model(system: str) -> str:
    """The starter model with ``system`` as the system's name (and in its image names)."""
    return STARTER_MODEL.replace("my-system", system)
