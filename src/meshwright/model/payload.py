"""Payload schemas of the model: the one check that a declared JSON Schema is itself valid.

Operations may declare ``request`` and ``response`` schemas and topics a ``message``
schema. Each is a JSON Schema, checked against its meta-schema when the model is loaded:
the draft named by its ``$schema``, else draft 2020-12 (the dialect of OpenAPI 3.1).
"""

from __future__ import annotations

from typing import Any

PayloadSchema = dict[str, Any]
"""A JSON Schema of one payload, as written in the model."""


def check_payload_schema(value: PayloadSchema) -> PayloadSchema:
    """``value`` unchanged when it is a valid JSON Schema; else a ValueError saying where not."""
    import jsonschema  # 0.2 s to import: only models that declare a payload schema pay it
    from jsonschema.exceptions import SchemaError

    cls = jsonschema.validators.validator_for(value, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(value)
    except SchemaError as e:
        where = "/".join(str(p) for p in e.path)
        at = f" at {where}" if where else ""
        raise ValueError(
            f"not a valid JSON Schema{at}: {e.message}; see https://json-schema.org/understanding-json-schema"
        ) from None
    return value
