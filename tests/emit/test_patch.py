"""The `kubernetes:` patch: a strategic-merge-style deep merge."""

from __future__ import annotations

from meshwright.emit.patch import deep_merge


def test_maps_merge_and_null_removes() -> None:
    base = {"a": 1, "b": {"c": 2, "d": 3}}
    assert deep_merge(base, {"b": {"c": 9, "d": None}, "e": 5}) == {"a": 1, "b": {"c": 9}, "e": 5}
    assert base == {"a": 1, "b": {"c": 2, "d": 3}}  # not modified


def test_named_lists_merge_by_name_and_append() -> None:
    base = {"containers": [{"name": "app", "image": "x", "env": [{"name": "A", "value": "1"}]}]}
    patch = {
        "containers": [
            {"name": "app", "env": [{"name": "A", "value": "2"}, {"name": "B", "value": "3"}]},
            {"name": "sidecar", "image": "y"},
        ]
    }
    assert deep_merge(base, patch) == {
        "containers": [
            {"name": "app", "image": "x", "env": [{"name": "A", "value": "2"}, {"name": "B", "value": "3"}]},
            {"name": "sidecar", "image": "y"},
        ]
    }


def test_other_lists_and_scalars_replace() -> None:
    assert deep_merge({"args": ["a", "b"], "n": 1}, {"args": ["c"], "n": {"x": 1}}) == {
        "args": ["c"],
        "n": {"x": 1},
    }
