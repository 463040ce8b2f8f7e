"""The import layers: the generic modules (pipeline/) import no source slice and nothing from assets/; only the
definitions module binds the slices. Read from the source files (ast), so a new import is seen without running it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_the_generic_layers_import_nothing_from_the_slices_or_the_definitions():
    offending = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.split(".")[0] == "assets")
        for path in sorted((ROOT / "pipeline").rglob("*.py"))
    }
    assert {p: m for p, m in offending.items() if m} == {}


def test_only_the_definitions_import_the_definitions():
    importers = [
        str(path.relative_to(ROOT))
        for path in sorted([*(ROOT / "pipeline").rglob("*.py"), *(ROOT / "assets").rglob("*.py")])
        if "assets.definitions" in imported_modules(path)
    ]
    assert importers == []


def test_a_slice_imports_no_other_slice():
    slices = {p.parent.name for p in (ROOT / "assets").glob("*/slice.py")}
    assert slices, "no slice found under assets/"
    crossing = {}
    for name in sorted(slices):
        for path in sorted((ROOT / "assets" / name).rglob("*.py")):
            others = {m for m in imported_modules(path) if m.split(".")[0] == "assets" and m.split(".")[1:2] != [name]}
            others = {m for m in others if m.split(".")[1] in slices}
            if others:
                crossing[str(path.relative_to(ROOT))] = sorted(others)
    assert crossing == {}
