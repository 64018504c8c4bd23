"""The openapi target: an OpenAPI 3.1 document per HTTP API, valid by openapi-spec-validator,
with idempotency and the error responses the model makes possible."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from conftest import EXAMPLES
from emit.helpers import check_golden, fixture_model
from meshwright.emit.registry import emit_target
from meshwright.emit.yamltext import load_all
from meshwright.model import load_model, load_text


def documents(path: Path) -> dict[str, dict[str, Any]]:
    return {a.path: load_all(str(a.content))[0] for a in emit_target("openapi", load_model(path).model)}


@pytest.mark.parametrize("example", ["shop", "online-boutique"])
def test_every_document_is_valid_openapi_3_1(example: str) -> None:
    docs = documents(EXAMPLES / example)
    assert docs
    for doc in docs.values():
        assert doc["openapi"] == "3.1.0"
        validate(doc)


def test_the_validator_rejects_a_broken_document() -> None:
    doc = next(iter(documents(EXAMPLES / "shop").values()))
    del next(iter(doc["paths"].values()))["post"]["responses"]["200"]["description"]
    with pytest.raises(OpenAPIValidationError):
        validate(doc)


def test_shop_http_apis_and_their_error_responses() -> None:
    docs = documents(EXAMPLES / "shop")
    assert sorted(docs) == [
        "catalog.catalogadmin.openapi.yaml",
        "search.searchapi.openapi.yaml",
        "web-bff.storefront.openapi.yaml",
    ]
    model = load_model(EXAMPLES / "shop").model
    http = [(s, a) for s, svc in model.services.items() for a in svc.apis if a.protocol == "http"]
    assert len(docs) == len(http)
    for service, api in http:
        [doc] = [d for d in docs.values() if d["info"]["title"] == f"{api.name} ({service})"]
        assert sorted(doc["paths"]) == sorted(f"/{api.name}/{op}" for op in api.operations)
        for name, op in api.operations.items():
            post = doc["paths"][f"/{api.name}/{name}"]["post"]
            assert post["x-idempotent"] is op.idempotent
            assert "500" in post["responses"]
            assert post["description"].startswith("Idempotent" if op.idempotent else "Not idempotent")
    web = next(d for d in docs.values() if d["info"]["title"].endswith("(web-bff)"))
    checkout = web["paths"][next(p for p in web["paths"] if p.endswith("/Checkout"))]["post"]
    assert "504" in checkout["responses"]  # its calls have timeouts


def test_declared_payload_schemas_are_the_request_and_response_bodies() -> None:
    docs = documents(EXAMPLES / "shop")
    model = load_model(EXAMPLES / "shop").model
    query_op = model.services["search"].operation("Query")
    assert query_op is not None and query_op.request is not None and query_op.response is not None
    query = docs["search.searchapi.openapi.yaml"]["paths"]["/SearchApi/Query"]["post"]
    assert query["requestBody"] == {
        "required": True, "content": {"application/json": {"schema": query_op.request}}
    }
    assert query["responses"]["200"]["content"]["application/json"]["schema"] == query_op.response
    # an operation without schemas says so instead of inventing fields
    web = docs["web-bff.storefront.openapi.yaml"]
    home = web["paths"][next(p for p in web["paths"] if p.endswith("/Home"))]["post"]
    assert "no payload schema" in home["requestBody"]["description"]
    assert "schema" not in home["requestBody"]["content"]["application/json"]
    ok = home["responses"]["200"]
    assert "content" not in ok and "no payload schema" in ok["description"]


def test_rate_limit_gives_429_and_no_calls_no_504() -> None:
    model = load_text(
        "meshwright: 1\nsystem: s\n"
        "services:\n"
        "  a:\n"
        "    rate_limit: 50/s\n"
        "    apis: [{name: A, protocol: http, port: 80, operations: {Get: {idempotent: true}}}]\n"
    ).model
    [artifact] = emit_target("openapi", model)
    [doc] = load_all(str(artifact.content))
    validate(doc)
    responses = doc["paths"]["/A/Get"]["post"]["responses"]
    assert sorted(responses) == ["200", "429", "500"]
    assert "50/s" in responses["429"]["description"]


def test_golden_files_of_the_fixture_model() -> None:
    check_golden("minishop/openapi", emit_target("openapi", fixture_model()))
