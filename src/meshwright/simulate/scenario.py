"""Chaos scenarios: a YAML file of timed faults, parsed with located errors.

    name: zone-outage
    duration: 10m
    events:
      - {at: 60s, for: 30s, action: crash, service: cart, replicas: 2}
      - {at: 2m, for: 1m, action: latency, service: payment, add: 200ms}
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from meshwright.errors import Diagnostic, Location, ModelError, UsageError
from meshwright.model.source import PathKey, SourceMap, load_yaml
from meshwright.model.types import Model
from meshwright.model.units import UNITS_REQUIRED, Duration, Percentage
from meshwright.model.validation_errors import dotted, translate

Action = Literal["crash", "latency", "errors", "slow", "partition", "spike"]

_NEEDS: dict[str, tuple[str, ...]] = {
    "crash": ("service",),
    "latency": ("service", "add"),
    "errors": ("service", "rate"),
    "slow": ("service", "factor"),
    "partition": ("between",),
    "spike": ("multiplier",),
}
_EXAMPLE: dict[str, str] = {
    "service": "service: cart",
    "add": "add: 200ms",
    "rate": "rate: 50   # percent of requests fail",
    "factor": "factor: 3",
    "between": "between: [cart, payment]",
    "multiplier": "multiplier: 5",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class FaultEvent(_Strict):
    """One fault: ``action`` starts at ``at`` and is undone after ``for`` (never, if absent)."""

    at: Duration
    for_: Duration | None = Field(default=None, alias="for")
    action: Action
    service: str | None = Field(
        default=None, description="Target service; for spike, only its entrypoints (default all)."
    )
    replicas: int | None = Field(default=None, ge=1, description="crash: how many (default all).")
    add: Duration | None = Field(default=None, description="latency: added to each request.")
    rate: Percentage | None = Field(default=None, description="errors: percent of requests failing.")
    factor: float | None = Field(default=None, gt=0, description="slow: service-time multiplier.")
    between: list[str] | None = Field(default=None, min_length=2, max_length=2)
    multiplier: float | None = Field(default=None, gt=0, description="spike: traffic multiplier.")

    @model_validator(mode="after")
    def _fields_of_action(self) -> FaultEvent:
        missing = [f for f in _NEEDS[self.action] if getattr(self, f) is None]
        if missing:
            raise ValueError(
                f"action '{self.action}' needs {', '.join(missing)}: add "
                + "; ".join(f"`{_EXAMPLE[m]}`" for m in missing)
            )
        return self

    @property
    def end(self) -> float | None:
        return None if self.for_ is None else self.at + self.for_


class Scenario(_Strict):
    """A named list of faults over a run of ``duration`` (the CLI's --duration wins)."""

    name: str = "scenario"
    description: str = ""
    duration: Duration | None = None
    events: list[FaultEvent] = Field(default_factory=list)

    @property
    def fault_end(self) -> float | None:
        """When the last fault is undone (None without faults or with a permanent one)."""
        if not self.events:
            return None
        ends = [e.end for e in self.events]
        if any(e is None for e in ends):
            return None
        return max(e for e in ends if e is not None)

    @property
    def fault_start(self) -> float | None:
        return min((e.at for e in self.events), default=None)


@dataclass(frozen=True)
class LoadedScenario:
    """A scenario with the source position of each of its elements."""

    scenario: Scenario
    sources: SourceMap = field(default_factory=SourceMap)

    def locate(self, *path: str | int) -> Location:
        return self.sources.locate(tuple(path))


def parse_scenario(text: str, filename: str = "<scenario>") -> LoadedScenario:
    """Parse scenario YAML; raise ModelError with file:line:col for every bad field."""
    raw, smap, diags = load_yaml(text, filename)
    if diags:
        raise ModelError(diags, _OUTCOME)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ModelError(
            [Diagnostic(smap.locate(()), "a scenario must be a mapping", "start with `name: ...`")],
            _OUTCOME,
        )
    try:
        scenario = Scenario.model_validate(raw, context={UNITS_REQUIRED: True})
    except ValidationError as exc:
        raise ModelError(_translate(exc, raw, smap), _OUTCOME) from None
    return LoadedScenario(scenario, smap)


_OUTCOME = "the scenario was not loaded"


def load_scenario(path: str | Path) -> LoadedScenario:
    """Read and parse a scenario file."""
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"{p}: no such scenario file; see examples/scenarios/ for the format")
    return parse_scenario(p.read_text(encoding="utf-8"), str(p))


def check_scenario(loaded: LoadedScenario, model: Model) -> None:
    """Raise ModelError when an event names a service the model does not have."""
    diags: list[Diagnostic] = []
    names = list(model.services)
    for i, ev in enumerate(loaded.scenario.events):
        targets: list[tuple[str, PathKey]] = []
        if ev.service is not None:
            targets.append((ev.service, ("events", i, "service")))
        for j, name in enumerate(ev.between or []):
            targets.append((name, ("events", i, "between", j)))
        if ev.between is not None and ev.between[0] == ev.between[1]:
            diags.append(
                Diagnostic(
                    loaded.sources.locate(("events", i, "between")),
                    f"events[{i}].between names '{ev.between[0]}' twice",
                    "a partition separates two different services, e.g. `between: [cart, payment]`",
                    code="partition-self",
                    path=("events", i, "between"),
                )
            )
        for name, path in targets:
            if name not in model.services:
                match = difflib.get_close_matches(name, names, n=1)
                hint = f"did you mean '{match[0]}'?" if match else "services: " + ", ".join(names)
                diags.append(
                    Diagnostic(
                        loaded.sources.locate(path),
                        f"unknown service '{name}' in {dotted(path)}",
                        hint,
                        code="unknown-service",
                        path=path,
                    )
                )
    if diags:
        raise ModelError(diags, _OUTCOME)


def _translate(exc: ValidationError, raw: Any, smap: SourceMap) -> list[Diagnostic]:
    """Located diagnostics for a scenario, by the model's own translator."""
    return translate(exc, raw, smap, root=Scenario, subject="the scenario")
