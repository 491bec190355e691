"""Keeping and forgetting (issue 18): erasure leaves nothing personal in any column of any
table, the audit chain still verifies, and votes and results are untouched."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from coopvote.audit.models import AuditEvent, AuditNote
from coopvote.audit.service import verify_chain
from coopvote.ballots import service as ballots
from coopvote.ballots.models import Paper, RollEntry
from coopvote.cli import main
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.errors import Conflict
from coopvote.forum import service as forum
from coopvote.members import retention
from coopvote.members import service as members
from coopvote.members.models import AgeBand, Member, MemberStatus, Role, tombstone
from coopvote.members.rules import REGISTER_KEPT, Stage, Transition, retention_stage
from coopvote.results import service as results
from coopvote.results.models import ResultDeclaration
from coopvote.schema import metadata
from coopvote.security import sessions, throttle
from coopvote.security.models import ThrottleCounter, WebSession
from coopvote.security.passwords import hash_password
from tests.factories import make_ballot, make_member, make_proposal

NAME = "Zebedee Quartermaine"
EMAIL = "zebedee.q@example.org"
#: Free text written by or about the member, each unlike anything else in the database.
WRITTEN = {
    "suspension reason": "Zebedee shouted at the harvest supper",
    "leaving reason": "Moved to Leeds with the llamas",
    "proposal title": "Llama paddock behind the sports hall",
    "proposal body": "Llamas are calm and the children adore them.",
    "comment": "I can bring my own llamas on Saturdays",
    "moderation reason": "Zebedee posted a phone number",
}


def every_value(session: Session) -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every column of every row of every table."""
    found = []
    for table in metadata.sorted_tables:
        for row in session.execute(select(table)).mappings():
            for column, value in row.items():
                text = value if isinstance(value, str) else json.dumps(value, default=str)
                found.append((table.name, column, text))
    return found


def holding(session: Session, needle: str) -> list[tuple[str, str]]:
    return sorted({(t, c) for t, c, text in every_value(session) if needle.lower() in text.lower()})


def published(session: Session) -> list[Any]:
    """Everything a vote left: the roll, the papers and the published results."""
    return [
        sorted(
            (r.ballot_id, r.member_id, r.has_voted)
            for r in session.execute(select(RollEntry)).scalars()
        ),
        sorted(json.dumps(p.choice) for p in session.execute(select(Paper)).scalars()),
        [(d.document, d.sha256) for d in session.execute(select(ResultDeclaration)).scalars()],
    ]


def a_full_life(session: Session) -> tuple[Member, str]:
    """A member who voted, wrote, was moderated, suspended, signed in and then ceased; and
    their password's hash."""
    now = utcnow()
    member = make_member(session, name=NAME, email=EMAIL)
    governor = make_member(session, roles=(Role.GOVERNOR,))
    other = make_member(session)
    member.password_hash = hash_password("the member's own password, unlike anyone's")
    assert member.id is not None
    assert governor.id is not None
    assert other.id is not None
    ballot = make_ballot(session)
    ballots.cast_vote(session, ballot, member_id=member.id, paper={"choice": "for"}, now=now)
    ballots.cast_vote(session, ballot, member_id=other.id, paper={"choice": "against"}, now=now)
    ballots.close_ballot(session, ballot, actor_id=None, now=now)
    results.publish_result(session, ballot, actor_id=None, now=now)
    mine = make_proposal(
        session, member, title=WRITTEN["proposal title"], body=WRITTEN["proposal body"]
    )
    theirs = make_proposal(session, other)
    forum.support(session, theirs, member_id=member.id, now=now)
    comment = forum.add_comment(session, mine, WRITTEN["comment"], author_id=member.id, now=now)
    forum.hide_comment(
        session,
        mine,
        comment,
        reason=WRITTEN["moderation reason"],
        actor_id=governor.id,
        now=now,
    )
    for transition, reason in [
        (Transition.SUSPENDED, WRITTEN["suspension reason"]),
        (Transition.REINSTATED, ""),
    ]:
        members.change_status(
            session, member=member, transition=transition, actor_id=None, now=now, reason=reason
        )
    sessions.start_session(session, member.id, now)
    session.add(
        ThrottleCounter(
            key=throttle.account_key(EMAIL), count=1, first_at=now, last_at=now, lapses_at=now
        )
    )
    members.change_status(
        session,
        member=member,
        transition=Transition.CEASED,
        actor_id=None,
        now=now,
        reason=WRITTEN["leaving reason"],
    )
    sessions.start_session(session, member.id, now)  # a session that outlived the membership
    return member, member.password_hash


def test_an_erased_member_is_gone_from_every_column_and_the_chain_still_holds(
    database: Database,
) -> None:
    with database.transaction() as session:
        member, password_hash = a_full_life(session)
        member_id = member.id
        personal = [EMAIL, password_hash, throttle.account_key(EMAIL), *WRITTEN.values()]
        assert all(holding(session, needle) for needle in personal)
        before = published(session)
    with database.transaction() as session:
        erasing = session.get(Member, member_id)
        assert erasing is not None
        retention.erase(session, member=erasing, actor_id=None, now=utcnow(), on_request=True)
    with database.reading() as session:
        for needle in personal:
            assert holding(session, needle) == [], needle
        # The register entry stays, as the Companies Act requires: the name, in one place.
        assert holding(session, NAME) == [("member", "name")]
        assert session.execute(select(WebSession)).all() == []
        assert verify_chain(session).ok
        assert published(session) == before
    with database.transaction() as session:
        removing = session.get(Member, member_id)
        assert removing is not None
        retention.remove_entry(session, member=removing, now=utcnow())
    with database.reading() as session:
        assert holding(session, NAME) == []
        assert verify_chain(session).ok
        assert published(session) == before


def test_erasure_needs_the_membership_ended_first(session: Session) -> None:
    member = make_member(session)
    with pytest.raises(Conflict, match="end the membership first"):
        retention.erase(session, member=member, actor_id=None, now=utcnow(), on_request=True)


def test_the_database_keeps_audit_notes_until_their_member_is_erased(
    database: Database,
) -> None:
    with database.transaction() as session:
        make_member(session, status=MemberStatus.SUSPENDED)  # reason "test", kept apart
    for statement in (delete(AuditNote), update(AuditNote).values(text="rewritten")):
        with pytest.raises(DBAPIError), database.transaction() as session:
            session.execute(statement)
    with database.reading() as session:
        assert session.execute(select(AuditNote)).all()


def test_a_note_slipped_in_afterwards_breaks_verification(database: Database) -> None:
    with database.transaction() as session:
        make_member(session)
        seq = session.execute(select(AuditEvent.__table__.c.seq)).scalars().first()  # type: ignore[attr-defined]
        session.execute(
            insert(AuditNote).values(
                seq=seq, name="reason", text="made up", salt="00", about="member:1"
            )
        )
    with database.reading() as session:
        verdict = verify_chain(session)
    assert not verdict.ok
    assert verdict.first_bad_seq == seq


def test_purge_erases_after_the_setting_and_removes_the_entry_after_ten_years(
    database: Database,
) -> None:
    long_ago = utcnow() - REGISTER_KEPT - timedelta(days=2)
    with database.transaction() as session:
        old = make_member(session, status=MemberStatus.CEASED, name="Old Timer", at=long_ago)
        recent = make_member(session, status=MemberStatus.CEASED, at=utcnow() - timedelta(days=2))
        make_member(session)
        old_id, recent_id = old.id, recent.id
    erase_after = timedelta(days=365)
    with database.reading() as session:
        dry = retention.due(session, now=utcnow(), erase_after=erase_after)
    assert [(d.member.id, d.stage) for d in dry] == [(old_id, Stage.ERASE)]
    assert "Old Timer" in dry[0].describe()
    for _ in range(2):
        with database.transaction() as session:
            retention.purge(session, now=utcnow(), erase_after=erase_after)
    with database.reading() as session:
        old_now = session.get(Member, old_id)
        recent_now = session.get(Member, recent_id)
        assert old_now is not None
        assert recent_now is not None
        old, recent = old_now, recent_now
        assert old.erased_at is not None
        assert old.entry_removed_at is not None
        assert old.name == ""
        assert tombstone(old).startswith("former member ")
        assert recent.erased_at is None
        assert retention.due(session, now=utcnow(), erase_after=erase_after) == []
        assert verify_chain(session).ok


@pytest.mark.parametrize(
    ("status", "days_ago", "erased", "stage"),
    [
        (MemberStatus.ACTIVE, 5000, False, None),
        (MemberStatus.CEASED, 364, False, None),
        (MemberStatus.CEASED, 365, False, Stage.ERASE),
        (MemberStatus.CEASED, 3000, True, None),
        (MemberStatus.CEASED, 3653, True, Stage.REMOVE),
        (MemberStatus.REJECTED, 365, True, Stage.REMOVE),
    ],
)
def test_retention_stages(
    status: MemberStatus, days_ago: int, erased: bool, stage: Stage | None
) -> None:
    now = utcnow()
    assert (
        retention_stage(
            status,
            left_at=now - timedelta(days=days_ago),
            now=now,
            erase_after=timedelta(days=365),
            erased=erased,
            removed=False,
        )
        is stage
    )


def test_register_purge_lists_on_a_dry_run_then_acts(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "COOPVOTE_DATABASE_URL", database.engine.url.render_as_string(hide_password=False)
    )
    with database.transaction() as session:
        gone = make_member(
            session, status=MemberStatus.CEASED, name="Long Gone", at=utcnow() - timedelta(days=400)
        )
        gone_id = gone.id
    cli = CliRunner()
    dry = cli.invoke(main, ["register", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would erase personal data" in dry.output
    assert "Long Gone" in dry.output
    with database.reading() as session:
        assert session.get(Member, gone_id).erased_at is None  # type: ignore[union-attr]
    done = cli.invoke(main, ["register", "purge"])
    assert done.exit_code == 0, done.output
    assert "erase personal data" in done.output
    assert cli.invoke(main, ["register", "purge"]).output.strip() == "Nothing is due."
    with database.reading() as session:
        assert session.get(Member, gone_id).erased_at is not None  # type: ignore[union-attr]


def test_the_register_settings_are_changed_from_the_command_line_within_range(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "COOPVOTE_DATABASE_URL", database.engine.url.render_as_string(hide_password=False)
    )
    cli = CliRunner()
    shown = cli.invoke(main, ["register", "settings"])
    assert shown.output.split() == ["erase_after_days", "365", "minimum_age", "11"]
    refused = cli.invoke(main, ["register", "settings", "--erase-after-days", "4000"])
    assert refused.exit_code == 1
    assert "erase_after_days" in refused.output
    changed = cli.invoke(main, ["register", "settings", "--erase-after-days", "30"])
    assert changed.output.split() == ["erase_after_days", "30", "minimum_age", "11"]
    with database.reading() as session:
        event = session.execute(
            select(AuditEvent.__table__.c.data).where(  # type: ignore[attr-defined]
                AuditEvent.__table__.c.action == "settings.changed"  # type: ignore[attr-defined]
            )
        ).scalar_one()
    assert event == {"erase_after_days": {"from": 365, "to": 30}}


def test_erasure_takes_a_representative_and_a_guardian_from_every_column_too(
    database: Database,
) -> None:
    now = utcnow()
    with database.transaction() as session:
        college = make_member(session, constituency="partners", name="The College")
        college.representative = "Reginald Representative"
        pupil = make_member(session, constituency="students", status=MemberStatus.PENDING)
        pupil.age_band = AgeBand.UNDER_13
        members.record_guardian_consent(
            session, member=pupil, guardian="Gwendolyn Guardian", actor_id=None, now=now
        )
        for member, transition in [(college, Transition.CEASED), (pupil, Transition.REJECTED)]:
            members.change_status(
                session,
                member=member,
                transition=transition,
                actor_id=None,
                now=now,
                reason="Leaving",
            )
        ids = [college.id, pupil.id]
        assert holding(session, "Gwendolyn Guardian")
    with database.transaction() as session:
        for member_id in ids:
            erasing = session.get(Member, member_id)
            assert erasing is not None
            retention.erase(session, member=erasing, actor_id=None, now=now, on_request=True)
    with database.reading() as session:
        assert holding(session, "Reginald Representative") == []
        assert holding(session, "Gwendolyn Guardian") == []
        assert holding(session, "under_13") == []
        assert verify_chain(session).ok
