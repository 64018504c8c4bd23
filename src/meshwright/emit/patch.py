"""A small strategic-merge-style deep merge for the ``kubernetes:`` patch of a service.

Rules: mappings merge key by key; ``null`` removes a key; lists whose items are all
mappings with a ``name`` merge item by item on that name (new names are appended);
every other value, lists included, replaces the original.
"""

from __future__ import annotations

import copy
from typing import Any


def deep_merge(base: Any, patch: Any) -> Any:
    """``base`` with ``patch`` applied; neither argument is modified."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = copy.deepcopy(base)
        for key, value in patch.items():
            if value is None:
                out.pop(key, None)
            elif key in out:
                out[key] = deep_merge(out[key], value)
            else:
                out[key] = copy.deepcopy(value)
        return out
    if _named_list(base) and _named_list(patch):
        merged = [copy.deepcopy(item) for item in base]
        index = {item["name"]: i for i, item in enumerate(merged)}
        for item in patch:
            if item["name"] in index:
                merged[index[item["name"]]] = deep_merge(merged[index[item["name"]]], item)
            else:
                merged.append(copy.deepcopy(item))
        return merged
    return copy.deepcopy(patch)


def _named_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(i, dict) and "name" in i for i in value)
