"""All analyses of a model in one typed result, reused by the report, checks and simulator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from meshwright.analysis.amplification import AmplifiedPath, path_amplification, retry_storm
from meshwright.analysis.availability import OperationAvailability, composed_availability
from meshwright.analysis.callgraph import call_dag
from meshwright.analysis.capacity import ServiceCapacity, arrival_rates, capacity
from meshwright.analysis.cost import CostResult, Prices, cost
from meshwright.analysis.jsonify import attributes, dumps, jsonable
from meshwright.analysis.latency import DEFAULT_SAMPLES, LatencyResult, latency_distributions
from meshwright.analysis.timeouts import CallBudget, call_budgets
from meshwright.analysis.topics import topic_flow
from meshwright.analysis.wording import plural
from meshwright.model.types import Model


@dataclass(frozen=True)
class AnalysisOptions:
    """Knobs of :func:`analyze`."""

    failure_rate: float = 0.01
    """Per-try failure probability used for retry overhead in arrival rates and capacity."""
    prices: Prices = field(default_factory=Prices)
    samples: int = DEFAULT_SAMPLES
    """Monte Carlo samples per operation for latency quantiles."""
    seed: int = 0
    storm_limit: int = 10
    """Retry storms are computed for this many leaf services (busiest first)."""


@dataclass(frozen=True)
class RetryStorm:
    """Load factors on every service when one leaf service fails completely."""

    failed_service: str
    factors: dict[str, float]
    worst_service: str
    worst_factor: float


@dataclass(frozen=True)
class AnalysisResult:
    """Every section of the analysis of one model."""

    system: str
    options: AnalysisOptions
    entrypoints: list[str]
    """Operations the per-request sections start from: entrypoints, else uncalled operations."""
    availability: dict[str, OperationAvailability]
    latency: dict[str, LatencyResult]
    budgets: list[CallBudget]
    amplification: list[AmplifiedPath]
    storms: list[RetryStorm]
    arrival_rates: dict[str, float]
    capacity: dict[str, ServiceCapacity]
    cost: CostResult
    cycles: list[str]
    """Calls ("caller -> callee") and topic edges ("publisher -> handler (topic t)") that
    close a cycle; cut for the analysis."""

    @property
    def below_slo(self) -> list[OperationAvailability]:
        """Operations whose composed availability misses their service's SLO."""
        return [a for a in self.availability.values() if a.meets_slo is False]

    @property
    def overloaded(self) -> list[str]:
        """Services with utilisation ≥ 1."""
        return [s for s, c in self.capacity.items() if c.overloaded]

    @property
    def deficits(self) -> list[CallBudget]:
        """Calls whose timeout is shorter than their retry schedule needs."""
        return [b for b in self.budgets if b.deficit]

    @property
    def max_amplification(self) -> AmplifiedPath | None:
        return self.amplification[0] if self.amplification else None

    def summary(self) -> str:
        """One line for the build log."""
        amp = self.max_amplification
        return ", ".join(
            [
                f"{plural(len(self.below_slo), 'operation')} below availability SLO",
                plural(len(self.deficits), "timeout deficit"),
                plural(len(self.overloaded), "overloaded service"),
                f"max retry amplification ×{amp.factor:g}" if amp else "no calls",
                f"${self.cost.total_monthly:,.0f}/month",
            ]
        )

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict of every section (non-finite numbers as null)."""
        data: dict[str, Any] = jsonable(self._sections())
        return data

    def json_text(self) -> str:
        """``jsontext.dumps_indented(self.to_json())``, written in one pass."""
        return dumps(self._sections())

    def _sections(self) -> dict[str, Any]:
        """Every field, then the summary (values as they are: JSON-ready on writing)."""
        data = attributes(self)
        data["summary"] = {
            "below_slo": [a.operation for a in self.below_slo],
            "timeout_deficits": len(self.deficits),
            "overloaded": self.overloaded,
            "max_amplification": self.max_amplification,
        }
        return data


def _storm_targets(model: Model, rates: dict[str, float], limit: int) -> list[str]:
    """Leaf services (called, calling nobody), busiest first."""
    declared = call_dag(model).declared
    callers = {e.caller_service for calls in declared.values() for e in calls}
    callees = {e.callee_service for calls in declared.values() for e in calls}
    leaves = [s for s in model.services if s in callees and s not in callers]
    leaves.sort(key=lambda s: -rates.get(s, 0.0))
    return leaves[:limit]


def analyze(model: Model, options: AnalysisOptions | None = None) -> AnalysisResult:
    """Run every analysis section on ``model``."""
    opts = options or AnalysisOptions()
    dag = call_dag(model)
    entries = list(dict.fromkeys(ep.operation for ep in model.entrypoints)) or dag.roots
    caps = capacity(model, failure_rate=opts.failure_rate)
    rates = arrival_rates(model, opts.failure_rate)
    storms = []
    for leaf in _storm_targets(model, rates, opts.storm_limit):
        factors = retry_storm(model, leaf)
        worst = max(factors, key=lambda s: factors[s])
        storms.append(RetryStorm(leaf, factors, worst, factors[worst]))
    return AnalysisResult(
        system=model.system,
        options=opts,
        entrypoints=entries,
        availability=composed_availability(model),
        latency=latency_distributions(
            model, entries, opts.samples, opts.seed, {s: c.queue.wait for s, c in caps.items()}
        ),
        budgets=call_budgets(model),
        amplification=path_amplification(model),
        storms=storms,
        arrival_rates=rates,
        capacity=caps,
        cost=cost(model, opts.prices, capacities=caps),
        cycles=[f"{e.caller} -> {e.callee}" for e in dag.cut]
        + [str(t) for t in topic_flow(model).cut],
    )
