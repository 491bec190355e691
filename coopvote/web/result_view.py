"""A result as its pages show it: shared by the results pages and the governors' preview."""

from __future__ import annotations

from collections.abc import Mapping
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
)


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
        "rounds": rounds_table(result) if method in {Method.IRV, Method.STV, Method.MEEK} else None,
    }
