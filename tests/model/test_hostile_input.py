"""Hostile input: every command answers in seconds with located errors (exit 2), never a
traceback, a runaway or gigabytes of memory."""

from __future__ import annotations

import copy
import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import dedent
from meshwright.errors import ModelError
from meshwright.model import load_text
from meshwright.model.bounds import MAX_REPLICAS
from meshwright.model.schema import model_json_schema

BOMB = "\n".join(
    ["meshwright: 1", "system: bomb", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
) + "\n"

MODEL = dedent("""
    meshwright: 1
    system: s
    services:
      web:
        runtime: {replicas: 2, memory: 256Mi}
        apis: [{name: W, port: 80, operations: {Home: {service_time: 5ms}}}]
        calls: [{to: api.Get, timeout: 300ms}]
      api:
        apis: [{name: A, port: 81, operations: {Get: {service_time: 2ms}}}]
    entrypoints:
      - {operation: web.Home, rate: 10/s}
    """)

COMMANDS = [
    ["validate"], ["check"], ["analyze"], ["simulate"], ["emit", "kubernetes"], ["build"],
]


def _limit_memory() -> None:  # the child may not grow past 1.5 GB
    resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "meshwright", *args], cwd=cwd, capture_output=True, text=True,
        check=False, timeout=300, preexec_fn=_limit_memory,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_alias_bomb_is_refused_by_every_command(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "bomb.yaml").write_text(BOMB)
    extra = ["-o", "out"] if command[0] in ("emit", "build") else []
    r = run([*command, "bomb.yaml", *extra], tmp_path)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert "bomb.yaml:12:5: error: aliases expand this document to 4,412,961,520 values" in r.stderr
    assert not (tmp_path / "out").exists()


def test_alias_bomb_in_a_scenario_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mesh.yaml").write_text(MODEL)
    (tmp_path / "s.yaml").write_text(BOMB.replace("meshwright: 1\nsystem: bomb\n", ""))
    r = run(["simulate", "mesh.yaml", "-s", "s.yaml"], tmp_path)
    assert r.returncode == 2 and "aliases expand" in r.stderr and "Traceback" not in r.stderr


def test_aliases_of_plain_policies_stay_allowed() -> None:
    text = MODEL.replace("defaults", "x").replace(
        "calls: [{to: api.Get, timeout: 300ms}]",
        "calls: [{to: api.Get, timeout: 300ms, retries: &r {attempts: 2}}]",
    ).replace("apis: [{name: A,", "calls: []\n    apis: [{name: A,")
    retries = load_text(text, "m.yaml").model.services["web"].calls[0].retries
    assert retries is not None and retries.attempts == 2


@pytest.mark.parametrize(
    ("old", "new", "where", "words"),
    [
        ("replicas: 2", "replicas: 100000000000000000000", "m.yaml:5:25",
         f"runtime.replicas must be at most {MAX_REPLICAS:,}"),
        ("replicas: 2", "replicas: 3000000000", "m.yaml:5:25", "must be at most"),
        ("rate: 10/s", "rate: 1000000000000/s", "m.yaml:11:33", "rate is too large"),
        ("memory: 256Mi", "memory: 512", "m.yaml:5:36", "bare number 512 for a memory size"),
        ("memory: 256Mi", "memory: 100Pi", "m.yaml:5:36", "invalid memory quantity"),
        ("memory: 256Mi", "memory: 1000Ti", "m.yaml:5:36", "at most 64Ti"),
        ("timeout: 300ms", "timeout: 300", "m.yaml:7:36", "write 300ms or 300s"),
        ("service_time: 5ms", "service_time: 5", "m.yaml:6:66", "write 5ms or 5s"),
        ("service_time: 2ms", "service_time: 0.002", "m.yaml:9:65", "write 0.002s or 2ms"),
        ("timeout: 300ms", "timeout: 20000d", "m.yaml:7:36", "at most 3650d"),
        ("timeout: 300ms", "timeout: 300ms, per_request: .inf", "m.yaml:7:56",
         "per_request must be at most 10,000"),
        ("timeout: 300ms", "timeout: 300ms, retries: 1000", "m.yaml:7:52",
         "attempts must be at most 100"),
        ("meshwright: 1", "meshwright: 2", "m.yaml:1:13", "unsupported format version 2"),
    ],
)
def test_out_of_range_and_unitless_values_are_located(
    old: str, new: str, where: str, words: str
) -> None:
    text = MODEL.replace(old, new, 1)
    with pytest.raises(ModelError) as info:
        load_text(text, "m.yaml")
    found = [d.format() for d in info.value.diagnostics]
    assert any(f.startswith(where) and words in f for f in found), found


def test_out_of_range_replicas_exit_2_in_check_analyze_emit(tmp_path: Path) -> None:
    (tmp_path / "mesh.yaml").write_text(MODEL.replace("replicas: 2", "replicas: 100000000000000000000"))
    for command in (["check"], ["analyze"], ["emit", "kubernetes"]):
        r = run([*command, "mesh.yaml", "-o", "out"] if command[0] == "emit" else [*command, "mesh.yaml"],
                tmp_path)
        assert r.returncode == 2, (command, r.stderr)
        assert "mesh.yaml:5:25: error: services.web.runtime.replicas must be at most" in r.stderr
    assert not (tmp_path / "out").exists()


RAW_WORDING = ("Input should", "Value error", "Assertion failed", "Unable to parse", "Field required")


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _leaves(v, (*path, k))]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in _leaves(v, (*path, i))]
    return [path]


FULL: dict[str, Any] = {
    "meshwright": 1, "system": "s",
    "platform": {"orchestrator": "kubernetes", "mesh": "none", "telemetry": {"metrics": "prometheus"}},
    "services": {
        "a": {
            "runtime": {"replicas": 2, "cpu": "500m", "memory": "512Mi", "concurrency": 4,
                        "queue_limit": 10, "autoscale": {"min": 1, "max": 4, "cpu_target": 70}},
            "availability": 99.9, "expose": "public",
            "apis": [{"name": "A", "protocol": "http", "port": 80, "operations": {
                "Get": {"idempotent": True, "service_time": {"mean": "5ms", "p99": "20ms"}}}}],
            "calls": [{"to": "b.Get", "timeout": "1s", "per_request": 1,
                       "retries": {"attempts": 2, "backoff": {"base": "10ms", "multiplier": 2},
                                   "budget": {"ratio": 20, "min_per_second": 5}},
                       "circuit_breaker": {"consecutive_errors": 5, "min_requests": 5},
                       "bulkhead": {"max_concurrent": 4, "max_queue": 2},
                       "rate_limit": {"rate": "10/s", "burst": 3}}],
            "slo": {"availability": 99.9, "latency": {"p99": "100ms"}},
        },
        "b": {"apis": [{"name": "B", "port": 81, "operations": {"Get": {}}}], "publishes": ["t"]},
    },
    "topics": {"t": {"partitions": 3, "replication": 3, "retention": "7d"}},
    "entrypoints": [{"operation": "a.Get", "rate": "10/s"}],
}
HOSTILE = [None, True, "x", "k8s", -1, 0, 1.5, 10**20, 1e308, float("inf"), [], {}]


def test_sweep_over_every_field_gives_our_words_and_no_traceback() -> None:
    """Every field of a full model set to every hostile value: located errors in our words."""
    load_text(json.dumps(FULL), "f.yaml")  # the base is valid
    raw_messages = []
    for path in _leaves(FULL):
        for value in HOSTILE:
            data = copy.deepcopy(FULL)
            node = data
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = value
            text = json.dumps(data).replace("Infinity", ".inf")
            try:
                load_text(text, "f.yaml")
            except ModelError as exc:
                for d in exc.diagnostics:
                    assert d.location.file == "f.yaml" and d.location.line >= 1
                    if any(w in d.message or w in d.hint for w in RAW_WORDING):
                        raw_messages.append((path, value, d.message))
    assert raw_messages == []


def test_schema_matches_the_loader_on_units() -> None:
    schema = json.dumps(model_json_schema())
    assert "a bare number is seconds" not in schema
    durations = model_json_schema()["$defs"]["Call"]["properties"]["timeout"]["anyOf"][0]
    assert durations["type"] == "string"


def test_alias_free_document_skips_the_expansion_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk over every node costs a quarter of loading a 10,000-service model; a
    document without an anchor ('&') has no alias to expand and is not walked."""
    from meshwright.model import source

    walked: list[str] = []
    real = source.alias_bomb

    def spy(root: Any, filename: str) -> Any:
        walked.append(filename)
        return real(root, filename)

    monkeypatch.setattr(source, "alias_bomb", spy)
    source.load_yaml("a: 1\nb: [x, y]\n", "plain.yaml")
    assert walked == []
    source.load_yaml("a: &p {x: 1}\nb: *p\n", "anchored.yaml")
    assert walked == ["anchored.yaml"]
