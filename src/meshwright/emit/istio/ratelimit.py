"""Rate limits as Envoy local rate limits (EnvoyFilter ``envoy.filters.http.local_ratelimit``).

- An entrypoint's ``rate_limit`` is enforced on the ingress gateway, on the gateway route
  that carries the entrypoint (its own route for a gRPC operation; the HTTP API's route,
  shared by the entrypoints of one HTTP API since the model names no paths). The
  EnvoyFilter lives in ``istio-system``, the ingress gateway's namespace (a
  ``workloadSelector`` only selects pods of its own namespace).
- A service's ``rate_limit`` is enforced by the service's sidecar on its inbound API ports.

Envoy's local rate limit counts per proxy: the gateway's bucket is per gateway pod (a comment
on the EnvoyFilter says so), and a service's limit is split evenly over its replicas (exact
at the declared replica count with even load balancing; a note at ``services.<name>.rate_limit``
says what that admits, autoscaled to the maximum included).
"""

from __future__ import annotations

from typing import Any

from meshwright.emit.edge_policy import TokenBucket, bucket_of, fill_interval
from meshwright.emit.istio.naming import INGRESS_SELECTOR, dns_name, namespace
from meshwright.emit.istio.traffic import Rendered, note
from meshwright.emit.kubernetes.labels import selector, system_labels
from meshwright.emit.mesh_notes import MeshNote
from meshwright.model.types import Model, RateLimit

Obj = dict[str, Any]

FILTER = "envoy.filters.http.local_ratelimit"
LOCAL_RATE_LIMIT = "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit"
HCM = "envoy.filters.network.http_connection_manager"
ROUTER = "envoy.filters.http.router"
INGRESS_NAMESPACE = "istio-system"
"""Namespace of Istio's default ingress gateway (istioctl's default profile)."""


def _percent(key: str) -> Obj:
    return {"runtime_key": key, "default_value": {"numerator": 100, "denominator": "HUNDRED"}}


def limiter(bucket: TokenBucket, prefix: str) -> Obj:
    """A LocalRateLimit config: the bucket, enabled and enforced for every request, 429 when empty."""
    return {
        "@type": LOCAL_RATE_LIMIT,
        "stat_prefix": prefix,
        "token_bucket": {
            "max_tokens": bucket.max_tokens,
            "tokens_per_fill": bucket.tokens_per_fill,
            "fill_interval": fill_interval(bucket.fill_ms),
        },
        "filter_enabled": _percent("local_rate_limit_enabled"),
        "filter_enforced": _percent("local_rate_limit_enforced"),
        "response_headers_to_add": [
            {
                "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
                "header": {"key": "x-local-rate-limit", "value": "true"},
            }
        ],
    }


def _insert_filter(context: str, value: Obj, port: int | None = None) -> Obj:
    listener: Obj = {"filterChain": {"filter": {"name": HCM, "subFilter": {"name": ROUTER}}}}
    if port is not None:
        listener = {"portNumber": port, **listener}
    return {
        "applyTo": "HTTP_FILTER",
        "match": {"context": context, "listener": listener},
        "patch": {"operation": "INSERT_BEFORE", "value": {"name": FILTER, "typed_config": value}},
    }


def describe(limit: RateLimit) -> str:
    return f"{limit.rate:g}/s (burst {limit.bucket})"


def gateway_rate_limit(model: Model, routes: dict[str, RateLimit]) -> Rendered:
    """The ingress gateway's EnvoyFilter: the filter, and a bucket on each named gateway route."""
    patches: list[Obj] = [
        _insert_filter("GATEWAY", {"@type": LOCAL_RATE_LIMIT, "stat_prefix": "http_local_rate_limiter"})
    ]
    for route, limit in routes.items():
        patches.append(
            {
                "applyTo": "HTTP_ROUTE",
                "match": {"context": "GATEWAY", "routeConfiguration": {"vhost": {"route": {"name": route}}}},
                "patch": {
                    "operation": "MERGE",
                    "value": {
                        "typed_per_filter_config": {FILTER: limiter(bucket_of(limit), f"{route}_rate_limit")}
                    },
                },
            }
        )
    return Rendered(
        {
            "apiVersion": "networking.istio.io/v1alpha3",
            "kind": "EnvoyFilter",
            "metadata": {
                "name": f"{dns_name(namespace(model))}-ingress-rate-limit",
                "namespace": INGRESS_NAMESPACE,
                "labels": system_labels(model),
            },
            "spec": {"workloadSelector": {"labels": INGRESS_SELECTOR}, "configPatches": patches},
        },
        [
            "entrypoint rate limits, one token bucket per gateway route and per ingress gateway pod",
            f"in {INGRESS_NAMESPACE}: an EnvoyFilter's workloadSelector only selects pods of its namespace",
        ],
    )


def service_rate_limit(model: Model, service: str) -> tuple[Rendered | None, list[MeshNote]]:
    """The service's inbound local rate limit (its share per replica), or None and a note."""
    svc = model.services[service]
    limit = svc.rate_limit
    if limit is None or not svc.apis:
        return None, []
    path = ("services", service, "rate_limit")
    replicas = svc.runtime.replicas
    if replicas < 1:
        return None, [note(path, f"{service}: rate_limit is not rendered: the service runs no replica")]
    bucket = bucket_of(limit, 1 / replicas)
    notes: list[MeshNote] = []
    text = (
        f"{service}: rate_limit {describe(limit)} is enforced per pod by Envoy's local rate limit: "
        f"each of the {replicas} replicas admits {bucket.rate:g}/s (burst {bucket.max_tokens}), exact "
        f"at {replicas} replicas with even load balancing"
    )
    if svc.runtime.autoscale is not None and svc.runtime.autoscale.max > replicas:
        top = svc.runtime.autoscale.max
        text += f"; scaled out to {top} replicas the service admits up to {bucket.rate * top:g}/s"
    if not bucket.exact:
        text += f"; the refill is rounded to {bucket.rate:g}/s per pod"
    notes.append(note(path, text))
    ports = sorted({api.listen_port for api in svc.apis})
    if len(ports) > 1:
        notes.append(
            note(path, f"{service}: each API port ({', '.join(map(str, ports))}) has its own bucket")
        )
    limiter_obj = limiter(bucket, f"{dns_name(service)}_rate_limit")
    rendered = Rendered(
        {
            "apiVersion": "networking.istio.io/v1alpha3",
            "kind": "EnvoyFilter",
            "metadata": {"name": f"{dns_name(service)}-rate-limit", "namespace": namespace(model)},
            "spec": {
                "workloadSelector": {"labels": selector(service)},
                "configPatches": [_insert_filter("SIDECAR_INBOUND", limiter_obj, p) for p in ports],
            },
        },
        [n.message for n in notes],
    )
    return rendered, notes
