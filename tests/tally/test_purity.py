"""coopvote.tally stays pure: no database, web framework, command line, file I/O, clock or floats
(checked by parsing)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import coopvote.tally
from tests.imports import imported_modules

PACKAGE = Path(coopvote.tally.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))
FORBIDDEN = {
    "litestar",
    "sqlmodel",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "jinja2",
    "httpx",
    "uvicorn",
    "starlette",
    "fastapi",
    "pydantic",
    "time",
    "datetime",  # no clock
    "random",  # lots come from the tie order or a published seed, never hidden randomness
    "os",
    "socket",
    "subprocess",
    "click",  # the command line lives in coopvote.cli
    "pathlib",  # files are opened and decoded by the command line; the tally reads text
    "io",
    "sys",
    "shutil",
    "tempfile",
}


def test_the_package_has_modules_to_check() -> None:
    assert len(MODULES) >= 10


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_tally_imports_nothing_from_the_rest_of_coopvote_nor_web_or_db(module: Path) -> None:
    imported = imported_modules(module)
    outside = {
        name
        for name in imported
        if name.startswith("coopvote") and not name.startswith("coopvote.tally")
    }
    assert not outside
    assert not {name.split(".")[0] for name in imported} & FORBIDDEN


def _calls_of(tree: ast.AST, builtin: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == builtin
    ]


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_tally_opens_no_file(module: Path) -> None:
    assert not _calls_of(ast.parse(module.read_text(encoding="utf-8")), "open")


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_tally_has_no_float_arithmetic(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    floats = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, float)
    ]
    calls = _calls_of(tree, "float")
    divisions = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)
    ]
    assert not floats
    assert not calls
    # True division of integers makes a float; only whole-number (//) division is allowed.
    assert not divisions
