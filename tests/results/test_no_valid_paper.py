"""A ballot closed without a valid paper publishes a result that says so (issue 14)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from coopvote.ballots.models import Method
from coopvote.clock import utcnow
from coopvote.results import service as results
from coopvote.results import summary
from tests.results.helpers import closed_ballot


@pytest.mark.parametrize(
    "method", [Method.IRV, Method.STV, Method.MEEK, Method.SCHULZE, Method.PLURALITY]
)
def test_a_ballot_without_a_paper_publishes_nothing_to_count(
    session: Session, method: Method
) -> None:
    ballot = closed_ballot(session, method, [])
    published = results.publish_result(session, ballot, actor_id=None, now=utcnow())
    result = published.result
    assert result["elected"] == []
    assert result["valid_papers"] == 0
    assert result["tie_breaks"] == []
    assert "nothing to count" in summary.outcome_sentence(result)
    assert "None" not in summary.rule_applied(result)
