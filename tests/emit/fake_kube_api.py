"""A stand-in Kubernetes API server on 127.0.0.1 so Helm can install a chart offline.

helm-sdkpy exposes Helm's install but no ``helm template``; an install against this
server returns the release, whose ``manifest`` is exactly what Helm's own template engine
rendered. The server answers discovery for the kinds meshwright generates, reports every
object as absent, accepts every create, and records what it was sent. It serves only
loopback and stops when the ``with`` block ends.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

RESOURCES: dict[str, list[tuple[str, str, bool]]] = {
    "v1": [
        ("secrets", "Secret", True),
        ("services", "Service", True),
        ("serviceaccounts", "ServiceAccount", True),
        ("configmaps", "ConfigMap", True),
        ("namespaces", "Namespace", False),
    ],
    "apps/v1": [("deployments", "Deployment", True)],
    "policy/v1": [("poddisruptionbudgets", "PodDisruptionBudget", True)],
    "autoscaling/v2": [("horizontalpodautoscalers", "HorizontalPodAutoscaler", True)],
    "networking.k8s.io/v1": [("networkpolicies", "NetworkPolicy", True)],
}
VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]
KUBE_VERSION = {"major": "1", "minor": "30", "gitVersion": "v1.30.0", "platform": "linux/amd64"}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _send(self, code: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if path == "/version":
            return self._send(200, KUBE_VERSION)
        if path == "/api":
            return self._send(200, {"kind": "APIVersions", "versions": ["v1"]})
        if path == "/apis":
            groups = []
            for gv in RESOURCES:
                if "/" in gv:
                    group, version = gv.split("/")
                    ref = {"groupVersion": gv, "version": version}
                    groups.append({"name": group, "versions": [ref], "preferredVersion": ref})
            return self._send(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
        gv = path.removeprefix("/api/").removeprefix("/apis/")
        if gv in RESOURCES:
            resources = [
                {"name": n, "singularName": "", "namespaced": ns, "kind": k, "verbs": VERBS}
                for n, k, ns in RESOURCES[gv]
            ]
            return self._send(
                200,
                {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources},
            )
        if "labelSelector" in query or path.endswith("/secrets"):  # release history: none
            return self._send(200, {"kind": "List", "apiVersion": "v1", "metadata": {}, "items": []})
        return self._send(
            404,
            {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404},
        )

    def _accept(self, code: int) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if "json" not in self.headers.get("Content-Type", ""):  # Helm's release record (protobuf)
            return self._send(code, {"kind": "Secret", "apiVersion": "v1", "metadata": {"name": "release"}})
        body = json.loads(raw)
        self.server.received.append(body)  # type: ignore[attr-defined]
        return self._send(code, body)

    def do_POST(self) -> None:
        self._accept(201)

    def do_PUT(self) -> None:
        self._accept(200)


@contextmanager
def fake_kube_api() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Yield (kubeconfig text, list of received objects) while the server runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    kubeconfig = (
        "apiVersion: v1\nkind: Config\ncurrent-context: fake\n"
        f"clusters: [{{name: fake, cluster: {{server: '{url}'}}}}]\n"
        "contexts: [{name: fake, context: {cluster: fake, user: fake}}]\n"
        "users: [{name: fake, user: {token: fake}}]\n"
    )
    try:
        yield kubeconfig, server.received  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
