"""Helm templates of one service: its base objects with the tunable fields replaced by
Go template expressions over ``.Values.services.<name>``.

Fields are first replaced by markers, the objects are dumped as YAML, and the markers
become template text; so with default values a template renders its base objects again.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from meshwright.emit.yamltext import dump_all

Obj = dict[str, Any]

_INLINE = "__helm_inline__"
_BLOCK = "__helm_block__"
_INLINE_RE = re.compile(r"'?" + _INLINE + r"(.*?)__'?$", re.MULTILINE)
_BLOCK_RE = re.compile(r"^(\s*)(- )?([\w.-]+): '?" + _BLOCK + r"(.*?)__'?$", re.MULTILINE)


def _inline(expr: str) -> str:
    return f"{_INLINE}{{{{ {expr} }}}}__"


def _block(path: str) -> str:
    return f"{_BLOCK}{path}__"


def _mark(obj: Obj) -> Obj:
    obj = copy.deepcopy(obj)
    obj["metadata"]["namespace"] = _inline(".Release.Namespace")
    kind = obj["kind"]
    if kind == "Deployment":
        if "replicas" in obj["spec"]:  # absent under an autoscaler, which owns the count
            obj["spec"]["replicas"] = _inline("$svc.replicas")
        container = obj["spec"]["template"]["spec"]["containers"][0]
        container["image"] = _inline("$svc.image | quote")
        if "resources" in container:
            container["resources"] = _block("$svc.resources")
    elif kind == "ConfigMap":
        obj["data"] = _block("$svc.config")
    elif kind == "HorizontalPodAutoscaler":
        obj["spec"]["minReplicas"] = _inline("$svc.autoscaling.minReplicas")
        obj["spec"]["maxReplicas"] = _inline("$svc.autoscaling.maxReplicas")
        target = obj["spec"]["metrics"][0]["resource"]["target"]
        target["averageUtilization"] = _inline("$svc.autoscaling.targetCPUUtilizationPercentage")
    return obj


def _blocks(match: re.Match[str]) -> str:
    indent, dash, key, expr = match.groups()
    depth = len(indent) + (len(dash) if dash else 0)
    return f"{indent}{dash or ''}{key}:\n{' ' * (depth + 2)}{{{{- toYaml {expr} | nindent {depth + 2} }}}}"


def service_template(values_key: str, objects: list[Obj]) -> str:
    """The template file of one service."""
    text = dump_all(_mark(o) for o in objects)
    text = _BLOCK_RE.sub(_blocks, text)
    text = _INLINE_RE.sub(lambda m: m.group(1), text)
    return f'{{{{- $svc := index .Values.services "{values_key}" }}}}\n{text}'


def plain_template(objects: list[Obj]) -> str:
    """The template file of objects without values (the default-deny policy)."""
    text = dump_all(_mark(o) for o in objects)
    return _INLINE_RE.sub(lambda m: m.group(1), text)
