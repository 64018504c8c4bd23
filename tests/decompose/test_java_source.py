"""The Java source reader (tree-sitter-java): units, references, table access, a model."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from meshwright.cli import app
from meshwright.decompose.java_source import read_java
from meshwright.errors import ModelError
from meshwright.model import load_model

SOURCES = {
    "shop/order/Order.java": "package shop.order;\npublic class Order { private LineItem[] lines; }\n",
    "shop/order/LineItem.java": "package shop.order;\npublic class LineItem { }\n",
    "shop/order/OrderDao.java": (
        "package shop.order;\nimport shop.catalog.Product;\n"
        "public class OrderDao {\n  Order load() { String q = \"SELECT * FROM orders o JOIN lines l\";"
        " return new Order(); }\n"
        "  void save(Order o) { String q = \"INSERT INTO orders VALUES (?)\"; Product.check(); }\n"
        "  static class Row { }\n}\n"
    ),
    "shop/catalog/Product.java": "package shop.catalog;\npublic class Product { static void check() {} }\n",
    "shop/catalog/ProductDao.java": (
        "package shop.catalog;\npublic class ProductDao extends BaseDao {\n"
        "  Product find() { String q = \"select * from products\"; return new Product(); }\n}\n"
    ),
    "shop/catalog/BaseDao.java": "package shop.catalog;\npublic abstract class BaseDao { }\n",
}


def _write(root: Path) -> Path:
    for name, text in SOURCES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_units_references_and_tables(tmp_path: Path) -> None:
    mono = read_java(_write(tmp_path / "src"))
    assert set(mono.class_names()) == {
        "Order", "LineItem", "OrderDao", "OrderDao::Row", "Product", "ProductDao", "BaseDao"
    }
    assert mono.static[("Order", "LineItem")] == 1
    assert mono.static[("OrderDao", "Order")] >= 2
    assert mono.static[("OrderDao", "Product")] == 1  # a static call through an import
    assert mono.static[("ProductDao", "BaseDao")] == 1  # inheritance
    assert mono.classes["OrderDao"].writes == {"orders"}
    assert mono.classes["OrderDao"].reads == {"orders", "lines"}
    assert mono.classes["ProductDao"].reads == {"products"}


def test_a_file_that_does_not_parse_is_located(tmp_path: Path) -> None:
    bad = tmp_path / "src" / "A.java"
    bad.parent.mkdir(parents=True)
    bad.write_text("class A {\n  void f( {\n}\n", encoding="utf-8")
    with pytest.raises(ModelError) as err:
        read_java(tmp_path / "src")
    assert f"{bad}:" in str(err.value)


def test_source_alone_gives_a_valid_model_with_datastores(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = CliRunner().invoke(app, ["decompose", str(_write(tmp_path / "src")), "-o", str(out)])
    assert done.exit_code == 0, done.output
    model = load_model(out).model
    assert any(svc.datastores for svc in model.services.values())
