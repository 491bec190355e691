"""A result as its pages show it: shared by the results pages and the governors' preview."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from markupsafe import Markup

from coopvote.ballots.models import Method
from coopvote.results.chart import result_chart
from coopvote.results.summary import (
    outcome_sentence,
    percent,
    quorum_applied,
    rounds_table,
    rule_applied,
    winners_word,
)


def figure(value: Any) -> str:
    """A count as people read it: a whole number of papers without decimals ("9", not
    "9.00000"), a fractional vote (transferred at a value) exactly as counted."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)  # "—" for a candidate no longer counted
    return str(int(number)) if number == number.to_integral_value() else str(value)


def _whole(rounds: dict[str, Any]) -> dict[str, Any]:
    rows = [
        {**row, "cells": [{**cell, "votes": figure(cell["votes"])} for cell in row["cells"]]}
        for row in rounds["rows"]
    ]
    return {
        **rounds,
        "rows": rows,
        "exhausted": [figure(v) for v in rounds["exhausted"]],
        "quotas": [figure(v) if v != "" else v for v in rounds["quotas"]],
    }


def result_view(result: Mapping[str, Any]) -> dict[str, Any]:
    """What the result partial shows, worked out here so that the template only lays it out.
    (The partial also wants ``method_name`` from its page.)"""
    method = Method(result["method"])
    return {
        "result": result,
        "ranked": method.is_ranked,
        "sentence": outcome_sentence(result),
        "rule": rule_applied(result),
        "quorum": quorum_applied(result),
        "turnout": percent(result["votes_cast"], result["electorate"]),
        # Built by result_chart, which escapes every label and figure it writes.
        "chart": Markup(result_chart(result)),  # noqa: S704
        "rounds": _whole(rounds_table(result))
        if method in {Method.IRV, Method.STV, Method.MEEK}
        else None,
        "tallies": {name: figure(votes) for name, votes in result["tallies"].items()},
        "winners_word": winners_word(result["method"]),
    }
