"""A published result in words and tables: the outcome in one sentence, how the threshold
was applied, and the CSV download. Pure functions of the published document, so a page
shows exactly what was declared."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from coopvote.spreadsheet import safe_cell

THRESHOLD_WORDS = {
    "simple": ("more votes for than against", None),
    "two_thirds": ("at least two-thirds of the votes cast for it", Decimal(2) / 3),
    "three_quarters": ("at least three-quarters of the votes cast for it", Decimal(3) / 4),
}
RESOLUTION_KIND = {
    "simple": "An ordinary resolution",
    "two_thirds": "A two-thirds resolution",
    "three_quarters": "A special resolution",
}
CSV_HEADER = ["section", "round", "option", "votes", "decision"]


def percent(part: int | Decimal, whole: int | Decimal) -> str:
    """A share as a percentage to one place ("66.7 %"); nothing of nothing is "0 %"."""
    if not whole:
        return "0 %"
    share = Decimal(part) * 100 / Decimal(whole)
    return f"{share.quantize(Decimal('0.1')).normalize():f} %"


def names(items: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


#: The methods that fill seats by transferring votes (STV, Meek, IRV): their winners are
#: "elected". Approval, plurality and Schulze pick the options most wanted, which are "chosen"
#: (issue 17: a poll's winning option is not elected to anything).
ELECTING_METHODS = frozenset({"stv", "meek", "irv"})


def winners_word(method: str) -> str:
    """How a result names its winners: "elected" or "chosen"."""
    return "elected" if method in ELECTING_METHODS else "chosen"


def outcome_sentence(result: Mapping[str, Any]) -> str:
    outcome = result["outcome"]
    if outcome == "void":
        quorum = percent(Decimal(result["quorum"]), 1)
        return (
            f"The result is void: {result['votes_cast']} of {result['electorate']} members "
            f"voted ({percent(result['votes_cast'], result['electorate'])}), "
            f"below the quorum of {quorum} of the roll."
        )
    if result["method"] == "resolution":
        in_favour, against = int(result["tallies"]["for"]), int(result["tallies"]["against"])
        verdict = "carried" if outcome == "carried" else "not carried"
        return (
            f"The resolution was {verdict}: {in_favour} for and {against} against "
            f"({percent(in_favour, in_favour + against)} of the votes cast were for)."
        )
    elected = list(result["elected"])
    word = winners_word(result["method"])
    if not result["valid_papers"]:
        return "No valid paper was cast: there was nothing to count, and the seats are unfilled."
    if not elected:
        return f"Nothing was {word}." if word == "chosen" else "Nobody was elected."
    return f"{names(elected)} {'was' if len(elected) == 1 else 'were'} {word}."


def rule_applied(result: Mapping[str, Any]) -> str:
    """The threshold (or quota) and how it was applied to these figures."""
    method = result["method"]
    if method == "resolution":
        threshold = result["threshold"] or "simple"
        words, share = THRESHOLD_WORDS[threshold]
        in_favour, against = int(result["tallies"]["for"]), int(result["tallies"]["against"])
        abstain = int(result["tallies"]["abstain"])
        cast = in_favour + against
        if share is None:
            test = f"{in_favour} for and {against} against"
        else:
            test = f"{in_favour} of {cast} were for it, {percent(in_favour, cast)}"
        return (
            f"{RESOLUTION_KIND[threshold]} is carried with {words}: here {test}. "
            f"Abstentions ({abstain}) are recorded but are not votes cast."
        )
    if method in {"stv", "meek"}:
        # Without a valid paper there is no round, and so no quota to quote.
        quota = (
            f" ({result['rounds'][0]['quota']} votes at the first round)"
            if result["rounds"]
            else ""
        )
        rule = "Scottish STV rules" if method == "stv" else "Meek's method"
        return (
            f"A candidate reaching the quota{quota} is elected; "
            f"surpluses transfer at their value and the lowest candidate is excluded until "
            f"all {result['seats']} seats are filled ({rule})."
        )
    if method == "irv":
        return (
            "A candidate needs more than half of the votes still counting; otherwise the "
            "candidate with fewest votes is excluded and their papers pass to the next "
            "preference."
        )
    if method == "schulze":
        return (
            "Every pair of options is compared on all the papers; the winner is beaten by no "
            "other option along the strongest path of pairwise majorities (winning votes)."
        )
    marks = "marks" if method == "approval" else "votes"
    seats = result["seats"]
    return f"The {seats} option{'s' if seats != 1 else ''} with the most {marks} are chosen."


def quorum_applied(result: Mapping[str, Any]) -> str:
    quorum = Decimal(result["quorum"])
    if not quorum:
        return "No quorum was set."
    needed = quorum * result["electorate"]
    met = "met" if result["quorum_met"] else "not met"
    return (
        f"{percent(quorum, 1)} of the roll ({needed.normalize():f} members) had to vote; "
        f"{result['votes_cast']} did, so the quorum was {met}."
    )


def decisions(round_: Mapping[str, Any]) -> dict[str, str]:
    """What happened to each candidate in a round, in words ("elected: reached the quota")."""
    said: dict[str, list[str]] = {}
    for action in round_["actions"]:
        verb = action["action"].replace("_", " ")
        amount = f" {action['amount']}" if "amount" in action else ""
        said.setdefault(action["candidate"], []).append(f"{verb}{amount} ({action['reason']})")
    return {candidate: "; ".join(words) for candidate, words in said.items()}


def csv_rows(result: Mapping[str, Any]) -> list[list[str]]:
    """First-round tallies, every round's figures with its decisions, and for Schulze the
    pairwise counts, as rows of one table (``CSV_HEADER``), options in the ballot's order."""
    rows = [["tally", "", option, result["tallies"][option], ""] for option in result["candidates"]]
    for round_ in result["rounds"]:
        number = str(round_["round"])
        said = decisions(round_)
        rows += [
            ["round", number, option, round_["votes"][option], said.get(option, "")]
            for option in result["candidates"]
            if option in round_["votes"]
        ]
        rows.append(["round", number, "(exhausted)", round_["exhausted"], ""])
        if "quota" in round_:
            rows.append(["round", number, "(quota)", round_["quota"], ""])
    for row, columns in (result.get("pairwise") or {}).items():
        rows += [
            ["pairwise", "", f"{row} over {column}", str(papers), ""]
            for column, papers in columns.items()
        ]
    return rows


def csv_text(result: Mapping[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows([safe_cell(cell) for cell in row] for row in csv_rows(result))
    return out.getvalue()


def signed(change: Decimal) -> str:
    return f"+{change:f}" if change > 0 else f"{change:f}"


def rounds_table(result: Mapping[str, Any]) -> dict[str, Any]:
    """Every candidate's vote at every round, what it gained or lost by transfer since the
    round before, and the decision taken on it; with each round's exhausted papers and quota.
    A candidate once excluded has no figure ("—")."""
    rounds = result["rounds"]
    rows = []
    for name in result["candidates"]:
        cells: list[dict[str, str]] = []
        previous: Decimal | None = None
        for round_ in rounds:
            vote = round_["votes"].get(name)
            if vote is None:
                cells.append({"votes": "—", "change": "", "decision": ""})
                previous = None
                continue
            moved = Decimal(vote) - previous if previous is not None else Decimal(0)
            kinds = [a["action"] for a in round_["actions"] if a["candidate"] == name]
            decision = ", ".join(kind.replace("_", " ") for kind in kinds)
            cells.append(
                {"votes": vote, "change": signed(moved) if moved else "", "decision": decision}
            )
            previous = Decimal(vote)
        rows.append({"name": name, "cells": cells})
    return {
        "numbers": [round_["round"] for round_ in rounds],
        "rows": rows,
        "exhausted": [round_["exhausted"] for round_ in rounds],
        "quotas": [round_.get("quota", "") for round_ in rounds],
        "decisions": [(round_["round"], decisions(round_)) for round_ in rounds],
    }
