"""One test per kind of loader error: exact file:line:col and message."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import dedent
from meshwright.errors import Diagnostic, ModelError, UsageError
from meshwright.model import load_model, load_text

BASE = """\
meshwright: 1
system: shop
contexts:
  ordering: {owner: team-orders}
services:
  checkout:
    context: ordering
    apis:
      - name: Checkout
        protocol: grpc
        port: 5050
        operations:
          PlaceOrder: {service_time: 20ms}
    calls:
      - to: payment.Charge
        timeout: 800ms
    publishes: [order-placed]
  payment:
    context: ordering
    apis:
      - name: Payment
        port: 8080
        operations:
          Charge: {idempotent: true}
topics:
  order-placed: {partitions: 3}
entrypoints:
  - {operation: checkout.PlaceOrder, rate: 50/s}
"""


def errors_of(text: str) -> list[Diagnostic]:
    with pytest.raises(ModelError) as info:
        load_text(text, "m.yaml")
    return info.value.diagnostics


def one_error(text: str) -> str:
    diags = errors_of(text)
    assert len(diags) == 1, [d.format() for d in diags]
    return diags[0].format()


def test_base_model_is_valid() -> None:
    loaded = load_text(BASE, "m.yaml")
    assert set(loaded.model.services) == {"checkout", "payment"}
    assert str(loaded.locate("services", "checkout", "calls", 0)) == "m.yaml:15:9"


def test_yaml_syntax_error() -> None:
    text = BASE.replace("  order-placed: {partitions: 3}", "  order-placed: {partitions: 3")
    assert one_error(text).startswith(
        "m.yaml:27:12: error: invalid YAML: did not find expected ',' or '}'"
    )


def test_duplicate_key() -> None:
    text = BASE.replace("        timeout: 800ms\n", "        timeout: 800ms\n        timeout: 1s\n")
    assert one_error(text) == (
        "m.yaml:17:9: error: duplicate key 'timeout' (first written at line 16)\n"
        "    hint: remove one of the two, or merge their contents"
    )


def test_unknown_field_suggests_the_right_one() -> None:
    text = BASE.replace("        timeout: 800ms\n", "        timeout: 800ms\n        retires: 3\n")
    assert one_error(text) == (
        "m.yaml:17:9: error: unknown field 'retires' in services.checkout.calls[0]\n"
        "    hint: did you mean 'retries'?"
    )


def test_missing_required_field() -> None:
    text = BASE.replace("      - name: Payment\n        port: 8080\n", "      - port: 8080\n")
    assert one_error(text) == (
        "m.yaml:21:9: error: missing required field 'name' in services.payment.apis[0]\n"
        "    hint: add `name: ...`"
    )


def test_networked_api_needs_a_port_and_event_api_has_none() -> None:
    text = BASE.replace("        port: 8080\n", "")
    assert one_error(text) == (
        "m.yaml:21:9: error: services.payment.apis[0]: a http API needs a port: add `port: 8080` "
        "(for example)"
    )
    text = BASE.replace("        port: 8080\n", "        protocol: event\n        port: 8080\n")
    messages = [d.format() for d in errors_of(text)]
    assert "m.yaml:21:9: error: services.payment.apis[0]: an event API has no port" in messages[1]


def test_event_handlers_cannot_be_called_synchronously() -> None:
    text = BASE.replace("        port: 8080\n", "        protocol: event\n")
    assert one_error(text) == (
        "m.yaml:15:13: error: call target 'payment.Charge' is an event handler, which has no network API\n"
        "    hint: publish to a topic it consumes instead, or serve the operation over grpc/http"
    )


def test_invalid_duration() -> None:
    text = BASE.replace("timeout: 800ms", "timeout: 10 parsecs")
    assert one_error(text) == (
        "m.yaml:16:18: error: services.checkout.calls[0].timeout: invalid duration "
        "'10 parsecs': write a number with a unit, e.g. 250ms, 1.5s, 2m, 1h or 7d"
    )


def test_invalid_choice_suggests_allowed_value() -> None:
    text = BASE.replace("protocol: grpc", "protocol: grcp")
    assert one_error(text) == (
        "m.yaml:10:19: error: invalid value 'grcp' for protocol\n    hint: did you mean 'grpc'?"
    )


def test_wrong_type() -> None:
    text = BASE.replace("port: 5050", "port: fifty")
    assert one_error(text) == (
        "m.yaml:11:15: error: services.checkout.apis[0].port must be a whole number\n"
        "    hint: write digits only, e.g. 3"
    )


def test_unknown_context() -> None:
    text = BASE.replace("  payment:\n    context: ordering", "  payment:\n    context: orderng")
    assert one_error(text) == (
        "m.yaml:19:14: error: unknown context 'orderng'\n    hint: did you mean 'ordering'?"
    )


def test_unknown_call_target_service() -> None:
    text = BASE.replace("to: payment.Charge", "to: paymnt.Charge")
    assert one_error(text) == (
        "m.yaml:15:13: error: call target 'paymnt.Charge': unknown service 'paymnt'\n"
        "    hint: did you mean 'payment'?"
    )


def test_unknown_call_target_operation() -> None:
    text = BASE.replace("to: payment.Charge", "to: payment.Charg")
    assert one_error(text) == (
        "m.yaml:15:13: error: call target 'payment.Charg': service 'payment' has no operation 'Charg'\n"
        "    hint: did you mean 'Charge'?"
    )


def test_call_target_without_operation() -> None:
    text = BASE.replace("to: payment.Charge", "to: payment")
    assert one_error(text) == (
        "m.yaml:15:13: error: call target 'payment' must name service.operation\n"
        "    hint: write payment.Charge (operations: Charge)"
    )


def test_unknown_topic() -> None:
    text = BASE.replace("publishes: [order-placed]", "publishes: [order-placd]")
    assert one_error(text) == (
        "m.yaml:17:17: error: publishes unknown topic 'order-placd'\n"
        "    hint: did you mean 'order-placed'?"
    )


def test_unknown_entrypoint_operation() -> None:
    text = BASE.replace("operation: checkout.PlaceOrder", "operation: checkout.Place")
    assert "m.yaml:28:17: error: entrypoint 'checkout.Place'" in one_error(text)


def test_unknown_saga_step() -> None:
    text = BASE + "sagas:\n  pay:\n    steps:\n      - {do: payment.Charge, compensate: payment.Refund}\n"
    assert one_error(text) == (
        "m.yaml:32:42: error: saga step compensate 'payment.Refund': service 'payment' has no "
        "operation 'Refund'\n    hint: payment declares: Charge"
    )


def test_duplicate_operation_in_a_service() -> None:
    text = BASE.replace(
        "          Charge: {idempotent: true}\n",
        "          Charge: {idempotent: true}\n      - name: Admin\n        port: 9091\n"
        "        operations:\n          Charge: {}\n",
    )
    assert one_error(text) == (
        "m.yaml:28:19: error: operation 'Charge' is declared twice in service 'payment' "
        "(first at line 24)\n    hint: operation names must be unique within a service"
    )


def test_value_of_wrong_shape() -> None:
    text = BASE.replace("  order-placed: {partitions: 3}", "  order-placed: [3]")
    assert one_error(text).startswith("m.yaml:26:17: error: topics.order-placed must be a mapping")


def test_a_policy_of_wrong_shape_names_its_shorthand() -> None:
    """`retries: abc` said "must be a mapping" although `retries: 3` is the README's own
    example: a policy with a shorthand says both forms."""
    text = BASE.replace("        timeout: 800ms\n", "        timeout: 800ms\n        retries: abc\n")
    assert one_error(text) == (
        "m.yaml:17:18: error: services.checkout.calls[0].retries must be one value (the shorthand "
        "for attempts) or a mapping (key: value pairs)\n"
        "    hint: fields: attempts, per_try_timeout, backoff, retry_on, budget"
    )
    bulkhead = BASE.replace("        timeout: 800ms\n", "        timeout: 800ms\n        bulkhead: [40]\n")
    assert "bulkhead must be one value (the shorthand for max_concurrent) or a mapping" in one_error(bulkhead)
    # no shorthand, no such wording
    topic = BASE.replace("  order-placed: {partitions: 3}", "  order-placed: [3]")
    assert "one value" not in one_error(topic)


def test_a_map_of_names_of_the_wrong_shape_shows_an_entry() -> None:
    text = BASE.replace("contexts:\n  ordering: {owner: team-orders}\n", "contexts: [ordering]\n")
    found = [d.format() for d in errors_of(text)]
    assert found[0] == (
        "m.yaml:3:11: error: contexts must be a mapping (key: value pairs)\n"
        "    hint: one entry per name, `NAME: {...}`, with fields: owner, description, suppress"
    )


def test_not_a_mapping_and_empty() -> None:
    assert one_error("- a\n- b\n").startswith("m.yaml:1:1: error: the model must be a YAML mapping")
    with pytest.raises(ModelError, match="the model is empty"):
        load_model_from_text("", "empty.yaml")


def load_model_from_text(text: str, name: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / name
        p.write_text(text)
        load_model(p)


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        load_model(tmp_path / "nope.yaml")
    with pytest.raises(UsageError, match=r"needs a mesh\.yaml"):
        load_model(tmp_path)


def test_all_problems_reported_at_once() -> None:
    text = (
        BASE.replace("timeout: 800ms", "timeout: soon")
        .replace("protocol: grpc", "protocol: soap")
        .replace("to: payment.Charge", "to: payment.Refund")
        .replace("publishes: [order-placed]", "publishes: [orders]")
        .replace("    context: ordering\n    apis:\n      - name: Payment",
                 "    contxt: ordering\n    apis:\n      - name: Payment")
    )
    diags = errors_of(text)
    assert [(d.location.line, d.location.col) for d in diags] == [
        (10, 19), (15, 13), (16, 18), (17, 17), (19, 5)
    ]


def test_directory_model_merges_fragments_and_locates_each_file(write) -> None:  # type: ignore[no-untyped-def]
    write("sys/mesh.yaml", """\
        meshwright: 1
        system: split
        contexts: {core: {}}
        entrypoints:
          - {operation: a.Get, rate: 5/s}
        """)
    write("sys/services/a.yaml", """\
        a:
          context: core
          apis: [{name: A, port: 80, operations: {Get: {}}}]
          calls: [{to: b.Get, timeout: 1s}]
        """)
    path = write("sys/services/b.yaml", """\
        b:
          context: core
          apis: [{name: B, port: 80, operations: {Get: {}}}]
        """)
    loaded = load_model(path.parent.parent)
    assert set(loaded.model.services) == {"a", "b"}
    loc = loaded.locate("services", "a", "calls", 0, "timeout")
    assert (Path(loc.file).name, loc.line, loc.col) == ("a.yaml", 4, 32)


def test_service_defined_in_two_files(write) -> None:  # type: ignore[no-untyped-def]
    write("sys/mesh.yaml", "meshwright: 1\nsystem: x\nservices:\n  a: {}\n")
    write("sys/services/a.yaml", "a:\n  description: again\n")
    with pytest.raises(ModelError) as info:
        load_model(Path(write("sys/services/b.yaml", "b: {}\n")).parent.parent)
    (d,) = info.value.diagnostics
    assert Path(d.location.file).name == "a.yaml"
    assert (d.location.line, d.location.col) == (1, 1)
    assert d.message.startswith("service 'a' is defined twice (first at ")
    assert "mesh.yaml:4:3" in d.message


def test_defaults_merge_into_calls() -> None:
    text = BASE.replace("meshwright: 1\n", "meshwright: 1\ndefaults:\n  call: {timeout: 2s, retries: 3}\n")
    loaded = load_text(text, "m.yaml")
    call = loaded.model.services["checkout"].calls[0]
    assert call.timeout == 0.8  # the call's own value wins
    assert call.retries is not None and call.retries.attempts == 3
    assert str(loaded.locate("services", "checkout", "calls", 0, "retries")) == "m.yaml:3:32"


def test_dedent_helper() -> None:
    assert dedent("\n  a\n  b\n") == "a\nb\n"


def test_config_keys_must_be_variable_names() -> None:
    text = BASE.replace(
        "    publishes: [order-placed]\n", "    publishes: [order-placed]\n    config: {GRÜSSE: hi}\n"
    )
    assert one_error(text).startswith(
        "m.yaml:18:13: error: services.checkout.config: config key 'GRÜSSE' is not a valid variable name"
    )


def test_service_ports_must_differ_within_a_service() -> None:
    text = BASE.replace(
        "          Charge: {idempotent: true}\n",
        "          Charge: {idempotent: true}\n      - name: Admin\n        port: 9091\n"
        "        service_port: 8080\n        operations:\n          Audit: {}\n",
    )
    assert one_error(text) == (
        "m.yaml:27:23: error: service port 8080 is used by two APIs of service 'payment'\n"
        "    hint: give each API of a service its own service_port"
    )


def test_authorization_names_an_unknown_operation() -> None:
    text = BASE.replace(
        "          Charge: {idempotent: true}\n",
        "          Charge: {idempotent: true}\n    authorization:\n"
        "      - {allow: [checkout], operations: [Charhe]}\n",
    )
    message = one_error(text)
    assert "authorization names 'Charhe', which is not an operation of 'payment'" in message
    assert "did you mean 'Charge'?" in message and message.startswith("m.yaml:26:42:")


def test_an_invalid_payload_schema_is_located_at_its_field() -> None:
    text = BASE.replace(
        "          Charge: {idempotent: true}\n",
        "          Charge: {idempotent: true, request: {type: object, required: amount}}\n",
    ).replace("  order-placed: {partitions: 3}", "  order-placed: {message: {type: strng}}")
    diags = sorted(d.format() for d in errors_of(text))
    assert diags == [
        "m.yaml:24:47: error: services.payment.apis[0].operations.Charge.request: not a valid JSON "
        "Schema at required: 'amount' is not of type 'array'; see "
        "https://json-schema.org/understanding-json-schema",
        "m.yaml:26:27: error: topics.order-placed.message: not a valid JSON Schema at type: 'strng' is "
        "not valid under any of the given schemas; see https://json-schema.org/understanding-json-schema",
    ]


def test_valid_payload_schemas_load_in_their_declared_draft() -> None:
    text = BASE.replace(
        "          Charge: {idempotent: true}\n",
        "          Charge:\n            idempotent: true\n"
        "            request: {$schema: 'http://json-schema.org/draft-07/schema#', type: object,\n"
        "                      properties: {amount: {type: integer}}, required: [amount]}\n",
    )
    op = load_text(text, "m.yaml").model.operation("payment.Charge")
    assert op is not None and op.request is not None and op.request["required"] == ["amount"]
