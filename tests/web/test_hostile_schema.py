"""schemathesis against the app's own OpenAPI schema (``/schema/openapi.json``), as anonymous,
member and governor: no generated request, however hostile, may get a 5xx. Each operation is a
test of its own (so the workers share them out), with a bounded number of examples: under the
``ci`` Hypothesis profile the same on every run."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar.testing import TestClient

from coopvote.app import create_app
from coopvote.db import Database
from coopvote.members.models import Role
from coopvote.settings import Environment, Settings
from tests.factories import make_ballot, make_member, make_proposal
from tests.web.helpers import sign_in

Client = TestClient[Any]
#: Examples per operation and identity.
EXAMPLES = 10
#: Operations that end the identity's own session or standing, which its later examples need.
SELF_ENDING = {("DELETE", "/api/v1/session"), ("POST", "/api/v1/me/withdraw")}

# The schema as the app serves it; building the app connects to nothing.
schema = schemathesis.openapi.from_dict(
    create_app(Settings(database_url="sqlite://", env=Environment.TEST)).openapi_schema.to_schema()
)
examples = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


def signed_in(client: Client, database: Database, email: str | None) -> Client:
    """``client`` with something to act on, signed in as ``email`` (or not at all)."""
    with database.transaction() as session:
        make_member(session, email="member@example.org")
        make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,))
        make_ballot(session)
        make_proposal(session, make_member(session, email="author@example.org"))
    if email:
        sign_in(client, email)
    return client


@pytest.fixture
def anonymous(client: Client, database: Database) -> Client:
    return signed_in(client, database, None)


@pytest.fixture
def member(client: Client, database: Database) -> Client:
    return signed_in(client, database, "member@example.org")


@pytest.fixture
def governor(client: Client, database: Database) -> Client:
    return signed_in(client, database, "gov@example.org")


def call_without_5xx(client: Client, case: Any) -> None:
    """Send the generated request through ``client`` (its session and CSRF token)."""
    if (case.method.upper(), case.path) in SELF_ENDING and client.cookies.get("coopvote_session"):
        return  # it would end the session that the other examples use
    request = case.as_transport_kwargs(base_url=str(client.base_url))
    request.pop("cookies", None)
    body = request.pop("data", None)
    response = client.request(**request, content=body.encode() if isinstance(body, str) else body)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:300]}"
    )


@schema.parametrize()
@examples
def test_anonymous_requests_never_get_a_5xx(case: Any, anonymous: Client) -> None:
    call_without_5xx(anonymous, case)


@schema.parametrize()
@examples
def test_a_members_requests_never_get_a_5xx(case: Any, member: Client) -> None:
    call_without_5xx(member, case)


@schema.parametrize()
@examples
def test_a_governors_requests_never_get_a_5xx(case: Any, governor: Client) -> None:
    call_without_5xx(governor, case)
