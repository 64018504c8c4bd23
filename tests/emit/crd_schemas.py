"""Validation of generated custom resources against the vendored CRD JSON Schemas."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema

from emit.helpers import HERE


@cache
def _validator(group: str, kind: str, version: str) -> jsonschema.protocols.Validator:
    path = HERE / "schemas" / group / f"{kind.lower()}_{version}.json"
    assert path.is_file(), f"no vendored schema for {group}/{kind} {version}: copy it into {path.parent}"
    schema = json.loads(path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)  # type: ignore[no-any-return]


def validate_resource(obj: dict[str, Any]) -> None:
    """Raise when ``obj`` does not match its kind's schema (apiVersion picks the file)."""
    group, _, version = str(obj["apiVersion"]).partition("/")
    _validator(group, str(obj["kind"]), version).validate(obj)
