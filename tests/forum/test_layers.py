"""The forum's place among the layers: it sits above ballots and results (a proposal becomes a
ballot; its outcome is the ballot's published result) and nothing below imports it back; its
read models read and never write."""

from __future__ import annotations

import ast
from pathlib import Path

import coopvote
from tests.web.test_layout import imported_modules as imports

ROOT = Path(coopvote.__file__).parent
FORUM = ROOT / "forum"
#: Areas the forum builds on: none of them may know of the forum.
BELOW = ("ballots", "results", "members", "cooperative", "audit", "tally")
#: Session methods that change the database, and the row lock that prepares a change.
WRITING_CALLS = {"add", "add_all", "delete", "flush", "commit", "merge", "begin_nested"}


def test_nothing_the_forum_builds_on_imports_the_forum() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imports(path) if "forum" in m)
        for area in BELOW
        for path in (ROOT / area).rglob("*.py")
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_rules_are_pure_and_views_never_reach_for_the_commands() -> None:
    assert not {m for m in imports(FORUM / "rules.py") if m.startswith(("sqlmodel", "sqlalchemy"))}
    assert not {m for m in imports(FORUM / "rules.py") if ".service" in m}
    view_imports = imports(FORUM / "views.py")
    assert "coopvote.forum.service" not in view_imports
    assert "coopvote.audit" not in view_imports
    assert not {m for m in view_imports if m.startswith("coopvote.ballots.service")}


def test_the_read_models_never_write() -> None:
    tree = ast.parse((FORUM / "views.py").read_text())
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
