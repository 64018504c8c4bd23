"""Import Kubernetes manifests: workloads → services, Services → APIs and ports, env values,
NetworkPolicies → edges, HPAs → autoscale, well-known images → datastores and brokers.

Inputs: YAML files (multi-document, ``kind: List`` too), directories (every ``*.yaml`` /
``*.yml`` below, sorted), Kustomize directories (rendered with ``kubectl kustomize``) and
rendered Helm output. Kinds that say nothing about services are skipped with a note.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from meshwright.importers.builder import ApiDraft, Evidence, ModelBuilder, ServiceDraft, Source
from meshwright.importers.istio import ISTIO_KINDS, import_istio_document
from meshwright.importers.reading import Document, fail, read_yaml_stream, yaml_stream
from meshwright.importers.shapes import Shape, text
from meshwright.importers.wellknown import classify

WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet")
_QUIET = {"ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "Namespace",
          "PodDisruptionBudget", "Secret", "PersistentVolumeClaim", "Kustomization", "Component"}
"""Kinds with nothing to import (listed in the summary, without a note each)."""
_KUSTOMIZATION = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_MAX_FILES = 5_000


@dataclass
class _Workload:
    name: str
    doc: Document
    shape: Shape
    labels: dict[str, str]
    containers: list[dict[str, Any]]
    pod: dict[str, Any]
    draft: ServiceDraft | None = None
    role: str = "service"
    main_index: int = 0


def documents(paths: list[Path]) -> list[Document]:
    """Every YAML document of the inputs, in order; Kustomize directories rendered."""
    out: list[Document] = []
    for path in paths:
        if path.is_dir():
            if any((path / k).is_file() for k in _KUSTOMIZATION):
                out.extend(_kustomize(path))
                continue
            files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
            if len(files) > _MAX_FILES:
                raise fail(str(path), 0, 0, f"{len(files)} YAML files below this directory",
                           "import the directory holding the manifests, not a whole tree")
            for file in files:
                out.extend(read_yaml_stream(file))
        elif path.exists():
            out.extend(read_yaml_stream(path))
        else:
            raise fail(str(path), 0, 0, "no such file or directory", "check the path")
    expanded: list[Document] = []
    for doc in out:
        if isinstance(doc.data, dict) and doc.data.get("kind") == "List":
            for item in Shape(doc).seq(doc.data.get("items"), "items"):
                expanded.append(Document(item, doc.file, doc.line))
        else:
            expanded.append(doc)
    return expanded


def _kustomize(path: Path) -> list[Document]:
    kubectl = shutil.which("kubectl")
    where = str(next(path / k for k in _KUSTOMIZATION if (path / k).is_file()))
    if kubectl is None:
        raise fail(where, 0, 0, "a Kustomize directory needs kubectl to render it",
                   "install kubectl, or import the output of `kustomize build` instead")
    try:
        run = subprocess.run([kubectl, "kustomize", str(path)], capture_output=True, text=True,
                             timeout=120, check=False)
    except subprocess.TimeoutExpired:
        raise fail(where, 0, 0, "`kubectl kustomize` took more than 120 s", "render it yourself") from None
    if run.returncode != 0:
        message = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "failed"
        quoted = re.search(r'err="(.*)"\s*$', message)  # klog's `E1201 ... "command failed" err="..."`
        message = quoted.group(1) if quoted else message
        raise fail(where, 0, 0, f"`kubectl kustomize {path}` failed: {message}",
                   "fix the kustomization (try `kubectl kustomize` yourself)")
    return yaml_stream(run.stdout, f"{path} (kubectl kustomize)")


def import_kubernetes(builder: ModelBuilder, paths: list[Path], *, only_istio: bool = False) -> None:
    """Add what the manifests at ``paths`` say to ``builder``; with ``only_istio`` (Istio
    input), other kinds are skipped with a note."""
    docs = documents(paths)
    builder.inputs.extend(str(p) for p in paths)
    if only_istio:
        for doc in docs:
            shape = Shape(doc) if isinstance(doc.data, dict) else None
            if shape is not None and shape.kind in ISTIO_KINDS:
                import_istio_document(builder, doc, shape)
            elif shape is not None:
                builder.skip(shape.kind or "(no kind)", doc.where)
                builder.notes.append(f"{doc.where}: {shape.kind} in the Istio input is not imported "
                                     "(import it with `meshwright import kubernetes`)")
        return
    builder.platform.setdefault("orchestrator", "kubernetes")
    workloads: list[_Workload] = []
    services: list[tuple[Document, Shape]] = []
    later: list[tuple[Document, Shape]] = []
    istio: list[tuple[Document, Shape]] = []
    config_maps: dict[str, dict[str, str]] = {}
    namespaces: set[str] = set()
    for doc in docs:
        if not isinstance(doc.data, dict):
            raise fail(doc.file, doc.line, 1, "a Kubernetes document must be a mapping with `kind`",
                       "remove this document or fix its indentation")
        shape = Shape(doc)
        kind = shape.kind
        ns = text(shape.at("metadata").get("namespace"))
        if ns:
            namespaces.add(ns)
        if kind in WORKLOADS:
            workloads.append(_workload(doc, shape))
        elif kind == "Service":
            services.append((doc, shape))
        elif kind == "ConfigMap":
            name = text(shape.at("metadata").get("name")) or ""
            config_maps[name] = {str(k): str(v) for k, v in shape.at("data").items() if text(v) is not None}
        elif kind in ("NetworkPolicy", "HorizontalPodAutoscaler", "Ingress"):
            later.append((doc, shape))
        elif kind in ISTIO_KINDS:
            istio.append((doc, shape))
        else:
            builder.skip(kind or "(no kind)", doc.where)
            if kind and kind not in _QUIET and kind not in ("Job", "CronJob", "Pod"):
                builder.notes.append(f"{doc.where}: kind {kind} is not imported (skipped)")
            elif kind in ("Job", "CronJob", "Pod"):
                builder.notes.append(f"{doc.where}: {kind} is not a long-running service (skipped)")
    if len(namespaces) == 1:
        builder.platform.setdefault("namespace", next(iter(namespaces)))
    for wl in workloads:
        _add_workload(builder, wl, config_maps)
    pods = _Pods(workloads)
    for doc, shape in services:
        _add_service(builder, pods, doc, shape)
    for doc, shape in later:
        if shape.kind == "NetworkPolicy":
            _network_policy(builder, pods, doc, shape)
        elif shape.kind == "HorizontalPodAutoscaler":
            _hpa(builder, doc, shape)
        else:
            _ingress(builder, doc, shape)
    for doc, shape in istio:
        import_istio_document(builder, doc, shape)


def _workload(doc: Document, shape: Shape) -> _Workload:
    name = text(shape.at("metadata").get("name"))
    if not name:
        raise fail(doc.file, doc.line, 1, f"a {shape.kind} without metadata.name", "name it")
    template = shape.at("spec", "template")
    labels = {str(k): str(v) for k, v in shape.map(shape.map(template.get("metadata"), "metadata")
                                                   .get("labels"), "labels").items()}
    pod = shape.map(template.get("spec"), "spec.template.spec")
    containers = shape.maps(pod.get("containers"), "spec.template.spec.containers")
    kept = [i for i, c in enumerate(containers) if c.get("name") not in ("istio-proxy", "linkerd-proxy")]
    return _Workload(name, doc, shape, labels, [containers[i] for i in kept], pod,
                     main_index=kept[0] if kept else 0)


def _quantity(value: Any) -> str | None:
    return text(value)


def _add_workload(builder: ModelBuilder, wl: _Workload, config_maps: dict[str, dict[str, str]]) -> None:
    shape, doc = wl.shape, wl.doc
    main = wl.containers[0] if wl.containers else {}
    image = text(main.get("image"))
    known = classify(image, wl.name)
    if known is not None:
        role, kind = known
        wl.role = role
        if role == "registry":
            builder.registries.setdefault(kind, doc.where)
        else:
            builder.add_backing(wl.name, role, kind, image, doc.where)
        return
    draft = ServiceDraft(wl.name, doc.where, shape.kind, image=image)
    builder.labels[wl.name] = wl.labels
    account = text(wl.pod.get("serviceAccountName"))
    if account and account != "default":
        builder.accounts.setdefault(account, wl.name)
    spec = shape.at("spec")
    if shape.kind == "DaemonSet":
        draft.notes.append("a DaemonSet: one replica per node; replicas are the cluster's node count")
    else:
        draft.replicas = shape.int_or_none(spec.get("replicas"), "spec.replicas")
    res = shape.map(main.get("resources"), "resources")
    requests, limits = shape.map(res.get("requests"), "requests"), shape.map(res.get("limits"), "limits")
    draft.cpu, draft.memory = _quantity(requests.get("cpu")), _quantity(requests.get("memory"))
    draft.cpu_limit, draft.memory_limit = _quantity(limits.get("cpu")), _quantity(limits.get("memory"))
    if len(wl.containers) > 1:
        others = ", ".join(str(c.get("name")) for c in wl.containers[1:])
        draft.notes.append(f"sidecar containers not in the model: {others}")
    for c_index, container in enumerate(wl.containers):
        for port in shape.maps(container.get("ports"), f"containers[{c_index}].ports"):
            number = shape.int_or_none(port.get("containerPort"), "containerPort")
            if number is None or draft.api_for_port(number) is not None:
                continue
            pname = text(port.get("name")) or ""
            api = ApiDraft(pname or f"port-{number}", number, port_name=pname, where=doc.where)
            _protocol_from_name(api, pname, f"container port name '{pname}'")
            draft.apis.append(api)
    _probes(shape, main, draft)
    env: dict[str, str] = {}
    for source in shape.maps(main.get("envFrom"), "envFrom"):
        ref = text(shape.map(source.get("configMapRef"), "configMapRef").get("name"))
        if ref and ref in config_maps:
            env.update(config_maps[ref])
        elif ref:
            draft.notes.append(f"TODO: envFrom ConfigMap '{ref}' is not in the input: its values are unknown")
        sref = text(shape.map(source.get("secretRef"), "secretRef").get("name"))
        if sref:
            draft.secrets.append(sref)
    lines: dict[str, str] = {}
    for index, var in enumerate(shape.maps(main.get("env"), "env")):
        name = text(var.get("name"))
        if not name:
            continue
        value = text(var.get("value"))
        if value is not None:
            env[name] = value
            lines[name] = doc.where_at("spec", "template", "spec", "containers", wl.main_index, "env", index)
            continue
        vfrom = shape.map(var.get("valueFrom"), "valueFrom")
        secret = shape.map(vfrom.get("secretKeyRef"), "secretKeyRef")
        if secret:
            draft.secrets.append(text(secret.get("name")) or name)
        cmref = shape.map(vfrom.get("configMapKeyRef"), "configMapKeyRef")
        if cmref:
            cm, key = text(cmref.get("name")) or "", text(cmref.get("key")) or ""
            if key in config_maps.get(cm, {}):
                env[name] = config_maps[cm][key]
    for name, value in env.items():
        builder.env_edges(wl.name, {name: value}, lines.get(name, doc.where))
    draft.config = {k: v for k, v in env.items() if len(v) <= 1024}
    draft.secrets = sorted(set(draft.secrets))
    wl.draft = builder.add_service(draft)


def _protocol_from_name(api: ApiDraft, name: str, why: str) -> None:
    low = name.lower()
    if low.startswith("grpc"):
        api.protocol, api.protocol_from = "grpc", why
    elif low.startswith(("http", "https")):
        api.protocol, api.protocol_from = "http", why


def _probes(shape: Shape, container: dict[str, Any], draft: ServiceDraft) -> None:
    for key in ("readinessProbe", "livenessProbe", "startupProbe"):
        probe = shape.map(container.get(key), key)
        for kind, protocol in (("grpc", "grpc"), ("httpGet", "http")):
            spec = shape.map(probe.get(kind), f"{key}.{kind}")
            if not spec:
                continue
            port = spec.get("port")
            api = None
            if isinstance(port, int):
                api = draft.api_for_port(port)
            elif isinstance(port, str):
                api = next((a for a in draft.apis if a.port_name == port), None)
            if api is not None and api.protocol is None:
                api.protocol, api.protocol_from = protocol, f"{key} ({kind})"


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(str(k)) == str(v) for k, v in selector.items())


class _Pods:
    """Workloads by pod label, to answer label selectors without a scan of all of them."""

    def __init__(self, workloads: list[_Workload]) -> None:
        self.order = {id(w): i for i, w in enumerate(workloads)}
        self.index: dict[tuple[str, str], list[_Workload]] = {}
        for w in workloads:
            for item in w.labels.items():
                self.index.setdefault(item, []).append(w)

    def select(self, selector: dict[str, Any]) -> list[_Workload]:
        """Workloads whose pods carry every label of ``selector`` (none for an empty one)."""
        if not selector:
            return []
        lists = [self.index.get((str(k), str(v)), []) for k, v in selector.items()]
        first = min(lists, key=len)
        return sorted((w for w in first if _selects(selector, w.labels)), key=lambda w: self.order[id(w)])


def _add_service(builder: ModelBuilder, pods: _Pods, doc: Document, shape: Shape) -> None:
    name = text(shape.at("metadata").get("name")) or ""
    spec = shape.at("spec")
    selector = shape.map(spec.get("selector"), "spec.selector")
    targets = pods.select(selector)
    if not targets:
        builder.notes.append(f"{doc.where}: Service {name} selects no workload of the input (skipped)")
        return
    wl = targets[0]
    builder.alias(name, wl.name)
    if wl.draft is None:
        return
    draft = wl.draft
    draft.has_listener = True
    kind = text(spec.get("type")) or "ClusterIP"
    if kind in ("LoadBalancer", "NodePort") and draft.public is None:
        draft.public = f"Service {name} is type {kind} ({doc.where})"
    for port in shape.maps(spec.get("ports"), "spec.ports"):
        number = shape.int_or_none(port.get("port"), "spec.ports[].port")
        if number is None:
            continue
        target = port.get("targetPort", number)
        if isinstance(target, str) and not target.isdigit():
            named = next((a for a in draft.apis if a.port_name == target), None)
            if named is None:
                draft.notes.append(f"TODO: Service {name} port {number} targets the port named "
                                   f"'{target}', which no container declares")
                continue
            container_port = named.port
        else:
            container_port = int(target)
        pname = text(port.get("name")) or ""
        api = draft.api_for_port(container_port)
        if api is None or api.port != container_port:
            api = ApiDraft(pname or f"port-{container_port}", container_port, port_name=pname,
                           where=doc.where)
            draft.apis.append(api)
        elif pname and api.name.startswith("port-"):
            api.name, api.port_name = pname, pname
        if number != container_port and api.service_port is None:
            api.service_port = number
        app_protocol = text(port.get("appProtocol"))
        if app_protocol:
            _protocol_from_name(api, app_protocol.split("/")[-1], f"Service {name} appProtocol")
        if api.protocol is None and pname:
            _protocol_from_name(api, pname, f"Service {name} port name '{pname}'")


def _network_policy(builder: ModelBuilder, pods: _Pods, doc: Document, shape: Shape) -> None:
    name = text(shape.at("metadata").get("name")) or ""
    spec = shape.at("spec")
    selector = shape.map(shape.map(spec.get("podSelector"), "podSelector").get("matchLabels"), "matchLabels")
    selected = pods.select(selector)
    for r_index, rule in enumerate(shape.maps(spec.get("ingress"), "spec.ingress")):
        peers = shape.maps(rule.get("from"), f"spec.ingress[{r_index}].from")
        ports = [shape.int_or_none(p.get("port"), "port") for p in shape.maps(rule.get("ports"), "ports")
                 if isinstance(p.get("port"), int | None)]
        port = ports[0] if ports else None
        for peer in peers:
            labels = shape.map(shape.map(peer.get("podSelector"), "podSelector").get("matchLabels"),
                               "matchLabels")
            callers = pods.select(labels)
            for callee in selected:
                for caller in callers:
                    builder.edge(caller.name, callee.name, port,
                                 Evidence(Source.network_policy, f"{name} allows ingress",
                                          doc.where_at("spec", "ingress", r_index)))


def _hpa(builder: ModelBuilder, doc: Document, shape: Shape) -> None:
    spec = shape.at("spec")
    target = text(shape.map(spec.get("scaleTargetRef"), "scaleTargetRef").get("name")) or ""
    draft = builder.services.get(target)
    if draft is None:
        builder.notes.append(f"{doc.where}: HorizontalPodAutoscaler targets '{target}', not a service here")
        return
    cpu: Any = spec.get("targetCPUUtilizationPercentage")
    for metric in shape.maps(spec.get("metrics"), "spec.metrics"):
        res = shape.map(metric.get("resource"), "resource")
        if res.get("name") == "cpu":
            cpu = shape.map(res.get("target"), "target").get("averageUtilization")
    auto: dict[str, Any] = {"min": shape.int_or_none(spec.get("minReplicas"), "minReplicas") or 1,
                            "max": shape.int_or_none(spec.get("maxReplicas"), "maxReplicas") or 1}
    # Kubernetes' own default target is 80 % CPU when an HPA names no metric.
    auto["cpu_target"] = cpu if isinstance(cpu, int | float) else 80
    auto["where"] = doc.where
    draft.autoscale = auto


def _ingress(builder: ModelBuilder, doc: Document, shape: Shape) -> None:
    name = text(shape.at("metadata").get("name")) or ""
    spec = shape.at("spec")
    backends: list[dict[str, Any]] = [shape.map(spec.get("defaultBackend"), "defaultBackend")]
    for rule in shape.maps(spec.get("rules"), "spec.rules"):
        for path in shape.maps(shape.map(rule.get("http"), "http").get("paths"), "paths"):
            backends.append(shape.map(path.get("backend"), "backend"))
    for backend in backends:
        svc = text(shape.map(backend.get("service"), "service").get("name")) or \
            text(backend.get("serviceName"))
        target = builder.name_of(svc) if svc else None
        if target in builder.services and builder.services[target].public is None:
            builder.services[target].public = f"Ingress {name} routes to it ({doc.where})"
