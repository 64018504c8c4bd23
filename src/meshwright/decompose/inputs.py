"""Find and read whatever inputs a path holds: Mono2Micro flows, OTLP/Jaeger JSON, Java, Python."""

from __future__ import annotations

from pathlib import Path

from meshwright.decompose.java_source import java_files, read_java
from meshwright.decompose.monolith import Monolith
from meshwright.decompose.otel import read_trace_json, trace_json_files
from meshwright.decompose.python_source import python_files, read_python
from meshwright.decompose.traces import flow_files, read_flows
from meshwright.errors import UsageError


def read_inputs(path: Path) -> Monolith:
    """Every input found under ``path``, merged into one monolith.

    Raises :class:`UsageError` when ``path`` is missing or holds nothing decomposition reads."""
    if not path.exists():
        raise UsageError(f"{path}: no such file or directory")
    mono = Monolith()
    flows = flow_files(path)
    if flows:
        mono.merge(read_flows(flows))
    spans = trace_json_files(path)
    if spans:
        traced = Monolith()
        for f in spans:
            read_trace_json(f, traced)
        traced.sources.append(f"{len(spans)} OpenTelemetry/Jaeger JSON file(s)")
        mono.merge(traced)
    if path.is_dir() and java_files(path):
        mono.merge(read_java(path))
    if path.is_dir() and python_files(path):
        mono.merge(read_python(path))
    if not mono.class_names():
        raise UsageError(
            f"{path} holds no input decomposition reads: give a directory of Mono2Micro trace "
            "files (flow-*.txt), OTLP/Jaeger JSON traces, Java source (*.java) or Python source (*.py)"
        )
    return mono
