"""The web layer's shape: controllers stand side by side and share pieces through the
modules beside them, never through each other."""

from __future__ import annotations

import ast
from pathlib import Path

import coopvote.web

WEB = Path(coopvote.web.__file__).parent
CONTROLLER_PACKAGES = ("coopvote.web.api", "coopvote.web.pages")


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_controller_module_imports_another() -> None:
    offenders = {
        f"{path.parent.name}/{path.name}": sorted(
            m for m in imported_modules(path) if m.startswith(CONTROLLER_PACKAGES)
        )
        for folder in ("api", "pages")
        for path in (WEB / folder).glob("*.py")
    }
    assert {name: found for name, found in offenders.items() if found} == {}
