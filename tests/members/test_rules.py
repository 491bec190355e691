"""The membership rules on their own: what may be offered, granted and taken away."""

import pytest

from coopvote.errors import Conflict, InvalidInput, NotAllowed
from coopvote.members.models import MemberStatus, Role
from coopvote.members.rules import (
    GOVERNOR_ACTIONS,
    Transition,
    can_change_status,
    can_grant_office,
    can_revoke_office,
)


def offered(status: MemberStatus) -> list[str]:
    return [
        name
        for name, transition in GOVERNOR_ACTIONS.items()
        if can_change_status(status, transition, by_the_member=False)
    ]


def test_a_governor_is_offered_only_the_actions_that_fit_the_status() -> None:
    assert offered(MemberStatus.PENDING) == ["approve", "reject"]
    assert offered(MemberStatus.ACTIVE) == ["suspend", "cease"]
    assert offered(MemberStatus.SUSPENDED) == ["reinstate", "cease"]
    assert offered(MemberStatus.CEASED) == []


def test_only_members_themselves_withdraw_and_that_is_all_they_do() -> None:
    assert can_change_status(MemberStatus.ACTIVE, Transition.WITHDREW, by_the_member=True)
    refusals = [
        can_change_status(MemberStatus.ACTIVE, Transition.WITHDREW, by_the_member=False),
        can_change_status(MemberStatus.ACTIVE, Transition.SUSPENDED, by_the_member=True),
    ]
    assert all(isinstance(verdict.refusal, NotAllowed) for verdict in refusals)
    ceased = can_change_status(MemberStatus.CEASED, Transition.WITHDREW, by_the_member=True)
    assert isinstance(ceased.refusal, Conflict)


ACTIVE = MemberStatus.ACTIVE


def test_offices_are_granted_once_and_membership_never() -> None:
    assert can_grant_office("Pat", Role.AUDITOR, frozenset(), ACTIVE)
    assert isinstance(
        can_grant_office("Pat", Role.MEMBER, frozenset(), ACTIVE).refusal, InvalidInput
    )
    twice = can_grant_office("Pat", Role.AUDITOR, frozenset({Role.AUDITOR}), ACTIVE)
    with pytest.raises(Conflict, match="Pat is already auditor"):
        twice.ensure()


def test_the_last_admin_keeps_the_office() -> None:
    admin = frozenset({Role.ADMIN})
    assert can_revoke_office("Pat", Role.ADMIN, admin, admins=2)
    last = can_revoke_office("Pat", Role.ADMIN, admin, admins=1)
    with pytest.raises(Conflict, match="at least one admin"):
        last.ensure()
    assert isinstance(can_revoke_office("Pat", Role.GOVERNOR, admin, admins=1).refusal, Conflict)


def test_only_an_admin_ends_an_office_holders_standing_and_never_the_last_admins() -> None:
    from coopvote.members.rules import can_act_on, can_end_standing

    admin, governor = frozenset({Role.ADMIN}), frozenset({Role.GOVERNOR})
    for transition in (Transition.SUSPENDED, Transition.CEASED):
        by_governor = can_end_standing(transition, governor, by_admin=False, admins=2)
        assert isinstance(by_governor.refusal, NotAllowed)
        assert can_end_standing(transition, governor, by_admin=True, admins=1)
        last = can_end_standing(transition, admin, by_admin=True, admins=1)
        assert isinstance(last.refusal, Conflict)
    assert can_end_standing(Transition.SUSPENDED, frozenset(), by_admin=False, admins=1)
    withdrawing = can_end_standing(Transition.WITHDREW, admin, by_admin=False, admins=1)
    assert isinstance(withdrawing.refusal, Conflict)
    assert isinstance(can_act_on(7, 7).refusal, NotAllowed)
    assert can_act_on(None, 7)
    assert can_act_on(6, 7)
