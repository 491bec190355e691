from typing import Any

from litestar.testing import TestClient
from sqlmodel import Session, select

from coopvote.audit.models import AuditEvent
from coopvote.clock import utcnow
from coopvote.cooperative import service as cooperative
from coopvote.cooperative.service import SettingsChange
from coopvote.cooperative.views import current
from coopvote.db import Database
from coopvote.members.models import Role
from tests.factories import make_member
from tests.web.helpers import form, sign_in


def test_defaults_until_changed_and_every_change_is_audited(session: Session) -> None:
    assert current(session).support_threshold_percent == 5
    cooperative.change(session, SettingsChange(True, None, 10, 3), actor_id=None, now=utcnow())
    assert current(session).results_public
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "settings.changed")).one()
    assert event.data["support_threshold_percent"] == {"from": 5, "to": 10}


def test_admins_change_settings_through_the_page(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, email="admin@example.org", roles=(Role.ADMIN,))
    sign_in(client, "admin@example.org")
    bad = client.post(
        "/admin/settings",
        data=form(client, support_threshold_percent="0", support_threshold_minimum="2"),
    )
    assert bad.status_code == 422
    assert "A percentage from 1 to 100." in bad.text
    client.post(
        "/admin/settings",
        data=form(
            client,
            results_public="on",
            support_threshold_count="7",
            support_threshold_percent="5",
            support_threshold_minimum="2",
        ),
    )
    with database.transaction() as session:
        settings = current(session)
    assert (settings.results_public, settings.support_threshold_count) == (True, 7)
