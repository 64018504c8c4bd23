"""OpenSLO v1 export of the model's SLOs, and import back into ``slo:`` blocks.

Export: per service with an SLO, one ``kind: Service`` document and one ``kind: SLO`` per
objective, with an inline ratio indicator whose queries are the Prometheus queries of
:mod:`.sli` (good/total for latency, bad/total for availability), a rolling time window of
``slo.window`` and ``budgetingMethod: Occurrences``. Annotations
``meshwright.io/objective`` (availability | latency), ``meshwright.io/threshold`` and
``meshwright.io/min-bad-requests`` (the low-traffic guard, when not the default) keep what
OpenSLO has no field for, so the import is exact.

Import (:func:`load_openslo`): every ``kind: SLO`` document becomes part of its service's
``slo:``. Documents written by other tools (Sloth, Pyrra) import too: a latency objective is
recognised by an ``le`` matcher in its good query when the annotations are absent. A
document meshwright cannot express is a located error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from meshwright.analysis.slo_math import QUANTILES
from meshwright.emit.observability.prometheus_rules import SloRules, describe, duration_text
from meshwright.emit.observability.semconv import GRPC, ServerMetric, le_matcher, number, selector
from meshwright.emit.observability.sli import duration, requests_rate
from meshwright.emit.wiring import dns_name
from meshwright.errors import Diagnostic, Location, ModelError
from meshwright.model.types import LatencyObjective, Model, Slo
from meshwright.model.units import format_duration, parse_duration

Obj = dict[str, Any]
API_VERSION = "openslo/v1"
OBJECTIVE_KEY = "meshwright.io/objective"
THRESHOLD_KEY = "meshwright.io/threshold"
MIN_BAD_KEY = "meshwright.io/min-bad-requests"
DEFAULT_MIN_BAD: int = Slo.model_fields["min_bad_requests"].default
WINDOW = "{{.window}}"
"""The window placeholder of the queries (Sloth's and Pyrra's template syntax)."""


def _query_sum(parts: list[str]) -> str:
    return " + ".join(f"({p} or vector(0))" for p in parts)


def _source(query: str) -> Obj:
    return {"metricSource": {"type": "Prometheus", "spec": {"query": query}}}


def _errors(metric: ServerMetric) -> str:
    return f'{metric.status_label}=~"{metric.error_codes}"'


def _window_rate(series: str, sel: str) -> str:
    """``sum(rate(series{...}[{{.window}}]))``: OpenSLO tools fill in the window."""
    return f"sum(rate({series}{sel}[{WINDOW}]))"


def _indicator(rules: SloRules) -> Obj:
    obj = rules.objective
    svc = obj.service
    total = requests_rate(svc, rules.metrics, WINDOW)
    if obj.kind == "availability":
        bad = _query_sum([_window_rate(m.series("count"), selector(svc, _errors(m))) for m in rules.metrics])
        ratio: Obj = {"counter": True, "bad": _source(bad), "total": _source(total)}
    else:
        assert obj.threshold is not None
        threshold = obj.threshold
        good = _query_sum(
            [_window_rate(m.series("bucket"), selector(svc, le_matcher(threshold, m))) for m in rules.metrics]
        )
        ratio = {"counter": True, "good": _source(good), "total": _source(total)}
    return {"metadata": {"name": f"{rules.name}-sli"}, "spec": {"ratioMetric": ratio}}


def slo_document(rules: SloRules) -> Obj:
    """The ``kind: SLO`` document of one objective."""
    obj = rules.objective
    annotations: dict[str, str] = {OBJECTIVE_KEY: obj.kind}
    if obj.threshold is not None:
        annotations[THRESHOLD_KEY] = duration_text(obj.threshold)
    if obj.min_bad_requests != DEFAULT_MIN_BAD:
        annotations[MIN_BAD_KEY] = str(obj.min_bad_requests)
    return {
        "apiVersion": API_VERSION,
        "kind": "SLO",
        "metadata": {"name": rules.name, "displayName": describe(obj), "annotations": annotations},
        "spec": {
            "description": f"{describe(obj)} over {duration(obj.period)}",
            "service": dns_name(obj.service),
            "indicator": _indicator(rules),
            "timeWindow": [{"duration": duration(obj.period), "isRolling": True}],
            "budgetingMethod": "Occurrences",
            "objectives": [{"displayName": describe(obj), "target": float(number(obj.target))}],
        },
    }


def service_document(model: Model, service: str) -> Obj:
    """The ``kind: Service`` document of a service."""
    svc = model.services[service]
    return {
        "apiVersion": API_VERSION,
        "kind": "Service",
        "metadata": {"name": dns_name(service), "displayName": service},
        "spec": {"description": svc.description or f"{service} of {model.system}"},
    }


def documents(model: Model, slos: list[SloRules]) -> dict[str, list[Obj]]:
    """Service name → its OpenSLO documents (Service first, then its SLOs)."""
    out: dict[str, list[Obj]] = {}
    for rules in slos:
        name = rules.objective.service
        out.setdefault(name, [service_document(model, name)]).append(slo_document(rules))
    return out


# --------------------------------------------------------------------------- import


@dataclass
class _Parts:
    availability: float | None = None
    window: float | None = None
    latency: dict[str, float] = field(default_factory=dict)
    min_bad_requests: int | None = None


_LE = re.compile(r'le=~?"([0-9.eE+-]+)')


def _line(node: Any, key: str | None = None) -> tuple[int, int]:
    lc = getattr(node, "lc", None)
    if lc is None:
        return 0, 0
    if key is not None and isinstance(node, CommentedMap) and key in node:
        line, col = lc.key(key)
        return line + 1, col + 1
    return lc.line + 1, lc.col + 1


def _fail(file: str, node: Any, key: str | None, message: str, hint: str) -> ModelError:
    line, col = _line(node, key)
    return ModelError(
        [Diagnostic(Location(file, line, col), message, hint)], "the OpenSLO file was not imported"
    )


def _get(doc: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(doc, dict) or k not in doc:
            return None
        doc = doc[k]
    return doc


def _threshold(file: str, doc: CommentedMap) -> float | None:
    """Latency threshold in seconds from the annotation, else from the good query's ``le``."""
    annotations = _get(doc, "metadata", "annotations")
    if not isinstance(annotations, dict):
        annotations = {}
    if THRESHOLD_KEY in annotations:
        try:
            return parse_duration(str(annotations[THRESHOLD_KEY]))
        except ValueError as exc:
            raise _fail(file, annotations, THRESHOLD_KEY, str(exc), "write a duration such as 300ms") from exc
    if annotations.get(OBJECTIVE_KEY) == "availability":
        return None
    good = _get(doc, "spec", "indicator", "spec", "ratioMetric", "good", "metricSource", "spec", "query")
    match = _LE.search(str(good)) if good else None
    if match is None:
        return None
    value = float(match.group(1))
    return value / GRPC.scale if "_milliseconds" in str(good) else value


def _window(text: str) -> float:
    """Seconds of an OpenSLO duration: the model's units, plus weeks (``4w``)."""
    if text.strip().endswith("w") and text.strip()[:-1].isdigit():
        return int(text.strip()[:-1]) * 7 * 86400.0
    return parse_duration(text)


def _objective(file: str, doc: CommentedMap, parts: _Parts) -> None:
    spec = doc.get("spec")
    if not isinstance(spec, dict):
        raise _fail(
            file, doc, "spec", "an SLO document needs a `spec` mapping", "add spec: {service, objectives}"
        )
    objectives = spec.get("objectives")
    if (
        not isinstance(objectives, list)
        or len(objectives) != 1
        or not isinstance(objectives[0], dict)
        or "target" not in objectives[0]
    ):
        raise _fail(
            file,
            spec,
            "objectives",
            "meshwright imports SLOs with exactly one objective that has a `target`",
            "split the SLO into one document per objective, each with objectives: [{target: 0.999}]",
        )
    raw = objectives[0]["target"]
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 < raw < 1:
        raise _fail(
            file, objectives[0], "target", f"target {raw!r} is not a ratio in (0, 1)", "write e.g. 0.999"
        )
    target = float(raw)
    windows = spec.get("timeWindow")
    if isinstance(windows, list) and windows and "duration" in windows[0]:
        text = str(windows[0]["duration"])
        try:
            window = _window(text)
        except ValueError as exc:
            raise _fail(
                file, windows[0], "duration", f"time window {text!r}: {exc}", "write e.g. 30d"
            ) from exc
        if parts.window is not None and parts.window != window:
            raise _fail(
                file,
                windows[0],
                "duration",
                "the SLOs of one service have different time windows; the model has one `slo.window`",
                "give every SLO of the service the same timeWindow",
            )
        parts.window = window
    _min_bad(file, doc, parts)
    threshold = _threshold(file, doc)
    if threshold is None:
        if parts.availability is not None:
            raise _fail(file, doc, "spec", "a second availability SLO for the same service", "keep one")
        parts.availability = float(number(target * 100))
        return
    names = {q: n for n, q in QUANTILES.items()}
    quantile = names.get(round(target, 6))
    if quantile is None:
        raise _fail(
            file,
            objectives[0],
            "target",
            f"a latency target of {target} is not one the model has (p50, p95, p99)",
            "use target 0.5, 0.95 or 0.99",
        )
    if quantile in parts.latency:
        raise _fail(file, doc, "spec", f"a second {quantile} latency SLO for the same service", "keep one")
    parts.latency[quantile] = threshold


def _min_bad(file: str, doc: CommentedMap, parts: _Parts) -> None:
    """The low-traffic guard of ``meshwright.io/min-bad-requests``, one per service."""
    annotations = _get(doc, "metadata", "annotations")
    if not isinstance(annotations, dict) or MIN_BAD_KEY not in annotations:
        return
    text = str(annotations[MIN_BAD_KEY])
    if not text.isdigit() or int(text) < 1:
        raise _fail(file, annotations, MIN_BAD_KEY, f"{text!r} is not a whole number ≥ 1", "write e.g. '5'")
    value = int(text)
    if parts.min_bad_requests is not None and parts.min_bad_requests != value:
        raise _fail(
            file,
            annotations,
            MIN_BAD_KEY,
            "the SLOs of one service have different min-bad-requests; the model has one",
            "give every SLO of the service the same value",
        )
    parts.min_bad_requests = value


def load_openslo(path: Path) -> dict[str, Slo]:
    """Service name → the ``slo:`` its OpenSLO ``kind: SLO`` documents describe."""
    file = str(path)
    try:
        docs = [d for d in YAML(typ="rt").load_all(path.read_text(encoding="utf-8")) if d is not None]
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(
            [Diagnostic(Location(file), f"cannot read the file: {exc}", "pass an OpenSLO YAML file")]
        ) from exc
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file)
        raise ModelError(
            [Diagnostic(loc, f"not valid YAML: {getattr(exc, 'problem', exc)}", "fix the YAML")]
        ) from exc
    found: dict[str, _Parts] = {}
    for doc in docs:
        if not isinstance(doc, CommentedMap) or doc.get("kind") != "SLO":
            continue
        if doc.get("apiVersion") != API_VERSION:
            raise _fail(
                file,
                doc,
                "apiVersion",
                f"apiVersion {doc.get('apiVersion')!r} is not {API_VERSION}",
                f"write apiVersion: {API_VERSION}",
            )
        service = _get(doc, "spec", "service")
        if not isinstance(service, str) or not service:
            raise _fail(
                file,
                doc.get("spec", doc),
                "service",
                "an SLO needs `spec.service`",
                "name the service it belongs to",
            )
        _objective(file, doc, found.setdefault(service, _Parts()))
    out: dict[str, Slo] = {}
    for service, parts in found.items():
        latency = LatencyObjective(**parts.latency) if parts.latency else None
        kwargs: Obj = {"availability": parts.availability, "latency": latency}
        if parts.window is not None:
            kwargs["window"] = parts.window
        if parts.min_bad_requests is not None:
            kwargs["min_bad_requests"] = parts.min_bad_requests
        out[service] = Slo(**kwargs)
    return out


def slo_block(slo: Slo) -> Obj:
    """A ``slo:`` block as the model writes it (durations as text)."""
    out: Obj = {}
    if slo.availability is not None:
        out["availability"] = slo.availability
    if slo.latency is not None:
        latency = slo.latency
        out["latency"] = {q: format_duration(t) for q in QUANTILES if (t := getattr(latency, q)) is not None}
    out["window"] = format_duration(slo.window)
    if slo.min_bad_requests != DEFAULT_MIN_BAD:
        out["min_bad_requests"] = slo.min_bad_requests
    return out
