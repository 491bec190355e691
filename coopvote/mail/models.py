"""The outbox: mail queued in the transaction of the event that causes it, and delivered
later by the sender (``mail.sender``); members' choices of optional notices; and ballots'
reminder times."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from coopvote.db.types import UTCDateTime, enum_column


class MessageState(StrEnum):
    QUEUED = "queued"
    #: Claimed by a sender until ``lease_until``; a sender that dies leaves it to be claimed
    #: again once the lease has run out.
    SENDING = "sending"
    SENT = "sent"
    #: Given up after ``Settings.mail_max_attempts`` attempts; a governor may queue it again.
    FAILED = "failed"


class Notice(StrEnum):
    """What a message is about: its templates are ``templates/mail/<value>.txt`` and
    ``.html``."""

    CONFIRM_EMAIL = "confirm_email"
    ALREADY_REGISTERED = "already_registered"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a kind of message
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a kind of message
    INVITATION = "invitation"
    CONFIRM_NEW_EMAIL = "confirm_new_email"
    EMAIL_CHANGING = "email_changing"
    ADMITTED = "admitted"
    REJECTED = "rejected"
    BALLOT_OPENED = "ballot_opened"
    BALLOT_REMINDER = "ballot_reminder"
    RESULT_PUBLISHED = "result_published"
    PROPOSAL_THRESHOLD = "proposal_threshold"
    PROPOSAL_BALLOTED = "proposal_balloted"
    PROPOSAL_HIDDEN = "proposal_hidden"


class Topic(StrEnum):
    """The optional notices a member may turn off, in groups a person recognises."""

    BALLOTS = "ballots"
    RESULTS = "results"
    FORUM = "forum"


class OutboxMessage(SQLModel, table=True):
    """One message to one address. What it says is rendered when it is sent, from its
    ``notice``'s templates and ``context``; once sent the context is emptied, so a link's
    token lives in the database only until its message has gone."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_state_due", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=320)
    #: How the message greets them.
    recipient_name: str = Field(default="", max_length=200)
    #: ``None`` for a message to an address that belongs to nobody yet (a new address).
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    notice: Notice = Field(sa_column=enum_column(Notice, length=40))
    context: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    state: MessageState = Field(sa_column=enum_column(MessageState))
    attempts: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)
    #: Not to be tried before this moment (retries back off).
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: A claim's random id: only the sender holding the claim may settle the message.
    claim: str | None = Field(default=None, max_length=32)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    last_error: str = Field(default="", max_length=1000)


class NoticeOptOut(SQLModel, table=True):
    """A member who turned a topic of optional notices off."""

    __tablename__ = "notice_opt_out"

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    topic: Topic = Field(sa_column=enum_column(Topic, primary_key=True))


class BallotReminder(SQLModel, table=True):
    """A moment at which the members on a ballot's roll who have not voted are reminded;
    ``sent_count`` is all anyone is ever shown of whom it reached."""

    __tablename__ = "ballot_reminder"

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="ballot.id", index=True)
    due_at: datetime = Field(sa_type=UTCDateTime, index=True)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_count: int = 0
