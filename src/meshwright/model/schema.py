"""The JSON Schema of the model, for editors (yaml-language-server) and other tools."""

from __future__ import annotations

from typing import Any

from meshwright.model.types import Model

SCHEMA_ID = "https://meshwright.dev/schema/model-v1.json"


def model_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a meshwright model file."""
    schema = Model.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "meshwright model"
    return schema
