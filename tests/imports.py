"""Reading a module's imports without importing it: for the tests that keep the layers apart."""

from __future__ import annotations

import ast
from pathlib import Path


def import_lines(path: Path) -> list[tuple[str, str]]:
    """(module, source line) for every import in ``path``; ``from a import b`` names both ``a``
    and ``a.b``, since ``b`` may be a module."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, lines[node.lineno - 1]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, lines[node.lineno - 1]))
            found += [(f"{node.module}.{a.name}", lines[node.lineno - 1]) for a in node.names]
    return found


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports (and every name it imports from one)."""
    return {module for module, _line in import_lines(path)}
