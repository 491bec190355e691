"""Pure rules of member mail: which notices are optional, how retries back off, when
reminders fall due, what proves an unsubscribe link genuine. No I/O."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from coopvote.mail.models import Notice, Topic

#: The optional notices, by the topic that turns them off. Everything else (admission,
#: passwords, addresses, invitations) is always sent: a member must hear about their account.
TOPICS: dict[Notice, Topic] = {
    Notice.BALLOT_OPENED: Topic.BALLOTS,
    Notice.BALLOT_REMINDER: Topic.BALLOTS,
    Notice.RESULT_PUBLISHED: Topic.RESULTS,
    Notice.PROPOSAL_THRESHOLD: Topic.FORUM,
    Notice.PROPOSAL_BALLOTED: Topic.FORUM,
    Notice.PROPOSAL_HIDDEN: Topic.FORUM,
}

#: The first retry's delay; each later one doubles, up to ``MAX_RETRY_DELAY``.
FIRST_RETRY_DELAY = timedelta(minutes=1)
MAX_RETRY_DELAY = timedelta(hours=1)
#: A claim's lease: longer than a batch of sends can take (``BATCH`` × the SMTP timeout), so
#: that a live sender's claim never runs out under it; a dead sender's messages wait this long.
LEASE = timedelta(minutes=10)
#: Messages a sender claims at a time.
BATCH = 10
#: When a ballot's members who have not voted are reminded, unless a governor chooses.
DEFAULT_REMINDER_BEFORE_CLOSE = timedelta(hours=48)


def topic_of(notice: Notice) -> Topic | None:
    """The topic that turns ``notice`` off; ``None`` for a notice that is always sent."""
    return TOPICS.get(notice)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt (1, 2, …): one minute,
    doubling each time, at most an hour."""
    delay: timedelta = FIRST_RETRY_DELAY * 2 ** max(attempts - 1, 0)
    return min(delay, MAX_RETRY_DELAY)


def gives_up(attempts: int, max_attempts: int) -> bool:
    """Whether a message that has failed ``attempts`` times is failed for good."""
    return attempts >= max_attempts


def sendable_now(per_minute: int, sent_last_minute: int) -> int:
    """How many more messages may go this minute under the rate limit (never below 0)."""
    return max(per_minute - sent_last_minute, 0)


def default_reminder(opened_at: datetime, closes_at: datetime) -> datetime | None:
    """The default reminder, 48 hours before the close; none when that is not after the
    ballot opened (a short ballot's members have just been told it opened)."""
    due = closes_at - DEFAULT_REMINDER_BEFORE_CLOSE
    return due if due > opened_at else None


def unsubscribe_signature(secret: str, member_public_id: str, topic: str) -> str:
    """What a one-click unsubscribe link carries to prove it was mailed by us to that member
    for that topic (HMAC-SHA256 under the app's secret, hex)."""
    message = f"unsubscribe\0{member_public_id}\0{topic}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def is_unsubscribe_signature(
    secret: str, member_public_id: str, topic: str, signature: str
) -> bool:
    expected = unsubscribe_signature(secret, member_public_id, topic)
    return hmac.compare_digest(expected, signature)
