"""A signed-in office holder and a few audit events, for the audit API and page tests."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from coopvote.db import Database
from coopvote.members.models import Role
from tests.audit.chains import append
from tests.factories import make_member
from tests.web.helpers import sign_in

OFFICER_NAME = "Olu Officer"


def signed_in_as(client: TestClient[Any], database: Database, *roles: Role) -> int:
    """Sign in a member holding ``roles``, who then admitted members 0 to 4; returns their id."""
    with database.transaction() as session:
        member = make_member(session, name=OFFICER_NAME, email="officer@example.org", roles=roles)
        append(session, 5, actor=f"member:{member.id}")
    sign_in(client, "officer@example.org")
    assert member.id is not None
    return member.id
