"""The Python source reader: classes, references through imports, and a recovered split."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshwright.decompose import decompose, read_inputs
from meshwright.decompose.python_source import read_python
from meshwright.errors import ModelError


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


SHOP = {
    "__init__.py": "",
    "orders/__init__.py": "",
    "orders/models.py": "class Order:\n    pass\n\nclass Line:\n    order: 'Order'\n",
    "orders/service.py": (
        "from .models import Order, Line\nfrom shop.catalog.models import Product\n\n"
        "class OrderService:\n    def place(self):\n        Line(); Product()\n        return Order()\n"
    ),
    "orders/views.py": "from shop.orders import service\n\nclass OrderView:\n    s = service.OrderService\n",
    "catalog/__init__.py": "",
    "catalog/models.py": "class Product:\n    pass\n\nclass Category:\n    products: list['Product']\n",
    "catalog/service.py": (
        "import shop.catalog.models as m\n\nclass CatalogService:\n"
        "    def find(self):\n        return m.Product(), m.Category()\n"
    ),
    "catalog/views.py": (
        "from ..catalog.service import CatalogService\n\ndef index():\n    CatalogService()\n"
    ),
    "tests/test_x.py": "class NotAUnit: pass\n",
}


def test_classes_and_references_through_imports(tmp_path: Path) -> None:
    mono = read_python(_write(tmp_path / "shop", SHOP))
    names = set(mono.class_names())
    assert "shop.orders.service.OrderService" in names
    assert "shop.catalog.views" in names  # a module with functions is a unit
    assert not any("NotAUnit" in n for n in names)  # tests are left out
    static = mono.static
    assert static[("shop.orders.service.OrderService", "shop.orders.models.Order")] >= 1
    assert static[("shop.orders.service.OrderService", "shop.catalog.models.Product")] >= 1
    assert static[("shop.orders.views.OrderView", "shop.orders.service.OrderService")] >= 1
    assert static[("shop.catalog.service.CatalogService", "shop.catalog.models.Category")] >= 1
    assert static[("shop.catalog.views", "shop.catalog.service.CatalogService")] >= 1


def test_source_alone_splits_the_two_packages(tmp_path: Path) -> None:
    dec = decompose(read_inputs(_write(tmp_path / "shop", SHOP)))
    orders = {dec.partition[c] for c in dec.partition if ".orders." in c}
    catalog = {dec.partition[c] for c in dec.partition if ".catalog." in c}
    assert len(orders) == 1 and len(catalog) == 1 and orders != catalog


def test_a_file_that_does_not_parse_is_located(tmp_path: Path) -> None:
    root = _write(tmp_path / "bad", {"a.py": "class A:\n    def f(:\n"})
    with pytest.raises(ModelError) as err:
        read_python(root)
    assert f"{root / 'a.py'}:2:" in str(err.value)
