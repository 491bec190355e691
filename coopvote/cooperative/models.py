"""The co-operative's own choices, changed by admins and audited."""

from __future__ import annotations

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel


class CooperativeSettings(SQLModel, table=True):
    """One row: the settings in force."""

    __tablename__ = "cooperative_settings"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    #: Published results are shown to anyone, not only to signed-in members.
    results_public: bool = False
    #: Support a proposal needs before it can go to a ballot: a fixed number of supporters
    #: when set, otherwise a percentage of the active members in the proposal's scope…
    support_threshold_count: int | None = None
    support_threshold_percent: int = 5
    #: … but never fewer than this.
    support_threshold_minimum: int = 2
    #: Days after a member leaves (or an applicant is turned away) before everything but the
    #: register entry is erased (``members.retention``); the UK GDPR's storage limitation.
    erase_after_days: int = 365
    #: The youngest a student may be to join (the co-operative's rules); under 13 a parent's
    #: or carer's consent is needed as well.
    minimum_age: int = 11
    #: General meetings (issue 16): clear days of notice (Companies Act 2006 s. 307: at least
    #: 14), the proxy deadline in hours before the meeting (s. 327: at most 48), how many
    #: members one proxy may represent, the quorum in members present in person or by proxy
    #: (s. 318: 2), and how many weeks before the meeting a members' resolution must be proposed.
    notice_clear_days: int = 14
    proxy_deadline_hours: int = 48
    proxy_cap: int = 5
    meeting_quorum: int = 2
    members_resolution_weeks: int = 6
