"""Typed values of the model: durations, rates, percentages, CPU and memory quantities.

Each type accepts the shorthand a person writes in YAML ("250ms", "50/s", "99.9%",
"500m", "512Mi") and serialises back to the same canonical text, so a model survives a
load → dump → load round trip unchanged.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, ValidationInfo, WithJsonSchema

from meshwright.model.bounds import MAX_CPU, MAX_DURATION, MAX_MEMORY, MAX_RATE

UNITS_REQUIRED = "units_required"
"""Validation-context key: when true (the loader sets it for YAML a person wrote), a bare
number where a duration or memory size is expected is an error, since ``300`` could mean
300 ms or 300 s, 512 bytes or 512 MiB. Python callers may pass plain seconds and bytes.
Rates keep the universal default unit (``50`` is 50/s) and CPU the Kubernetes one
(``2`` is two cores)."""

_DURATION_UNITS: dict[str, float] = {
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "min": 60.0,
    "h": 3600.0,
    "d": 86400.0,
}
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*(us|µs|ms|s|min|m|h|d)\s*$")
_DURATION_PART_RE = re.compile(r"(\d+(?:\.\d+)?)(us|µs|ms|s|min|m|h|d)")

_RATE_UNITS: dict[str, float] = {"s": 1.0, "sec": 1.0, "min": 1 / 60, "m": 1 / 60, "h": 1 / 3600}
_RATE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*/\s*(s|sec|min|m|h)\s*$")

_CPU_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m?)\s*$")
_MEM_UNITS: dict[str, int] = {
    "": 1,
    "k": 1000,
    "M": 1000**2,
    "G": 1000**3,
    "T": 1000**4,
    "Ki": 1024,
    "Mi": 1024**2,
    "Gi": 1024**3,
    "Ti": 1024**4,
}
_MEM_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(Ki|Mi|Gi|Ti|k|M|G|T)?\s*$")


def parse_duration(value: Any) -> float:
    """Seconds from "250ms", "1.5s", "2m", "1h30m", "7d"; a bare number means seconds.

    At most :data:`MAX_DURATION` (ten years)."""
    if type(value) is str:
        return _parse_duration_text(value)
    return _at_most(_parse_duration(value), MAX_DURATION, "duration", "3650d")


@functools.lru_cache(maxsize=10_000)
def _parse_duration_text(value: str) -> float:
    """:func:`parse_duration` of a text, remembered: a large model repeats a few hundred
    duration texts tens of thousands of times. A text that fails raises, and raising is
    not cached, so only texts that parsed are kept."""
    return _at_most(_parse_duration(value), MAX_DURATION, "duration", "3650d")


def _at_most(value: float, bound: float, what: str, bound_text: str) -> float:
    if value > bound:
        raise ValueError(
            f"{what} is too large: at most {bound_text}, far above any real system (a typo?)"
        )
    return value


def _parse_duration(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 250ms, 1.5s, 2m or 7d, not a boolean")
    if isinstance(value, int | float):
        if value < 0 or not math.isfinite(value):
            raise ValueError("a duration must be a finite number ≥ 0")
        return float(value)
    if isinstance(value, str):
        m = _DURATION_RE.match(value)
        if m:
            return float(m.group(1)) * _DURATION_UNITS[m.group(2)]
        compact = value.strip()
        parts = _DURATION_PART_RE.findall(compact)
        if parts and "".join(n + u for n, u in parts) == compact:
            return sum(float(n) * _DURATION_UNITS[u] for n, u in parts)
    raise ValueError(
        f"invalid duration {value!r}: write a number with a unit, e.g. 250ms, 1.5s, 2m, 1h or 7d"
    )


def format_duration(seconds: float) -> str:
    """Canonical text of a duration: the largest unit that keeps the number short."""
    if seconds == 0:
        return "0s"
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("m", 60.0), ("s", 1.0)):
        if seconds >= size and _is_round(seconds / size):
            return f"{_num(seconds / size)}{unit}"
    if seconds >= 1:
        return f"{_num(seconds)}s"
    ms = seconds * 1000
    if ms >= 1:
        return f"{_num(ms)}ms"
    return f"{_num(seconds * 1e6)}us"


def parse_rate(value: Any) -> float:
    """Requests per second from "50/s", "3000/min", "10/h"; a bare number means per second.

    At most :data:`MAX_RATE`."""
    return _at_most(_parse_rate(value), MAX_RATE, "rate", f"{MAX_RATE:.0f}/s")


def _parse_rate(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a rate such as 50/s or 3000/min, not a boolean")
    if isinstance(value, int | float):
        if value < 0 or not math.isfinite(value):
            raise ValueError("a rate must be a finite number ≥ 0")
        return float(value)
    if isinstance(value, str):
        m = _RATE_RE.match(value)
        if m:
            return float(m.group(1)) * _RATE_UNITS[m.group(2)]
    raise ValueError(f"invalid rate {value!r}: write requests per unit of time, e.g. 50/s or 3000/min")


def format_rate(per_second: float) -> str:
    """Canonical text of a rate, per second."""
    return f"{_num(per_second)}/s"


def parse_percentage(value: Any) -> float:
    """A percentage in [0, 100] from 99.95 or "99.95%"."""
    if isinstance(value, bool):
        raise ValueError("expected a percentage such as 99.9, not a boolean")
    number: float | None = None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().removesuffix("%").strip()
        try:
            number = float(text)
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise ValueError(f"invalid percentage {value!r}: write a number from 0 to 100, e.g. 99.9")
    if not 0 <= number <= 100:
        raise ValueError(f"percentage {value!r} is outside 0..100: write e.g. 99.9 for 99.9 %")
    return number


def format_percentage(number: float) -> float:
    """Percentages serialise as plain numbers."""
    return number


def parse_cpu(value: Any) -> float:
    """CPU cores from "500m", "2", 0.5 (Kubernetes quantity rules); a bare number is cores
    (as in Kubernetes). From 1m (the finest Kubernetes step) to :data:`MAX_CPU` cores, or 0."""
    cores = _at_most(_parse_cpu(value), MAX_CPU, "CPU quantity", f"{MAX_CPU:.0f} cores")
    if 0 < cores < 0.001:
        raise ValueError("CPU quantity is below 1m, the smallest Kubernetes step: write 1m or more")
    return cores


def _parse_cpu(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a CPU quantity such as 500m or 2, not a boolean")
    if isinstance(value, int | float):
        if value < 0 or not math.isfinite(value):
            raise ValueError("a CPU quantity must be ≥ 0")
        return float(value)
    if isinstance(value, str):
        m = _CPU_RE.match(value)
        if m:
            number = float(m.group(1))
            return number / 1000 if m.group(2) else number
    raise ValueError(f"invalid CPU quantity {value!r}: write millicores like 500m or cores like 2")


def format_cpu(cores: float) -> str:
    """Canonical CPU text: millicores."""
    return f"{round(cores * 1000)}m"


def parse_memory(value: Any) -> int:
    """Bytes from "512Mi", "1Gi", "300M", or a bare number of bytes; at most 64Ti."""
    size = _parse_memory(value)
    if size > MAX_MEMORY:
        raise ValueError("memory quantity is too large: at most 64Ti")
    return size


def _parse_memory(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("expected a memory quantity such as 512Mi, not a boolean")
    if isinstance(value, int | float):
        if value < 0 or not math.isfinite(value):
            raise ValueError("a memory quantity must be ≥ 0")
        return int(value)
    if isinstance(value, str):
        m = _MEM_RE.match(value)
        if m:
            return round(float(m.group(1)) * _MEM_UNITS[m.group(2) or ""])
    raise ValueError(f"invalid memory quantity {value!r}: write e.g. 256Mi, 1Gi or 500M")


def format_memory(size: int) -> str:
    """Canonical memory text: the largest binary unit that divides the size, else the
    largest decimal one, else kilobytes with a fraction (``1.5k``); always with a unit."""
    for unit in ("Ti", "Gi", "Mi", "Ki", "T", "G", "M", "k"):
        if size and size % _MEM_UNITS[unit] == 0:
            return f"{size // _MEM_UNITS[unit]}{unit}"
    return f"{size / 1000}k"


def _units_required(info: ValidationInfo) -> bool:
    context = info.context
    return isinstance(context, dict) and bool(context.get(UNITS_REQUIRED))


def _bare(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number_text(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def duration_input(value: Any, info: ValidationInfo) -> float:
    """A duration field: units required in written YAML (``300`` → write 300ms or 300s)."""
    if _bare(value) and _units_required(info):
        n = _number_text(value)
        fix = f"{n}s or {value * 1000:g}ms" if 0 < value < 1 else f"{n}ms or {n}s"
        raise ValueError(
            f"bare number {n} for a duration: a duration needs a unit, write {fix} "
            "(also us, m, h, d)"
        )
    return parse_duration(value)


def memory_input(value: Any, info: ValidationInfo) -> int:
    """A memory field: units required in written YAML (``512`` → write 512Mi or 512M)."""
    match = _MEM_RE.match(value) if isinstance(value, str) else None
    unitless = match is not None and not match.group(2)
    if (_bare(value) or unitless) and _units_required(info):
        n = _number_text(value) if _bare(value) else str(value).strip()
        raise ValueError(
            f"bare number {n} for a memory size: write a unit, e.g. {n}Mi or {n}Gi "
            f"(or {n}M, {n}k for powers of 1000)"
        )
    return parse_memory(value)


def _is_round(x: float) -> bool:
    return abs(x - round(x)) < 1e-9


def _num(x: float) -> str:
    if _is_round(x):
        return str(round(x))
    return f"{x:.6g}"


_UNIT = "(us|µs|ms|s|min|m|h|d)"
_DURATION_PATTERN = rf"^\s*((\d+(\.\d+)?|\.\d+)\s*{_UNIT}|(\d+(\.\d+)?{_UNIT})+)\s*$"
"""What :func:`parse_duration` accepts as text, for the JSON Schema."""

Duration = Annotated[
    float,
    BeforeValidator(duration_input),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _DURATION_PATTERN,
            "description": "A duration with its unit: 250ms, 1.5s, 2m, 1h30m or 7d.",
        }
    ),
]
"""Seconds, written as 250ms / 1.5s / 2m / 7d."""

Rate = Annotated[
    float,
    BeforeValidator(parse_rate),
    PlainSerializer(format_rate, return_type=str),
    WithJsonSchema(
        {
            "type": ["string", "number"],
            "pattern": r"^\s*(\d+(\.\d+)?|\.\d+)\s*/\s*(s|sec|min|m|h)\s*$",
            "description": "A rate: 50/s or 3000/min (a bare number is per second).",
        }
    ),
]
"""Per second, written as 50/s or 3000/min."""

Percentage = Annotated[
    float,
    BeforeValidator(parse_percentage),
    WithJsonSchema(
        {
            "type": ["number", "string"],
            "description": "A percentage from 0 to 100, e.g. 99.95.",
        }
    ),
]
"""A percentage in [0, 100]."""

Cpu = Annotated[
    float,
    BeforeValidator(parse_cpu),
    PlainSerializer(format_cpu, return_type=str),
    WithJsonSchema(
        {"type": ["string", "number"], "description": "CPU: 500m (millicores) or 2 (cores)."}
    ),
]
"""CPU cores, written as 500m or 2."""

Memory = Annotated[
    int,
    BeforeValidator(memory_input),
    PlainSerializer(format_memory, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*\d+(\.\d+)?\s*(Ki|Mi|Gi|Ti|k|M|G|T)\s*$",
            "description": "Memory with its unit: 512Mi, 1Gi, 300M.",
        }
    ),
]
"""Bytes, written as 512Mi or 1Gi."""
