"""Chaos scenarios: a YAML file of timed faults, parsed with located errors.

    name: zone-outage
    duration: 10m
    events:
      - {at: 60s, for: 30s, action: crash, service: cart, replicas: 2}
      - {at: 2m, for: 1m, action: latency, service: payment, add: 200ms}
"""

from __future__ import annotations

import contextlib
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from meshwright.errors import Diagnostic, Location, ModelError, UsageError
from meshwright.model.bounds import MAX_FACTOR, MAX_REPLICAS
from meshwright.model.source import PathKey, SourceMap, load_yaml
from meshwright.model.types import Model
from meshwright.model.units import UNITS_REQUIRED, Duration, Percentage, format_duration, parse_duration
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
    replicas: int | None = Field(
        default=None, ge=1, le=MAX_REPLICAS, description="crash: how many (default all)."
    )
    add: Duration | None = Field(default=None, description="latency: added to each request.")
    rate: Percentage | None = Field(default=None, description="errors: percent of requests failing.")
    factor: float | None = Field(
        default=None, gt=0, le=MAX_FACTOR, description="slow: service-time multiplier."
    )
    between: list[str] | None = Field(default=None, min_length=2, max_length=2)
    multiplier: float | None = Field(
        default=None, gt=0, le=MAX_FACTOR, description="spike: traffic multiplier."
    )

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


def parse_scenario(
    text: str,
    filename: str = "<scenario>",
    model: Model | None = None,
    duration: float | None = None,
    default_duration: float | None = None,
) -> LoadedScenario:
    """Parse scenario YAML; raise ModelError with file:line:col for every problem at once.

    With ``model``, event targets are checked against it (see :func:`check_scenario`);
    ``duration`` is the run's length when the command line sets it (else the scenario's),
    and an event at or after the end of the run is an error, since it would never fire;
    ``default_duration`` is the length of a run when neither sets one."""
    raw, smap, diags = load_yaml(text, filename)
    if diags:
        raise ModelError(diags, _OUTCOME)
    if raw is None or raw == {}:
        raise ModelError(
            [
                Diagnostic(
                    smap.locate(()),
                    "the scenario is empty",
                    "write `events:` with at least one fault, e.g. "
                    "`- {at: 60s, for: 30s, action: crash, service: NAME}`; "
                    "for a run without faults leave out --scenario",
                    code="empty",
                )
            ],
            _OUTCOME,
        )
    if not isinstance(raw, dict):
        raise ModelError(
            [Diagnostic(smap.locate(()), "a scenario must be a mapping", "start with `name: ...`")],
            _OUTCOME,
        )
    context = {UNITS_REQUIRED: True}
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(raw, context=context)
    except ValidationError as exc:
        diags.extend(_translate(exc, raw, smap))
    events: list[tuple[int, FaultEvent]] = []
    if scenario is not None:
        events = list(enumerate(scenario.events))
    elif isinstance(raw.get("events"), list):  # check the events that are valid on their own
        for i, item in enumerate(raw["events"]):
            with contextlib.suppress(ValidationError):  # its errors are reported above
                events.append((i, FaultEvent.model_validate(item, context=context)))
    own = _own_duration(raw)
    end = duration if duration is not None else own if own is not None else default_duration
    diags.extend(_event_diagnostics(events, smap, model, end))
    if diags or scenario is None:
        raise ModelError(diags, _OUTCOME)
    if not scenario.events:
        raise ModelError(
            [
                Diagnostic(
                    smap.locate(("events",)) if "events" in raw else smap.locate(()),
                    "the scenario has no events",
                    "add a fault under `events:`, e.g. "
                    "`- {at: 60s, for: 30s, action: crash, service: NAME}`; "
                    "for a run without faults leave out --scenario",
                    code="empty",
                )
            ],
            _OUTCOME,
        )
    return LoadedScenario(scenario, smap)


def _own_duration(raw: dict[str, Any]) -> float | None:
    try:
        return parse_duration(raw["duration"]) if isinstance(raw.get("duration"), str) else None
    except ValueError:
        return None


_OUTCOME = "the scenario was not loaded"


def load_scenario(
    path: str | Path,
    model: Model | None = None,
    duration: float | None = None,
    default_duration: float | None = None,
) -> LoadedScenario:
    """Read and parse a scenario file (see :func:`parse_scenario`)."""
    p = Path(path)
    if p.is_dir():
        files = sorted(q.name for q in p.glob("*.y*ml"))
        listed = f" (it holds {', '.join(files)})" if files else ""
        raise UsageError(
            f"{p} is a directory; --scenario takes one scenario file{listed}, "
            f"e.g. --scenario {p / (files[0] if files else 'chaos.yaml')}"
        )
    if not p.is_file():
        raise UsageError(
            f"{p}: no such scenario file; a scenario is a YAML file such as\n"
            "  name: blip\n  duration: 3m\n  events:\n"
            "    - {at: 60s, for: 30s, action: crash, service: cart, replicas: 2}"
        )
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ModelError(
            [Diagnostic(Location(str(p), 1, 1), "file is not UTF-8 text", "save it as UTF-8")],
            _OUTCOME,
        ) from None
    return parse_scenario(text, str(p), model, duration, default_duration)


def check_scenario(loaded: LoadedScenario, model: Model, duration: float | None = None) -> None:
    """Raise ModelError when an event names a service the model does not have, crashes
    more replicas than the service runs, or starts at or after the end of the run
    (``duration``, else the scenario's own)."""
    end = duration if duration is not None else loaded.scenario.duration
    diags = _event_diagnostics(list(enumerate(loaded.scenario.events)), loaded.sources, model, end)
    if diags:
        raise ModelError(diags, _OUTCOME)


def _event_diagnostics(
    events: list[tuple[int, FaultEvent]], smap: SourceMap, model: Model | None, end: float | None
) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    for i, ev in events:
        if end is not None and ev.at >= end:
            diags.append(
                Diagnostic(
                    smap.locate(("events", i, "at")),
                    f"events[{i}] starts at {format_duration(ev.at)}, at or after the end of the "
                    f"run ({format_duration(end)}), so it would never happen",
                    f"start it before {format_duration(end)}, or run longer "
                    f"(`duration:` in the scenario, or --duration)",
                    code="after-end",
                    path=("events", i, "at"),
                )
            )
        if model is not None:
            diags.extend(_target_diagnostics(i, ev, smap, model))
    return diags


def _target_diagnostics(i: int, ev: FaultEvent, smap: SourceMap, model: Model) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    names = list(model.services)
    targets: list[tuple[str, PathKey]] = []
    if ev.service is not None:
        targets.append((ev.service, ("events", i, "service")))
    for j, name in enumerate(ev.between or []):
        targets.append((name, ("events", i, "between", j)))
    if ev.between is not None and ev.between[0] == ev.between[1]:
        diags.append(
            Diagnostic(
                smap.locate(("events", i, "between")),
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
                    smap.locate(path),
                    f"unknown service '{name}' in {dotted(path)}",
                    hint,
                    code="unknown-service",
                    path=path,
                )
            )
    svc = model.services.get(ev.service or "")
    if ev.action == "crash" and ev.replicas is not None and svc is not None:
        runtime = svc.runtime
        most = max(runtime.replicas, runtime.autoscale.max if runtime.autoscale else 0)
        if ev.replicas > most:
            diags.append(
                Diagnostic(
                    smap.locate(("events", i, "replicas")),
                    f"events[{i}] crashes {ev.replicas} replicas of '{ev.service}', which runs "
                    f"at most {most}",
                    f"write `replicas: {most}` (or leave replicas out) to crash them all",
                    code="too-many-replicas",
                    path=("events", i, "replicas"),
                )
            )
    return diags


def _translate(exc: ValidationError, raw: Any, smap: SourceMap) -> list[Diagnostic]:
    """Located diagnostics for a scenario, by the model's own translator."""
    return translate(exc, raw, smap, root=Scenario, subject="the scenario")
