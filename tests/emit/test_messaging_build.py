"""`build` writes the messaging, contract and secret targets exactly when the platform selects
them: the same files `emit <target>` writes, under `<target>/`."""

from __future__ import annotations

import pytest

from conftest import EXAMPLES
from meshwright.emit.registry import emit_target
from meshwright.emit.stage import emit_stage
from meshwright.model import load_model
from meshwright.model.loader import LoadedModel
from meshwright.model.types import Broker, SecretStore
from meshwright.pipeline import BuildContext

TARGETS = ("kafka", "rabbitmq", "asyncapi", "openapi", "protobuf", "vault")


def _with_platform(loaded: LoadedModel, **changes: object) -> LoadedModel:
    platform = loaded.model.platform.model_copy(update=changes)
    model = loaded.model.model_copy(update={"platform": platform})
    return LoadedModel(model=model, sources=loaded.sources, root=loaded.root)


def built(loaded: LoadedModel) -> dict[str, dict[str, str]]:
    """Target → {path inside it: text}, for the messaging targets of one build."""
    result = emit_stage(BuildContext(loaded=loaded))
    assert not result.failed
    out: dict[str, dict[str, str]] = {}
    for a in result.artifacts:
        top, _, rest = a.path.partition("/")
        if top in TARGETS:
            out.setdefault(top, {})[rest] = str(a.content)
    return out


@pytest.mark.parametrize(
    ("example", "broker", "secrets", "expected"),
    [
        ("shop", None, None, {"kafka", "asyncapi", "openapi", "protobuf", "vault"}),
        ("shop", Broker.rabbitmq, SecretStore.kubernetes, {"rabbitmq", "asyncapi", "openapi", "protobuf"}),
        ("online-boutique", None, None, {"openapi", "protobuf"}),
    ],
)
def test_build_writes_what_the_platform_selects(
    example: str, broker: Broker | None, secrets: SecretStore | None, expected: set[str]
) -> None:
    loaded = load_model(EXAMPLES / example)
    if broker is not None:
        loaded = _with_platform(loaded, broker=broker, secrets=secrets)
    files = built(loaded)
    assert set(files) == expected
    for name in expected:
        direct = {a.path: str(a.content) for a in emit_target(name, loaded.model)}
        assert files[name] == direct, name
