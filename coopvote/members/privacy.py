"""Members' rights over their data (issue 18): the privacy notice (its versions, and which
one each member accepted) and the subject access export, everything the co-operative holds
about one member.

It holds nothing about any vote (which ballots a member was on the roll of, or voted in):
the secret ballot keeps no link between a member and a paper, and the roll is the register's
record for the ballot, not the member's to take away; nor anything about another member (who
made a change to their record is named only by office, and moderators not at all)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from coopvote import audit
from coopvote.errors import Conflict, InvalidInput
from coopvote.forum.models import Comment, Proposal, Support
from coopvote.members.models import Member, MemberRole, PrivacyNotice, StatusChange
from coopvote.members.views import summary, term_end
from coopvote.security.models import WebSession

#: The notice in force until an admin publishes one (version 1). ``{cooperative}`` is the
#: co-operative's name. It follows the ICO's guidance on the right to be informed (UK GDPR
#: Arts. 13 and 14): who, what, why, the lawful basis, how long, rights, and whom to ask.
DEFAULT_NOTICE = """\
## Who we are

{cooperative} (the co-operative) keeps this register of members and runs its ballots. The
co-operative is the controller of your personal data. Ask the co-operative's secretary, or any
governor, about anything in this notice.

## What we hold, and why

- **Your register entry**: your name, member number, constituency, school or organisation, and
  when you joined and left. The law requires a company to keep a register of its members
  (Companies Act 2006, section 113): our lawful basis is a *legal obligation*.
- **Your contact details and password** (only its hash), so that you can sign in, vote and be
  told about meetings and ballots: *performance of the membership* you applied for.
- **What you write**: proposals, comments and the proposals you support: *legitimate interests*
  in running a democratic co-operative.
- **Consent records**: that you agreed to the rules, which version of this notice you accepted,
  and for a student under 13, which parent or carer consented.
- **How you voted is not held by anyone.** The ballot is secret: your paper is stored with no
  link to you. We record only that you voted.

For students we ask only whether you are old enough to join and whether you are under 13.

## How long we keep it

Your contact details, password, what you wrote and consent records are erased a year after you
leave (or sooner, if you ask and the law allows). Your register entry is kept for ten years
after you leave, as the Companies Act 2006 (section 121) allows, and then removed. The audit
log keeps that "member 123" did something, never your name.

## Your rights

You can see everything we hold about you and download it (*My membership → My data*), correct
your details, object, and ask us to erase your data once your membership has ended. You can
complain to the Information Commissioner's Office (ico.org.uk).
"""

#: Bumped when the export's shape changes, so that a reader knows which one it holds.
EXPORT_VERSION = 2  # 2: details gained the membership term
MAX_NOTICE = 20_000


def subject_access(session: Session, member: Member, *, now: datetime) -> dict[str, Any]:
    """Every piece of personal data about ``member``, as JSON-ready values (UK GDPR Art. 15
    and 20): their details (with their membership's term, where it lapses), status history
    (with the reasons they were given), offices, consent records, proposals, comments, the
    proposals they support and their sign-in sessions. Times are ISO 8601 in UTC."""
    assert member.id is not None
    me = summary(session, member)
    history = session.exec(
        select(StatusChange)
        .where(StatusChange.member_id == member.id)
        .order_by(col(StatusChange.at), col(StatusChange.id))
    ).all()
    proposals = session.exec(
        select(Proposal).where(Proposal.author_id == member.id).order_by(col(Proposal.id))
    ).all()
    comments = session.exec(
        select(Comment, Proposal.public_id)
        .join(Proposal, col(Proposal.id) == col(Comment.proposal_id))
        .where(Comment.author_id == member.id)
        .order_by(col(Comment.id))
    ).all()
    supported = session.exec(
        select(Support, Proposal.public_id, Proposal.title)
        .join(Proposal, col(Proposal.id) == col(Support.proposal_id))
        .where(Support.member_id == member.id)
        .order_by(col(Support.id))
    ).all()
    signed_in = session.exec(
        select(WebSession)
        .where(WebSession.member_id == member.id)
        .order_by(col(WebSession.created_at))
    ).all()
    offices = session.exec(select(MemberRole.role).where(MemberRole.member_id == member.id))
    return {
        "export_version": EXPORT_VERSION,
        "exported_at": _time(now),
        "details": {
            "id": member.public_id,
            "name": member.name,
            "representative": member.representative,
            "email": member.email,
            "status": member.status.value,
            "member_number": member.member_number,
            "constituency": me.constituency_name,
            "organisation": me.organisation_name,
            "applied_at": _time(member.applied_at),
            "term_started_at": _time(member.term_started_at),
            "term_ends_at": _time(term_end(session, member)),
        },
        "consent": {
            "agreed_to_rules_at": _time(member.agreed_to_rules_at),
            "privacy_notice_version": member.privacy_version,
            "age_band": member.age_band.value if member.age_band else None,
            "guardian_consent_by": member.guardian_consent_by,
            "guardian_consent_at": _time(member.guardian_consent_at),
        },
        "status_history": [
            {
                "at": _time(change.at),
                "from": change.from_status.value if change.from_status else None,
                "to": change.to_status.value,
                "reason": change.reason,
                "by": "you"
                if change.actor_id == member.id
                else "an officer"
                if change.actor_id
                else "the co-operative",
            }
            for change in history
        ],
        "offices": sorted(str(role) for role in offices),
        "proposals": [
            {
                "id": p.public_id,
                "title": p.title,
                "body": p.body,
                "status": p.status.value,
                "created_at": _time(p.created_at),
                "edited_at": _time(p.edited_at),
                "withdrawn_at": _time(p.withdrawn_at),
                "hidden_at": _time(p.hidden_at),
                "hidden_reason": p.hidden_reason,
            }
            for p in proposals
        ],
        "comments": [
            {
                "proposal": proposal_id,
                "body": c.body,
                "created_at": _time(c.created_at),
                "edited_at": _time(c.edited_at),
                "hidden_at": _time(c.hidden_at),
                "hidden_reason": c.hidden_reason,
            }
            for c, proposal_id in comments
        ],
        "support": [
            {"proposal": proposal_id, "title": title, "at": _time(s.at)}
            for s, proposal_id, title in supported
        ],
        "sessions": [
            {"started_at": _time(s.created_at), "last_seen_at": _time(s.last_seen_at)}
            for s in signed_in
        ],
    }


def _time(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


@dataclass(frozen=True)
class Notice:
    version: int
    #: Markdown, the co-operative's name filled in.
    text: str
    published_at: datetime | None


def current_notice(session: Session, *, cooperative: str) -> Notice:
    """The privacy notice in force: the newest an admin published, else the default."""
    latest = session.exec(
        select(PrivacyNotice).order_by(col(PrivacyNotice.version).desc()).limit(1)
    ).first()
    if latest is None:
        return Notice(1, DEFAULT_NOTICE.replace("{cooperative}", cooperative), None)
    return Notice(latest.version, latest.text, latest.published_at)


def current_version(session: Session) -> int:
    """The version of the notice in force (1 until an admin publishes one)."""
    latest = session.exec(select(func.max(PrivacyNotice.version))).one()
    return latest or 1


def needs_review(session: Session, member: Member) -> bool:
    """Whether a member has yet to see the notice in force (it changed since they last
    accepted one): shown at their next sign-in."""
    return member.privacy_version != current_version(session)


def publish_notice(session: Session, *, text: str, actor_id: int | None, now: datetime) -> int:
    """An admin publishes a new version of the privacy notice; members see it at their next
    sign-in. Returns its version. Raises ``InvalidInput`` for an empty or overlong text."""
    text = text.strip()
    if not text or len(text) > MAX_NOTICE:
        raise InvalidInput(
            "Write the notice (at most 20,000 characters).",
            field_errors={"text": "Write the notice, at most 20,000 characters."},
        )
    version = current_version(session) + 1
    session.add(PrivacyNotice(version=version, text=text, published_at=now))
    session.flush()
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action="privacy_notice.published",
        subject="privacy_notice",
        now=now,
        data={"version": version, "sha256": hashlib.sha256(text.encode()).hexdigest()},
    )
    return version


def accept_notice(session: Session, *, member: Member, version: int, now: datetime) -> int:
    """Record that the member has read ``version`` of the notice, the one they were shown;
    returns it. Raises ``Conflict`` when that is not the version in force (an admin published
    another meanwhile): a member accepts only what they saw (UK GDPR Art. 7(1), 13)."""
    if version != current_version(session):
        raise Conflict("The privacy notice has just changed: please read this version.")
    member.privacy_version = version
    session.add(member)
    session.flush()
    audit.record(
        session,
        actor=audit.member_actor(member.id),
        action="member.privacy_accepted",
        subject=audit.member_subject(member),
        now=now,
        data={"version": member.privacy_version},
    )
    return member.privacy_version
