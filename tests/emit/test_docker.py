"""Docker target: a multi-stage, non-root Dockerfile with a health check per language."""

from __future__ import annotations

import re

import pytest

from emit.helpers import check_golden, fixture_model
from meshwright.emit import emit_target
from meshwright.emit.docker import LANGUAGES, dockerfile, healthcheck
from meshwright.model import load_text


def _service(language: str, protocol: str = "http"):  # type: ignore[no-untyped-def]
    return load_text(
        "meshwright: 1\nsystem: s\nservices:\n  api:\n"
        f"    language: {language}\n"
        f"    apis: [{{name: A, protocol: {protocol}, port: 8081, operations: {{Get: {{}}}}}}]\n"
    ).model.services["api"]


@pytest.mark.parametrize("language", [*LANGUAGES, "rust"])
@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_dockerfile_is_multi_stage_non_root_with_healthcheck(language: str, protocol: str) -> None:
    text = dockerfile("api", _service(language, protocol))
    stages = re.findall(r"^FROM .+ AS [\w-]+$", text, re.MULTILINE)
    assert len(stages) >= 1 and len(re.findall(r"^FROM ", text, re.MULTILINE)) >= 2
    assert re.search(r"^USER 10001:10001$", text, re.MULTILINE)
    assert re.search(r"^EXPOSE 8081 9090$", text, re.MULTILINE)  # the API and the metrics port
    assert re.search(r"^ENV METRICS_PORT=9090$", text, re.MULTILINE)
    [check] = re.findall(r"^HEALTHCHECK .* CMD (.+)$", text, re.MULTILINE)
    assert ("grpc_health_probe" in check) == (protocol == "grpc")
    assert "8081" in check
    # the final stage is the one that runs as the user
    assert text.rindex("\nFROM ") < text.index("\nUSER ")


def test_language_picks_the_build_image() -> None:
    assert "FROM golang:" in dockerfile("api", _service("go"))
    assert "dotnet publish" in dockerfile("api", _service("dotnet"))
    assert "ready executable" in dockerfile("api", _service("cobol"))


def test_healthcheck_matches_protocol() -> None:
    assert healthcheck(_service("python"))[:3] == ["CMD", "python", "-c"]  # type: ignore[index]
    assert healthcheck(_service("node", "grpc")) == [
        "CMD",
        "/usr/local/bin/grpc_health_probe",
        "-addr=127.0.0.1:8081",
    ]


def test_golden_files() -> None:
    artifacts = emit_target("docker", fixture_model())
    assert [a.path for a in artifacts] == [
        f"{n}/Dockerfile" for n in ("cart", "checkout", "email", "frontend", "payment")
    ]
    check_golden("minishop/docker", artifacts)
