"""Host names in configuration values: ``host:port``, URLs, and bare hosts in variables
named like addresses (``*_ADDR``, ``*_HOST``, ``*_URL``, ``*_ENDPOINT``, ``*_SERVICE``)."""

from __future__ import annotations

import re

_ADDRESS_NAME = re.compile(r"(_|^)(ADDR|ADDRESS|HOST|HOSTNAME|URL|URI|ENDPOINT|SERVER|SERVICE|SERVERS)S?$",
                           re.IGNORECASE)
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?", re.IGNORECASE)
_HOST_PORT = re.compile(r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9-]+)*):(\d{1,5})$", re.IGNORECASE)
_HOST = re.compile(r"^[a-z]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9-]+)*$", re.IGNORECASE)
_IP = re.compile(r"^\d+\.\d+\.\d+\.\d+$")


def hosts_in(name: str, value: str) -> list[tuple[str, int | None]]:
    """(host, port or None) named by one variable; empty when the value is no address."""
    out: list[tuple[str, int | None]] = []
    for part in value.split(","):
        part = part.strip()
        if not part or len(part) > 2048:
            continue
        url = _URL.match(part)
        if url:
            host, port = url.group(1), url.group(2)
            out.append((host.lower(), int(port) if port else None))
            continue
        hp = _HOST_PORT.match(part)
        if hp:
            port_n = int(hp.group(4))
            if not _IP.match(hp.group(1)) and port_n <= 65535:
                out.append((hp.group(1).lower(), port_n))
            continue
        if _ADDRESS_NAME.search(name) and _HOST.match(part) and part.lower() not in ("localhost", "true",
                                                                                  "false", "none"):
            out.append((part.lower(), None))
    return [(h, p) for h, p in out if h not in ("localhost", "0.0.0.0") and not _IP.match(h)]
