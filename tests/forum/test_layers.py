"""The forum's read models read and never write; its rules are pure (its place among the layers
is kept by tests/test_architecture.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import coopvote
from tests.imports import imported_modules as imports

ROOT = Path(coopvote.__file__).parent
FORUM = ROOT / "forum"
#: The modules of read models: queries, and what each page shows and offers.
READ_MODELS = ("views.py", "page_views.py")
#: Session methods that change the database, and the row lock that prepares a change.
WRITING_CALLS = {"add", "add_all", "delete", "flush", "commit", "merge", "begin_nested"}


def test_rules_are_pure_and_views_never_reach_for_the_commands() -> None:
    assert not {m for m in imports(FORUM / "rules.py") if m.startswith(("sqlmodel", "sqlalchemy"))}
    assert not {m for m in imports(FORUM / "rules.py") if ".service" in m}
    for read_models in READ_MODELS:
        view_imports = imports(FORUM / read_models)
        assert "coopvote.forum.service" not in view_imports
        assert "coopvote.audit" not in view_imports
        assert not {m for m in view_imports if m.startswith("coopvote.ballots.service")}


@pytest.mark.parametrize("read_models", READ_MODELS)
def test_the_read_models_never_write(read_models: str) -> None:
    tree = ast.parse((FORUM / read_models).read_text())
    calls = {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }
    keywords = {
        keyword.arg
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for keyword in node.keywords
    }
    assert calls & WRITING_CALLS == set()
    assert "with_for_update" not in calls | keywords
