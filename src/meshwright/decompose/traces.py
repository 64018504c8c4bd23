"""Read Mono2Micro runtime traces (``flow-*.txt``): one call or return a line.

A line is ``timestamp,use_case,"A calls B",caller,callee`` where caller and callee are
``path:Class:method`` (``<None>:Root:<None>`` for the outside world; an inner class is written
``Outer::Inner``). Return lines (``"B returns to A"``) carry no new information and are skipped.
The use case ``Unknown`` (calls outside any labelled use case) counts the call but no use case.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from meshwright.decompose.monolith import ENTRY, CallEvent, Monolith
from meshwright.errors import Diagnostic, Location, ModelError

UNLABELLED = "Unknown"
FLOW_GLOB = "flow-*.txt"


def _endpoint(text: str) -> tuple[str, str, str] | None:
    """``path:Class:method`` as (path, class, method); None when malformed."""
    path, sep, rest = text.partition(":")
    cls, sep2, method = rest.rpartition(":")
    if not sep or not sep2 or not cls:
        return None
    return ("" if path == "<None>" else path), cls, ("" if method == "<None>" else method)


def read_flow(path: Path, monolith: Monolith | None = None) -> Monolith:
    """Add one flow file's calls and use cases to ``monolith`` (a new one when None).

    Raises :class:`ModelError` with the file and line of the first malformed lines."""
    mono = monolith if monolith is not None else Monolith()
    problems: list[Diagnostic] = []
    stack: list[int] = []  # indices of open calls, innermost last
    first = last = None
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        problem = Diagnostic(Location(str(path)), f"cannot read trace file: {exc.strerror}")
        raise ModelError([problem]) from exc
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split(",")
        ends = (_endpoint(fields[3]), _endpoint(fields[4])) if len(fields) == 5 else (None, None)
        if ends[0] is None or ends[1] is None:
            problems.append(
                Diagnostic(
                    Location(str(path), lineno, 1),
                    "not a Mono2Micro trace line",
                    "write `timestamp,use_case,A calls B,path:Class:method,path:Class:method`",
                )
            )
            if len(problems) >= 5:
                break
            continue
        (a_path, a_cls, a_method), (b_path, b_cls, b_method) = ends[0], ends[1]
        try:
            stamp = int(fields[0])
        except ValueError:
            stamp = None
        if stamp is not None:
            first = stamp if first is None else min(first, stamp)
            last = stamp if last is None else max(last, stamp)
        use_case = fields[1].strip()
        for p, c, m in ((a_path, a_cls, a_method), (b_path, b_cls, b_method)):
            info = mono.cls(c, p)
            if m and c != ENTRY:
                info.methods.add(m)
            if use_case and use_case != UNLABELLED:
                mono.add_use(use_case, c)
        if " calls " in fields[2]:
            parent = _open_call(mono, stack, a_cls)
            mono.events.append(CallEvent(parent, a_cls, a_method, b_cls, b_method))
            stack.append(len(mono.events) - 1)
            if a_cls != b_cls:
                mono.add_call(a_cls, a_method, b_cls, b_method)
        elif " returns to " in fields[2]:
            top = _open_call(mono, stack, a_cls)
            if top >= 0:
                del stack[stack.index(top) :]
    if problems:
        raise ModelError(problems, outcome="the traces were not read")
    if first is not None and last is not None:
        mono.seconds += max(last - first, 0) / 1000.0
    return mono


def _open_call(mono: Monolith, stack: list[int], cls: str) -> int:
    """The innermost open call into ``cls`` (the frame ``cls`` is running in), -1 when none."""
    for index in reversed(stack):
        if mono.events[index].callee == cls:
            return index
    return -1


def flow_files(path: Path) -> list[Path]:
    """The flow files under ``path`` (a file, or a directory searched recursively), sorted."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob(FLOW_GLOB) if p.is_file())


def read_flows(files: Iterable[Path]) -> Monolith:
    """One monolith from several flow files."""
    mono = Monolith()
    count = 0
    for f in files:
        read_flow(f, mono)
        count += 1
    if count:
        mono.sources.append(f"{count} Mono2Micro trace file(s)")
    return mono
