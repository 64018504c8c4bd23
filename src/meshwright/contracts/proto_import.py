"""`meshwright import proto`: APIs and operations read from ``.proto`` files.

A small reader of the parts of proto2/proto3 that declare services: ``package``,
``service`` blocks, their ``rpc`` methods and each method's ``idempotency_level`` option
(``IDEMPOTENT`` and ``NO_SIDE_EFFECTS`` make an idempotent operation). Messages, enums and
options elsewhere are skipped. Each gRPC service becomes a model service named after it
in lower case (``CartService`` → ``cartservice``) with one gRPC API; a .proto has no port,
so the API gets the ``port`` given (gRPC's conventional 50051 by default). A file that is
not valid at the level read here is a located error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from meshwright.errors import Diagnostic, Location, ModelError, UsageError

_TOKEN = re.compile(
    r"""(?P<space>\s+)|(?P<comment>//[^\n]*|/\*.*?\*/)|(?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')"""
    r"""|(?P<word>[A-Za-z_.][A-Za-z0-9_.]*)|(?P<number>[-+]?[0-9][0-9A-Za-z_.+-]*)|(?P<symbol>[{}()\[\];=<>,:])""",
    re.S,
)
IDEMPOTENT_LEVELS = frozenset({"IDEMPOTENT", "NO_SIDE_EFFECTS"})


@dataclass(frozen=True)
class Token:
    text: str
    line: int
    col: int


@dataclass
class Rpc:
    name: str
    idempotent: bool


@dataclass
class ProtoService:
    name: str
    package: str
    file: str
    rpcs: list[Rpc] = field(default_factory=list)


def _tokens(text: str, file: str) -> list[Token]:
    out: list[Token] = []
    pos, line, line_start = 0, 1, 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ModelError(
                [
                    Diagnostic(
                        Location(file, line, pos - line_start + 1),
                        f"unexpected character {text[pos]!r}",
                        "is this a .proto file?",
                    )
                ],
                outcome="nothing was imported",
            )
        kind = m.lastgroup
        if kind not in ("space", "comment"):
            out.append(Token(m.group(), line, pos - line_start + 1))
        chunk = m.group()
        newlines = chunk.count("\n")
        if newlines:
            line += newlines
            line_start = pos + chunk.rindex("\n") + 1
        pos = m.end()
    return out


class _Reader:
    def __init__(self, tokens: list[Token], file: str) -> None:
        self.tokens, self.file, self.i = tokens, file, 0

    def error(self, message: str, hint: str = "") -> ModelError:
        tok = self.tokens[min(self.i, len(self.tokens) - 1)] if self.tokens else Token("", 1, 1)
        return ModelError(
            [Diagnostic(Location(self.file, tok.line, tok.col), message, hint)],
            outcome="nothing was imported",
        )

    def peek(self, ahead: int = 0) -> str | None:
        i = self.i + ahead
        return self.tokens[i].text if i < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        text = self.peek()
        if text is None:
            raise self.error(f"the file ends where {expected or 'more'} was expected")
        if expected is not None and text != expected:
            raise self.error(f"expected {expected!r}, found {text!r}")
        self.i += 1
        return text

    def skip_block(self) -> None:
        """Skip a ``{ ... }`` block, the opening brace included."""
        self.take("{")
        depth = 1
        while depth:
            if self.peek() is None:
                raise self.error("the file ends inside a block", "add the missing '}'")
            text = self.take()
            depth += {"{": 1, "}": -1}.get(text, 0)

    def skip_statement(self) -> None:
        """Skip to the end of a statement: its ``;`` or its block."""
        while True:
            text = self.peek()
            if text is None:
                raise self.error("the file ends inside a statement", "add the missing ';' or '}'")
            if text == "{":
                self.skip_block()
                return
            self.take()
            if text == ";":
                return

    def rpc(self) -> Rpc:
        self.take("rpc")
        name = self.take()
        for _ in range(2):
            self.take("(")
            if self.peek() == "stream":
                self.take()
            self.take()
            self.take(")")
            if _ == 0:
                self.take("returns")
        idempotent = False
        if self.peek() == "{":
            self.take("{")
            while self.peek() != "}":
                if self.peek() == "option" and self.peek(1) == "idempotency_level":
                    self.i += 2
                    self.take("=")
                    idempotent = self.take() in IDEMPOTENT_LEVELS
                    self.take(";")
                else:
                    self.skip_statement()
            self.take("}")
        else:
            self.take(";")
        return Rpc(name, idempotent)

    def services(self) -> list[ProtoService]:
        package = ""
        found: list[ProtoService] = []
        while self.peek() is not None:
            word = self.peek()
            if word == "package":
                self.take()
                package = self.take()
                self.take(";")
            elif word == "service":
                self.take()
                svc = ProtoService(self.take(), package, self.file)
                self.take("{")
                while self.peek() != "}":
                    if self.peek() == "rpc":
                        svc.rpcs.append(self.rpc())
                    else:
                        self.skip_statement()
                self.take("}")
                found.append(svc)
            else:
                self.skip_statement()
        return found


def read_proto(path: Path) -> list[ProtoService]:
    """The services declared in one .proto file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the file: {exc}") from None
    return _Reader(_tokens(text, str(path)), str(path)).services()


def service_name(proto_service: str) -> str:
    """The model's service name for a gRPC service: lower case, other characters ``-``."""
    return re.sub(r"[^a-z0-9-]+", "-", proto_service.lower()).strip("-") or "service"


def model_from_protos(paths: list[Path], system: str | None, port: int) -> dict[str, Any]:
    """A model document with one service and gRPC API per service of the files."""
    found = [s for p in paths for s in read_proto(p)]
    if not found:
        raise UsageError("no service is declared in " + ", ".join(str(p) for p in paths))
    services: dict[str, Any] = {}
    for svc in found:
        name = service_name(svc.name)
        if name in services:
            raise UsageError(f"{svc.file}: service {svc.name} is declared twice")
        operations = {r.name: {"idempotent": r.idempotent} for r in svc.rpcs}
        services[name] = {
            "apis": [{"name": svc.name, "protocol": "grpc", "port": port, "operations": operations}]
        }
    packages = sorted({s.package for s in found if s.package})
    return {
        "meshwright": 1,
        "system": system or (packages[0].split(".")[0] if packages else "imported"),
        "services": services,
    }
