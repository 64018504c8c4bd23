"""Write a model back out: JSON-ready data and YAML text that load to the same model."""

from __future__ import annotations

import io
import json
from typing import Any

from ruamel.yaml import YAML

from meshwright.model.types import Model


def to_data(model: Model) -> dict[str, Any]:
    """Plain data of the model (durations, rates and quantities as their canonical text)."""
    data: dict[str, Any] = model.model_dump(mode="json", exclude_defaults=True)
    data.setdefault("meshwright", model.meshwright)
    return data


def to_json(model: Model, *, indent: int = 2) -> str:
    return json.dumps(to_data(model), indent=indent, sort_keys=False) + "\n"


def to_yaml(model: Model) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    buf = io.StringIO()
    yaml.dump(to_data(model), buf)
    return buf.getvalue()
