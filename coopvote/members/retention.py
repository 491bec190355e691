"""Keeping and forgetting (issue 18): erasing a former member's personal data, on request or at
the end of the retention period, and removing their register entry ten years after they
left, leaving a tombstone that votes, results and the audit log still point to.

What erasure leaves: the register entry (name, number, constituency, organisation and the
dates of the membership, ``StatusChange`` without its reasons), as the Companies Act 2006
ss. 113–121 require. What it removes: the email address, the password, an organisation's
representative, a student's age band and consent record, offices, sessions and sign-in
counters, every free text written by or about the member (status reasons, proposals,
comments, moderation reasons, the audit log's kept-apart notes) and their support for
proposals. Nothing about a vote is touched: the roll says only that they were on it (and
whether they voted), and papers name nobody. What removal then takes: the name,
constituency, organisation and consent to the rules, leaving "former member N" (the member
number)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from coopvote import audit
from coopvote.audit.service import erase_notes_about
from coopvote.forum.models import Comment, Proposal, ProposalStatus, Support
from coopvote.mail import service as mail
from coopvote.members.models import NO_PASSWORD, Member, MemberRole, StatusChange, shown_name
from coopvote.members.rules import FORMER, Stage, can_act_on, can_erase, retention_stage
from coopvote.security import sessions, throttle, tokens

#: What an erased proposal and comment read as (the thread around them stays readable).
ERASED_TEXT = "(erased)"


@dataclass(frozen=True)
class Due:
    """A former member's record that retention will act on."""

    member: Member
    left_at: datetime
    stage: Stage

    def describe(self) -> str:
        """One line for the dry run: who (by number and name, as the register knows them),
        when they left, and what will happen."""
        who = shown_name(self.member)
        number = self.member.member_number
        label = f"No. {number} {who}" if number else f"applicant {who}"
        what = "erase personal data" if self.stage is Stage.ERASE else "remove register entry"
        return f"{what}: {label} (left {self.left_at:%Y-%m-%d})"


def due(session: Session, *, now: datetime, erase_after: timedelta) -> list[Due]:
    """Every former member's record on which retention (``rules.retention_stage``) owes an
    action at ``now``, in order of leaving."""
    ended = (
        select(Member, func.max(StatusChange.at))
        .join(StatusChange, col(StatusChange.member_id) == col(Member.id))
        .where(
            col(Member.status).in_(FORMER),
            col(Member.entry_removed_at).is_(None),
            col(StatusChange.to_status) == col(Member.status),
        )
        .group_by(col(Member.id))
        .order_by(func.max(StatusChange.at), col(Member.id))
    )
    found = []
    for member, left in session.exec(ended):
        stage = retention_stage(
            member.status,
            left_at=left,
            now=now,
            erase_after=erase_after,
            erased=member.erased_at is not None,
            removed=False,
        )
        if stage is not None:
            found.append(Due(member, left, stage))
    return found


def purge(session: Session, *, now: datetime, erase_after: timedelta) -> list[Due]:
    """Apply retention: erase or remove every record ``due`` (``coopvote register purge``).
    Returns what was done. A record due for both (an applicant turned away long ago) is
    erased now and removed at the next run."""
    done = due(session, now=now, erase_after=erase_after)
    for item in done:
        if item.stage is Stage.ERASE:
            erase(session, member=item.member, actor_id=None, now=now, on_request=False)
        else:
            remove_entry(session, member=item.member, now=now)
    return done


def erase(
    session: Session, *, member: Member, actor_id: int | None, now: datetime, on_request: bool
) -> Member:
    """Erase everything about a former member but their register entry (module docstring),
    with ``member.erased`` in the audit log, which the database requires before it lets the
    log's kept-apart notes about them go. ``actor_id`` is the admin acting on the member's
    request (``None``: the command line, or retention). Raises ``NotAllowed`` for one's own
    record, ``Conflict`` for someone still a member, or erased already."""
    can_act_on(actor_id, member.id).ensure()
    session.refresh(member, with_for_update=True)
    can_erase(member.status, erased=member.erased_at is not None).ensure()
    assert member.id is not None
    email = member.email
    member.email = f"erased-{member.id}@erased.invalid"
    member.password_hash = NO_PASSWORD
    member.representative = None
    member.age_band = None
    member.privacy_version = None
    member.guardian_consent_by, member.guardian_consent_at = None, None
    member.erased_at = now
    session.add(member)
    session.execute(
        update(StatusChange).where(col(StatusChange.member_id) == member.id).values(reason="")
    )
    for held in session.exec(select(MemberRole).where(MemberRole.member_id == member.id)):
        session.delete(held)
    sessions.end_all_sessions(session, member.id)
    throttle.forget(session, [throttle.account_key(email)])
    mail.forget(session, member_id=member.id, email=email)
    tokens.forget(session, member.id)
    _erase_writing(session, member.id, now)
    session.flush()
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action="member.erased",
        subject=audit.member_subject(member),
        now=now,
        data={"on_request": on_request},
    )
    erase_notes_about(session, audit.member_subject(member))
    return member


def _erase_writing(session: Session, member_id: int, now: datetime) -> None:
    """The member's own words in the forum, and moderators' reasons about them, and which
    proposals they supported. A proposal still gathering support is withdrawn: nobody can
    support, nor put to a ballot, a proposal with no words left. A proposal put to a ballot
    keeps its ballot: the ballot's description is the co-operative's record of what was
    decided."""
    session.execute(
        update(Proposal)
        .where(col(Proposal.author_id) == member_id)
        .values(title=ERASED_TEXT, body="", hidden_reason="")
    )
    session.execute(
        update(Proposal)
        .where(col(Proposal.author_id) == member_id, col(Proposal.status) == ProposalStatus.OPEN)
        .values(status=ProposalStatus.WITHDRAWN, withdrawn_at=now)
    )
    session.execute(
        update(Comment)
        .where(col(Comment.author_id) == member_id)
        .values(body=ERASED_TEXT, hidden_reason="")
    )
    for support in session.exec(select(Support).where(Support.member_id == member_id)):
        session.delete(support)


def remove_entry(session: Session, *, member: Member, now: datetime) -> Member:
    """Remove an erased former member's register entry (name, constituency, organisation,
    consent to the rules), leaving the tombstone; recorded as ``member.entry_removed``. Only
    retention does this, when ``rules.retention_stage`` says so."""
    member.name = ""
    member.constituency_id = None
    member.organisation_id = None
    member.agreed_to_rules_at = None
    member.entry_removed_at = now
    session.add(member)
    session.flush()
    audit.record(
        session,
        actor=audit.SYSTEM,
        action="member.entry_removed",
        subject=audit.member_subject(member),
        now=now,
    )
    return member
