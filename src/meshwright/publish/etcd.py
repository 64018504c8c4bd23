"""Publishing the etcd key layout (:mod:`meshwright.emit.etcd`) through etcd's v3 JSON
gateway (``/v3/kv/put``, ``/v3/kv/range``, ``/v3/kv/deleterange``; keys and values base64),
with the standard library only.

Publishing puts every key of the layout, then deletes the keys the previous publish
recorded in ``<prefix>.owned`` that the model no longer has, then records the new set.
Keys meshwright did not write (not in ``.owned``, or outside the prefix) are never touched.
"""

from __future__ import annotations

import base64
import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from meshwright.emit.etcd import OWNED
from meshwright.errors import MeshwrightError, UsageError

TIMEOUT = 10.0
"""Seconds to wait for one gateway request."""


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


@dataclass
class EtcdGateway:
    """A client of one etcd's v3 JSON gateway, e.g. ``http://127.0.0.1:2379``."""

    endpoint: str

    def __post_init__(self) -> None:
        url = urlparse(self.endpoint)
        try:
            port_ok = url.port is None or url.port > 0
        except ValueError:
            port_ok = False
        if url.scheme not in ("http", "https") or not url.hostname or not port_ok:
            raise UsageError(
                f"--endpoint {self.endpoint!r} is not an http(s) URL with a host and a numeric port: "
                "pass e.g. --endpoint http://127.0.0.1:2379"
            )
        self.endpoint = self.endpoint.rstrip("/")

    def _call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.endpoint}/v3/{path}",
            data=json.dumps(body).encode("utf-8"),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                answer: dict[str, Any] = json.loads(response.read() or b"{}")
                return answer
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip()
            raise MeshwrightError(
                f"etcd at {self.endpoint} refused {path}: HTTP {exc.code} {detail}"
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise UsageError(
                f"cannot reach etcd at {self.endpoint} ({reason}): start etcd or pass its client URL "
                "with --endpoint"
            ) from None
        except (ValueError, http.client.HTTPException):
            raise MeshwrightError(f"{self.endpoint} did not answer like etcd's v3 JSON gateway") from None

    def get(self, key: str) -> str | None:
        """The value of ``key``, None when it is absent."""
        kvs = self._call("kv/range", {"key": _b64(key)}).get("kvs", [])
        if not kvs:
            return None
        return base64.b64decode(kvs[0].get("value", "")).decode("utf-8")

    def put(self, key: str, value: str) -> None:
        self._call("kv/put", {"key": _b64(key), "value": _b64(value)})

    def delete(self, key: str) -> None:
        self._call("kv/deleterange", {"key": _b64(key)})


@dataclass
class PublishReport:
    """What one publish did."""

    prefix: str
    put: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


def owned_keys(gateway: EtcdGateway, prefix: str) -> list[str]:
    """The keys the previous publish recorded under ``prefix`` (none on a first publish)."""
    text = gateway.get(prefix + OWNED)
    if text is None:
        return []
    try:
        keys = json.loads(text)
    except ValueError:
        raise MeshwrightError(
            f"{prefix}{OWNED} in etcd is not a JSON list of keys: delete it with "
            f"`etcdctl del {prefix}{OWNED}` and publish again"
        ) from None
    if not isinstance(keys, list):
        raise MeshwrightError(f"{prefix}{OWNED} in etcd is not a JSON list of keys")
    return [k for k in keys if isinstance(k, str) and k.startswith(prefix) and k != prefix + OWNED]


def publish(gateway: EtcdGateway, prefix: str, keys: list[tuple[str, str]]) -> PublishReport:
    """Put ``keys`` (the layout, ``.owned`` last), delete the previously owned keys the
    layout no longer has, and record the new set."""
    report = PublishReport(prefix)
    before = owned_keys(gateway, prefix)
    layout = [(k, v) for k, v in keys if k != prefix + OWNED]
    for key, value in layout:
        gateway.put(key, value)
        report.put.append(key)
    now = {k for k, _ in layout}
    for key in before:
        if key not in now:
            gateway.delete(key)
            report.deleted.append(key)
    gateway.put(prefix + OWNED, json.dumps([k for k, _ in layout], separators=(",", ":")))
    return report
