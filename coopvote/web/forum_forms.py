"""The forum's forms on the pages: a member's proposal, and a governor's promotion of one to a
ballot. Each keeps its fields as typed, so that a refused form is shown again as it was."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from coopvote.ballots.models import Threshold
from coopvote.errors import InvalidInput
from coopvote.forum.page_views import ProposalFormPage
from coopvote.forum.service import BallotSchedule, ProposalText
from coopvote.web.forms import local_time, text


@dataclass(frozen=True)
class ProposalForm:
    """The proposal form's fields, as typed. Each is text, so reading them cannot fail; the
    forum's service then reports every field's problem at once (title, body, scope)."""

    title: str = ""
    body: str = ""
    #: An organisation's slug, or ``""`` for the whole trust.
    organisation: str = ""

    @classmethod
    def read(cls, data: dict[str, Any]) -> ProposalForm:
        return cls(text(data, "title"), text(data, "body"), text(data, "organisation").strip())

    @classmethod
    def of(cls, shown: ProposalFormPage) -> ProposalForm:
        """Filled in with the proposal being edited as it stands; empty for a new one."""
        if shown.editing is None:
            return cls()
        p, scope = shown.editing.proposal, shown.editing.organisation
        return cls(p.title, p.body, scope.slug if scope else "")

    def text(self) -> ProposalText:
        return ProposalText(self.title, self.body, self.organisation or None)

    def fields(self) -> dict[str, str]:
        return {"title": self.title, "body": self.body, "organisation": self.organisation}


@dataclass(frozen=True)
class PromotionForm:
    """The form that puts a proposal to a ballot: its threshold, and when it opens (empty: by
    hand) and closes, in the co-operative's time zone."""

    threshold: str = Threshold.SIMPLE.value
    opens_at: str = ""
    closes_at: str = ""

    @classmethod
    def read(cls, data: dict[str, Any]) -> PromotionForm:
        threshold = text(data, "threshold") or cls.threshold  # a select always sends one
        return cls(threshold, text(data, "opens_at"), text(data, "closes_at"))

    def schedule(self, zone: ZoneInfo) -> BallotSchedule:
        """The schedule, once every field reads; otherwise every field's problem at once."""
        problems: dict[str, str] = {}
        threshold = Threshold.SIMPLE
        if self.threshold not in set(Threshold):
            problems["threshold"] = "Choose a threshold."
        else:
            threshold = Threshold(self.threshold)
        times: dict[str, datetime | None] = {}
        for name in ("opens_at", "closes_at"):
            try:
                times[name] = local_time(self.fields(), name, zone)
            except InvalidInput as problem:
                problems.update(problem.field_errors)
        if "closes_at" in times and times["closes_at"] is None:
            problems["closes_at"] = "Say when voting closes."
        if problems:
            raise InvalidInput("Please correct the marked fields.", field_errors=problems)
        return BallotSchedule(times["closes_at"], times["opens_at"], threshold)

    def fields(self) -> dict[str, str]:
        return {"threshold": self.threshold, "opens_at": self.opens_at, "closes_at": self.closes_at}
