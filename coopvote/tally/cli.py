"""`coopvote tally FILE --method … [--seats N] [--json]`: recount published papers.

FILE is a BLT file, the JSON served by `/cast-votes` (`[{"receipt", "paper"}, ...]`), or
the recount file served by `/recount` (`{"options", "tie_order", "seats", "cast_votes", ...}`).
Where lots must be drawn, the candidates' order in the file is the tie order (the
convention of Droop and OpenSTV); in `/cast-votes` JSON, that is the order in which the
candidates first appear; the recount file states it. The app's BLT export lists candidates
in its published tie order, so recounting either download reproduces the published result,
ties included.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import click

from coopvote.tally.blt import BltError, read_blt
from coopvote.tally.counting import METHODS, RANKED_METHODS, count, count_ranked
from coopvote.tally.papers import paper_entries
from coopvote.tally.types import InvalidPaper, Result, decimal_string

METHOD_NAMES = {
    "irv": "Instant-runoff voting",
    "stv": "Single transferable vote, Scottish rules",
    "meek": "Meek STV (PR Foundation reference rule)",
    "schulze": "Schulze method (winning votes)",
    "plurality": "Plurality (first past the post)",
    "approval": "Approval voting",
    "resolution": "Resolution (for, against, abstain)",
}


@click.command("tally")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--method",
    required=True,
    type=click.Choice(METHODS),
    help="How to count.",
)
@click.option(
    "--seats", type=click.IntRange(min=1), help="Seats to fill (default: from the file, or 1)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def tally(file: Path, method: str, seats: int | None, as_json: bool) -> None:
    """Count the papers in FILE (BLT, or the JSON of /cast-votes) and print the result."""
    text = file.read_text(encoding="utf-8-sig")
    try:
        result, title = _count_file(text, method, seats)
    except (BltError, InvalidPaper, ValueError) as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(count_sheet(result, title))


def _count_file(text: str, method: str, seats: int | None) -> tuple[Result, str | None]:
    if text.lstrip().startswith("{"):
        return _count_recount_file(json.loads(text), method, seats), None
    if text.lstrip().startswith("["):
        return _count_cast_votes(json.loads(text), method, seats or 1), None
    if method == "resolution":
        raise ValueError("a BLT file holds ranked papers, not a resolution's")
    election = read_blt(text)
    result = count_ranked(
        method,
        election.candidates,
        election.ballots,
        seats=seats or election.seats,
        tie_order=election.candidates,
        withdrawn=election.withdrawn,
    )
    return result, election.title


def _count_cast_votes(data: Any, method: str, seats: int) -> Result:
    if not isinstance(data, list):
        raise ValueError("the /cast-votes JSON is a list of {receipt, paper} objects")
    papers = [item.get("paper") if isinstance(item, dict) else item for item in data]
    if method == "resolution":
        return count(method, [], papers)
    key = "ranking" if method in RANKED_METHODS else "choices"
    candidates: dict[str, None] = {}  # in order of first appearance
    for paper in papers:
        candidates.update(dict.fromkeys(paper_entries(paper, key)))
    if not candidates:
        raise ValueError("the file holds no marked paper, so no candidate is known")
    return count(method, list(candidates), papers, seats=seats, tie_order=list(candidates))


def _count_recount_file(data: Any, method: str, seats: int | None) -> Result:
    """The app's recount file: its options name the candidates (papers give their ids), and
    it states the tie order; a resolution's threshold, quorum and roll come with it."""
    options, cast_votes = data.get("options"), data.get("cast_votes")
    tie_order = data.get("tie_order")
    if not all(isinstance(part, list) for part in (options, tie_order, cast_votes)):
        raise ValueError(
            "expected the /cast-votes JSON (a list of {receipt, paper} objects) or a recount "
            "file (with options, tie_order and cast_votes)"
        )
    labels = {str(option["id"]): option["label"] for option in options}
    papers = [item.get("paper") if isinstance(item, dict) else item for item in cast_votes]
    if method != "resolution":
        key = "ranking" if method in RANKED_METHODS else "choices"
        try:
            papers = [{key: [labels[i] for i in paper_entries(p, key)]} for p in papers]
        except KeyError as error:
            raise InvalidPaper(f"a paper names an option the file does not list: {error}") from None
    return count(
        method,
        list(labels.values()),
        papers,
        seats=seats or data.get("seats") or 1,
        tie_order=tie_order,
        threshold=data.get("threshold"),
        quorum=Fraction(data.get("quorum") or 0),
        electorate=data.get("electorate"),
    )


def count_sheet(result: Result, title: str | None = None) -> str:
    """The count as a readable sheet: every round's figures and what was decided on them."""
    lines = [title] if title else []
    lines.append(f"{METHOD_NAMES.get(result.method, result.method)}: {result.seats} seat(s)")
    lines.append(f"Valid papers: {result.valid_papers}   Blank papers: {result.blank_papers}")
    width = max((len(name) for name in result.candidates), default=0) + 2
    width = max(width, len("Lost to rounding") + 2)
    for round_ in result.rounds:
        lines.append("")
        heading = f"Round {round_.number}"
        if round_.quota is not None:
            needed = "quota" if result.method in ("stv", "meek") else "needed to win"
            heading += f"   ({needed} {decimal_string(round_.quota)})"
        lines.append(heading)
        for name, vote in round_.votes.items():
            lines.append(f"  {name:<{width}}{decimal_string(vote):>16}")
        lines.append(f"  {'Exhausted':<{width}}{decimal_string(round_.exhausted):>16}")
        if round_.lost_to_rounding:
            lost = decimal_string(round_.lost_to_rounding)
            lines.append(f"  {'Lost to rounding':<{width}}{lost:>16}")
        for action in round_.actions:
            amount = f" {decimal_string(action.amount)}" if action.amount is not None else ""
            verb = action.kind.value.replace("_", " ")
            lines.append(f"  -> {action.candidate}: {verb}{amount} ({action.reason})")
    if result.ranking is not None:
        lines.append("")
        lines.append("Ranking: " + ", ".join(result.ranking))
    if result.strongest_paths:
        lines.append("Strongest paths (row over column):")
        for row, columns in result.strongest_paths.items():
            cells = ", ".join(f"{column} {strength}" for column, strength in columns.items())
            lines.append(f"  {row}: {cells}")
    for tie in result.tie_breaks:
        how = "by lot" if tie.decided_at_round is None else f"by round {tie.decided_at_round}"
        tied = ", ".join(tie.tied)
        lines.append(f"Tie in round {tie.round} ({tie.purpose}): {tied} -> {tie.chosen}, {how}")
    lines.append("")
    if result.outcome is not None:
        lines.append("Outcome: " + result.outcome.value.replace("_", " "))
    else:
        lines.append("Elected: " + (", ".join(result.elected) or "nobody"))
    return "\n".join(lines)
