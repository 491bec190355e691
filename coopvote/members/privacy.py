"""Members' rights over their data (issue 18): the subject access export, everything the
co-operative holds about one member. Nothing here writes.

It holds nothing about any vote (which ballots a member was on the roll of, or voted in):
the secret ballot keeps no link between a member and a paper, and the roll is the register's
record for the ballot, not the member's to take away; nor anything about another member (who
made a change to their record is named only by office, and moderators not at all)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from coopvote.forum.models import Comment, Proposal, Support
from coopvote.members.models import Member, MemberRole, StatusChange
from coopvote.members.views import summary
from coopvote.security.models import WebSession

#: Bumped when the export's shape changes, so that a reader knows which one it holds.
EXPORT_VERSION = 1


def subject_access(session: Session, member: Member, *, now: datetime) -> dict[str, Any]:
    """Every piece of personal data about ``member``, as JSON-ready values (UK GDPR Art. 15
    and 20): their details, status history (with the reasons they were given), offices,
    consent records, proposals, comments, the proposals they support and their sign-in
    sessions. Times are ISO 8601 in UTC."""
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
        },
        "consent": {
            "agreed_to_rules_at": _time(member.agreed_to_rules_at),
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
