"""`meshwright emit TARGET MODEL -o OUT`: write one target's files (or all of them)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from meshwright.console import OutputFormat as Format
from meshwright.console import console, err_console
from meshwright.emit.names import ensure_distinct_names
from meshwright.emit.registry import emit_all, emit_target
from meshwright.model import load_model
from meshwright.output import kept_message, write_tracked

COMMANDS: dict[str, str] = {
    "emit": (
        "Generate platform files from the model: Kubernetes (Kustomize base + dev/prod "
        "overlays), a Helm chart, Dockerfiles, or a compose.yaml; the broker's topology "
        "(kafka, rabbitmq), contracts (asyncapi, openapi, protobuf), Vault policies (vault), "
        "or observability (SLO rules and burn-rate alerts, dashboards, tracing and logging), "
        "the mesh (istio) or the edge as Kubernetes Gateway API resources (gateway)."
    ),
}
"""The commands :func:`register` adds, each with the line `meshwright --help` shows for it;
`meshwright.cli` reads this without importing the module."""


class EmitTarget(StrEnum):
    kubernetes = "kubernetes"
    helm = "helm"
    compose = "compose"
    docker = "docker"
    kafka = "kafka"
    rabbitmq = "rabbitmq"
    asyncapi = "asyncapi"
    openapi = "openapi"
    protobuf = "protobuf"
    vault = "vault"
    observability = "observability"
    istio = "istio"
    consul = "consul"
    linkerd = "linkerd"
    linkerd_profiles = "linkerd-profiles"
    etcd = "etcd"
    gateway = "gateway"
    all = "all"


def emit(
    target: Annotated[
        EmitTarget, typer.Argument(help="What to generate; `all` writes every target under OUT/TARGET/.")
    ],
    path: Annotated[Path, typer.Argument(help="Model file (mesh.yaml) or model directory.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = Path("out"),
    format: Annotated[
        Format, typer.Option("--format", "-f", help="text for people, json for machines.")
    ] = Format.text,
) -> None:
    """Generate platform files from the model: Kubernetes (Kustomize base + dev/prod
    overlays), a Helm chart, Dockerfiles, or a compose.yaml; the broker's topology (kafka,
    rabbitmq), contracts (asyncapi, openapi, protobuf), Vault policies (vault), or
    observability (SLO rules and burn-rate alerts, dashboards, tracing and logging),
    the mesh (istio) or the edge as Kubernetes Gateway API resources (gateway).

    Example: `meshwright emit kubernetes mesh.yaml -o deploy/k8s`, then
    `kubectl apply -k deploy/k8s/overlays/dev`.

    OUT/.meshwright-manifest.json lists the files meshwright wrote; emitting again
    removes those it no longer generates (a removed service's files) unless they were
    edited since. Files of your own in OUT are never touched.
    """
    loaded = load_model(path)
    ensure_distinct_names(loaded)
    model = loaded.model
    artifacts = emit_all(model) if target is EmitTarget.all else emit_target(target.value, model)
    report = write_tracked(out, {f"emit {target.value}": artifacts})
    for warning in report.warnings:
        err_console.print(f"[yellow]warning:[/] {escape(warning)}")
    for stale in report.kept:
        err_console.print(f"[yellow]warning:[/] {escape(kept_message(out, stale))}")
    if format is Format.json:
        data = {
            "target": target.value,
            "out": str(out),
            "files": [a.path for a in artifacts],
            "removed": report.removed,
            "kept": report.kept,
        }
        print(json.dumps(data, indent=2))
        return
    if not artifacts:
        console.print(
            f"[yellow]![/] {target.value}: nothing to write: the model does not select this target "
            "(e.g. kafka needs platform.broker: kafka, vault needs platform.secrets: vault)",
            soft_wrap=True,
        )
        return
    console.print(
        f"[green]✓[/] {target.value}: {len(report.written)} files in {escape(str(out))}/"
        + (f", {len(report.removed)} no longer generated removed" if report.removed else ""),
        soft_wrap=True,
    )
    for art in artifacts:
        console.print(f"  [green]wrote[/] {escape(art.path)}", soft_wrap=True)
    for stale in report.removed:
        console.print(f"  [yellow]removed[/] {escape(stale)} (no longer generated)", soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the `emit` command to the CLI."""
    app.command("emit", short_help=COMMANDS["emit"])(emit)
