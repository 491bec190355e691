"""The layers point one way: a module imports only from its own layer or the layers below.

Layers, from the bottom: the foundation (errors, clock, settings, the database's engine and
column types, the pure tally); each area's models; each area's pure rules (and the audit
chain); the areas' services and views, in the order below, each using only those before it;
what gathers the areas (the schema's registry and migrations, the scheduler, the demo); and
the ways in (web, cli, app). An import that points up must say why, on its line, with a
comment starting ``# upward:``; there may be at most two.
"""

from __future__ import annotations

from pathlib import Path

import coopvote
from tests.imports import import_lines, imported_modules

PACKAGE = Path(coopvote.__file__).parent
FOUNDATION = {"errors", "clock", "settings", "paging", "markdown", "spreadsheet", "db", "tally"}
#: The areas' services and views, lowest first.
AREAS = [
    "audit",
    "mail",
    "security",
    "members",
    "cooperative",
    "ballots",
    "results",
    "forum",
    "elections",
    "meetings",
]
GATHERERS = {"schema", "scheduler", "demo"}
WAYS_IN = {"web", "cli", "app", "__main__"}
MAX_UPWARD = 2


def rank(module: str) -> tuple[int, int]:
    """(layer, position within the layer) of a module such as ``coopvote.ballots.rules``."""
    parts = module.split(".")[1:]
    top = parts[0] if parts else ""
    if top in FOUNDATION:
        return (0, 0)
    if top in AREAS:
        leaf = parts[1] if len(parts) > 1 else ""
        if leaf == "models":
            return (1, 0)
        if leaf == "rules" or (top, leaf) == ("audit", "chain"):
            return (2, 0)
        return (3, AREAS.index(top))
    if top in GATHERERS:
        return (4, 0)
    assert top in WAYS_IN, f"{module}: which layer is this in?"
    return (5, 0)


def module_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def upward_imports() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "versions" in path.parts or path == PACKAGE / "__init__.py":
            continue
        source = module_of(path)
        imported = [(t, text) for t, text in import_lines(path) if t.startswith("coopvote.")]
        for target, text in imported:
            # ``from coopvote.ballots import rules`` imports the module coopvote.ballots.rules.
            deeper = any(t.startswith(f"{target}.") and is_module(t) for t, _ in imported)
            same_area = target.split(".")[:2] == source.split(".")[:2]
            if not deeper and not same_area and is_module(target) and rank(target) > rank(source):
                found.append((source, target, text))
    return found


def test_imports_point_down_but_for_at_most_two_explained_ones() -> None:
    upward = upward_imports()
    assert [(s, t) for s, t, text in upward if "# upward:" not in text] == []
    assert len(upward) <= MAX_UPWARD


def test_no_web_controller_imports_another() -> None:
    """Pages and API controllers share pieces through the modules beside them in coopvote/web."""
    controllers = ("coopvote.web.api", "coopvote.web.pages")
    offenders = {
        module_of(path): sorted(m for m in imported_modules(path) if m.startswith(controllers))
        for folder in ("api", "pages")
        for path in (PACKAGE / "web" / folder).glob("*.py")
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_every_module_has_a_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        if "versions" not in path.parts and path != PACKAGE / "__init__.py":
            rank(module_of(path))
