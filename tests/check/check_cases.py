"""Per-rule test cases as data: ``cases/MWxxx.yaml`` holds models that must and must not
trigger rule MWxxx.

A case file has two lists, ``fail`` and ``pass``. Each item is a model as YAML text, or a
mapping ``{model: TEXT, options: {NAME: VALUE}}`` to run the rule with options. A model may
leave out the header: ``meshwright: 1`` and ``system: case`` are added when missing, so a
case shows only what matters to its rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML

from meshwright.model import LoadedModel, load_text

CASES = Path(__file__).parent / "cases"


@dataclass(frozen=True)
class Case:
    code: str
    kind: str  # "fail" or "pass"
    index: int
    model: str
    options: dict[str, float] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.code}-{self.kind}-{self.index}"


def with_header(text: str) -> str:
    """The model text with ``meshwright: 1`` and ``system: case`` added when missing."""
    head = ""
    if "meshwright:" not in text:
        head += "meshwright: 1\n"
    if "system:" not in text:
        head += "system: case\n"
    return head + text


def load_case(text: str, filename: str = "case.yaml") -> LoadedModel:
    return load_text(with_header(text), filename)


def read_cases() -> list[Case]:
    yaml = YAML(typ="safe")
    out: list[Case] = []
    for path in sorted(CASES.glob("MW*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"))
        for kind in ("fail", "pass"):
            for i, item in enumerate(data.get(kind) or []):
                if isinstance(item, str):
                    out.append(Case(path.stem, kind, i, item))
                else:
                    opts = {k: float(v) for k, v in (item.get("options") or {}).items()}
                    out.append(Case(path.stem, kind, i, item["model"], opts))
    return out
