from sqlmodel import Session, select

from coopvote.clock import utcnow
from coopvote.errors import Conflict
from coopvote.members import service as members
from coopvote.members.models import MemberRole, Role
from coopvote.web.deps import attempt
from tests.factories import make_member


def test_a_refused_action_leaves_nothing_behind_and_the_request_goes_on(session: Session) -> None:
    member = make_member(session)

    def grants_then_is_refused() -> None:
        members.grant_role(session, member=member, role=Role.AUDITOR, actor_id=None, now=utcnow())
        raise Conflict("refused after a first change")

    problem = attempt(session, grants_then_is_refused)
    assert isinstance(problem, Conflict)
    assert session.exec(select(MemberRole)).all() == []
    assert (
        attempt(
            session,
            lambda: members.grant_role(
                session, member=member, role=Role.AUDITOR, actor_id=None, now=utcnow()
            ),
        )
        is None
    )
    assert len(session.exec(select(MemberRole)).all()) == 1
