"""Small monoliths written as Mono2Micro trace files, for the decomposition tests."""

from __future__ import annotations

from pathlib import Path

CONTEXTS = {
    "orders": ["OrderController", "OrderService", "OrderDao", "Order", "LineItem"],
    "catalog": ["CatalogController", "ProductService", "ProductDao", "Product", "Category"],
    "accounts": ["AccountController", "AccountService", "AccountDao", "Account", "Address"],
}


def _line(t: int, case: str, a: str, am: str, b: str, bm: str, verb: str = "calls") -> str:
    src = "<None>:Root:<None>" if a == "Root" else f"app/{a}.java:{a}:{am}"
    dst = f"app/{b}.java:{b}:{bm}"
    text = f"{a} calls {b}" if verb == "calls" else f"{b} returns to {a}"
    if verb != "calls":
        src, dst = dst, src
    return f"{t},{case},{text},{src},{dst}"


def write_small_monolith(directory: Path) -> Path:
    """Three contexts of five classes: a controller→service→dao→entities chain in each,
    every use case inside one context, and orders calling the catalog once per order."""
    directory.mkdir(parents=True, exist_ok=True)
    t = 1_000_000
    for name, (ctrl, svc, dao, ent, ent2) in CONTEXTS.items():
        lines = []
        for i in range(20):
            case = f"{name}_{i % 3}"
            calls = [
                ("Root", "", ctrl, "handle"), (ctrl, "handle", svc, "run"),
                (svc, "run", dao, "load"), (dao, "load", ent, "set"), (dao, "load", ent2, "set"),
                (svc, "run", ent, "get"), (ent, "get", ent2, "get"),
            ]
            if name == "orders":
                calls.append((svc, "run", "ProductService", "price"))
            for a, am, b, bm in calls:
                t += 10
                lines.append(_line(t, case, a, am, b, bm))
                t += 1
                lines.append(_line(t, case, a, am, b, bm, verb="returns"))
        (directory / f"flow-{name}-lab.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory
