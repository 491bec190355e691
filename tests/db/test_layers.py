"""``coopvote.db`` sits below the areas: it may not import them, nor the schema that gathers
them (checked by parsing, as tests/tally/test_purity.py does for the counting engine)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import coopvote.db

MODULES = sorted(Path(coopvote.db.__file__).parent.glob("*.py"))


def _imported_modules(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_package_has_modules_to_check() -> None:
    assert {path.name for path in MODULES} >= {"__init__.py", "engine.py", "types.py"}


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_storage_imports_nothing_above_it(module: Path) -> None:
    imported = _imported_modules(ast.parse(module.read_text(encoding="utf-8")))
    above = {name for name in imported if name.startswith("coopvote")} - {
        name for name in imported if name.startswith("coopvote.db")
    }
    assert above == set()
