"""`meshwright import openapi`: generated OpenAPI documents read back to the same operations,
idempotency from x-idempotent or the HTTP method, port from the server URL."""

from __future__ import annotations

from pathlib import Path

from cli_runner import run
from conftest import EXAMPLES
from emit.helpers import write
from meshwright.contracts.openapi_import import model_from_openapi
from meshwright.emit.registry import emit_target
from meshwright.model import load_model


def test_generated_documents_read_back(tmp_path: Path) -> None:
    model = load_model(EXAMPLES / "shop").model
    root = write(tmp_path, emit_target("openapi", model))
    web = model.services["web-bff"].apis[0]
    out = tmp_path / "mesh.yaml"
    done = run(
        "import",
        "openapi",
        str(root / "web-bff.storefront.openapi.yaml"),
        "--service",
        "web-bff",
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    [api] = load_model(out).model.services["web-bff"].apis
    assert api.protocol == "http" and api.port == web.call_port
    assert {n: o.idempotent for n, o in api.operations.items()} == {
        n: o.idempotent for n, o in web.operations.items()
    }


def test_payload_schemas_read_back(tmp_path: Path) -> None:
    model = load_model(EXAMPLES / "shop").model
    root = write(tmp_path, emit_target("openapi", model))
    out = tmp_path / "mesh.yaml"
    done = run("import", "openapi", str(root / "search.searchapi.openapi.yaml"), "-o", str(out))
    assert done.returncode == 0, done.stderr
    [api] = next(iter(load_model(out).model.services.values())).apis
    [original] = model.services["search"].network_apis()
    for name, op in original.operations.items():
        assert (api.operations[name].request, api.operations[name].response) == (op.request, op.response)
    assert original.operations["Query"].request is not None  # the shop declares this one


def test_referenced_schemas_are_not_carried_over(tmp_path: Path) -> None:
    doc = tmp_path / "api.yaml"
    doc.write_text(
        "openapi: 3.1.0\ninfo: {title: Orders API, version: '1'}\n"
        "components: {schemas: {Order: {type: object}}}\n"
        "paths:\n"
        "  /orders:\n"
        "    post:\n"
        "      operationId: createOrder\n"
        "      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Order'}}}}\n"
        "      responses:\n"
        "        '201': {description: ok, content: {application/json: {schema: {type: string}}}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "mesh.yaml"
    done = run("import", "openapi", str(doc), "--port", "8080", "-o", str(out))
    assert done.returncode == 0, done.stderr
    op = next(iter(load_model(out).model.services.values())).apis[0].operations["createOrder"]
    assert op.request is None and op.response == {"type": "string"}


def test_methods_decide_idempotency_without_x_idempotent(tmp_path: Path) -> None:
    doc = tmp_path / "api.yaml"
    doc.write_text(
        "openapi: 3.1.0\ninfo: {title: Orders API, version: '1'}\n"
        "servers: [{url: 'https://orders.example:8443/v1'}]\n"
        "paths:\n"
        "  /orders/{id}:\n"
        "    get: {operationId: getOrder, responses: {'200': {description: ok}}}\n"
        "    put: {responses: {'200': {description: ok}}}\n"
        "  /orders:\n"
        "    post: {operationId: createOrder, responses: {'201': {description: ok}}}\n",
        encoding="utf-8",
    )
    model = model_from_openapi(doc, None, 8080)
    [api] = model["services"]["orders-api"]["apis"]
    assert api["port"] == 8443
    assert api["operations"] == {
        "getOrder": {"idempotent": True},
        "put_orders_id": {"idempotent": True},
        "createOrder": {"idempotent": False},
    }


def test_not_an_openapi_document_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text("hello: world\n")
    done = run("import", "openapi", str(bad))
    assert done.returncode == 2 and "not an OpenAPI document" in done.stderr
    assert "Traceback" not in done.stderr
