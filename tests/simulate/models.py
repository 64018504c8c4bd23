"""Small models for the simulator's tests, as YAML text."""

from __future__ import annotations

import textwrap

from meshwright.model import load_text
from meshwright.model.types import Model


def model(text: str) -> Model:
    return load_text(textwrap.dedent(text).lstrip("\n"), "test.yaml").model


def mmc(lam: float, mean: float, servers: int) -> Model:
    """One service, c = ``servers`` exponential servers, Poisson arrivals at ``lam``/s."""
    return model(f"""
        meshwright: 1
        system: mmc
        services:
          q:
            availability: 100
            runtime: {{replicas: 1, concurrency: {servers}}}
            apis:
              - name: Q
                port: 80
                operations: {{Op: {{service_time: {{mean: {mean}s, distribution: exponential}}}}}}
        entrypoints:
          - {{operation: q.Op, rate: {lam}}}
        """)


def three_tier(extra_api_call: str = "", web_call: str = "", rate: float = 200) -> Model:
    """web → api → db, each with its own servers; policies injected as YAML flow maps."""
    return model(f"""
        meshwright: 1
        system: three
        services:
          web:
            runtime: {{replicas: 2, concurrency: 50}}
            apis: [{{name: W, port: 80, operations: {{Home: {{service_time: 2ms}}}}}}]
            calls:
              - {{to: api.Get{web_call}}}
            slo: {{availability: 99, latency: {{p99: 300ms}}}}
          api:
            runtime: {{replicas: 2, concurrency: 8}}
            apis: [{{name: A, port: 80, operations: {{Get: {{service_time: {{mean: 5ms, p99: 30ms}}}}}}}}]
            calls:
              - {{to: db.Query{extra_api_call}}}
          db:
            runtime: {{replicas: 2, concurrency: 4}}
            apis: [{{name: D, port: 80, operations: {{Query: {{service_time: 10ms}}}}}}]
        entrypoints:
          - {{operation: web.Home, rate: {rate}}}
        """)
