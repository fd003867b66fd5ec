"""The layers import in one direction only: sources -> store -> resolve -> analyze -> present."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "sanctrace"
ORDER = ["sources", "store", "resolve", "analyze", "present"]


def _imported_layers(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "sanctrace" and len(parts) > 1 and parts[1] in ORDER:
                found.add(parts[1])
    return found


def test_layers_only_import_earlier_layers() -> None:
    violations = []
    for layer in ORDER:
        for path in (PACKAGE / layer).rglob("*.py"):
            for imported in _imported_layers(path):
                if ORDER.index(imported) > ORDER.index(layer):
                    violations.append(f"{path.relative_to(PACKAGE)} imports {imported}")
    assert violations == []


def test_nothing_outside_present_imports_present() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "present" in _imported_layers(path) and path.parts[len(PACKAGE.parts)] != "present"
    ]
    assert offenders == []


def test_every_layer_exists() -> None:
    assert all((PACKAGE / layer / "__init__.py").is_file() for layer in ORDER)
