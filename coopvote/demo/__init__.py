"""The Aylesbury Learning Partnership: demo data that shows every part of coopvote.

Its parts, loaded in this order: the people, last month's published results, the ballots
running now, the forum's proposals, the stakeholder forum elections, and the general meetings
(one held, one called).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from alembic import command
from sqlalchemy import Engine, delete
from sqlmodel import Session, select

from coopvote.demo import ballots, elections, meetings, people, proposals, results, trustees
from coopvote.demo.people import DEMO_PASSWORD as DEMO_PASSWORD  # re-exported for callers
from coopvote.demo.people import DOMAIN as DOMAIN
from coopvote.mail.models import OutboxMessage
from coopvote.members.models import Organisation
from coopvote.schema.migrate import alembic_config


class AlreadyLoaded(Exception):
    pass


def reset(engine: Engine) -> None:
    """Drop everything the migrations made, so the demo starts from an empty database."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")


def load(session: Session, now: datetime) -> list[tuple[str, str]]:
    """Load the demo; returns the sign-ins to print as (who, email)."""
    if session.exec(select(Organisation)).first() is not None:
        raise AlreadyLoaded("The database holds data already; use `coopvote demo --reset`.")
    governor = people.load(session, start=now - timedelta(days=120))
    people.load_register(session, governor, now)
    trustees.load(session, now - timedelta(days=60))
    results.load(session, governor, now)
    ballots.load(session, governor, now)
    proposals.load(session, governor, now)
    elections.load(session, governor, now)
    meetings.load(session, governor, now)
    # The back-story's notices (admissions months ago, last month's results) are not sent;
    # what the demo mails is what happens from now on, starting with one invitation.
    session.execute(delete(OutboxMessage))
    people.imported(session, governor, now)
    return [
        ("governor", f"governor@{DOMAIN}"),
        ("auditor", f"auditor@{DOMAIN}"),
        ("admin", f"admin@{DOMAIN}"),
        ("member", f"member@{DOMAIN}"),
        ("pending applicant", f"applicant@{DOMAIN}"),
        ("partner organisation", f"partner@{DOMAIN}"),
        ("imported (invited)", f"{people.IMPORTED}@{DOMAIN}"),
    ]
