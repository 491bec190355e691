"""The ballot forms of the pages: a governor's ballot definition, and a member's paper."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from coopvote.ballots.models import Ballot, BallotOption, Method, Threshold
from coopvote.ballots.rules import RANKED, Definition, parse_paper, ranking_from_positions
from coopvote.errors import InvalidInput
from coopvote.web.forms import (
    FieldProblems,
    listed,
    local_time,
    number_text,
    text,
    whole_number,
)

RESOLUTION_CHOICES = {"for": "For", "against": "Against", "abstain": "Abstain"}


@dataclass(frozen=True)
class BallotForm:
    """The definition form, as typed (``values``: field name → text, or list of texts)."""

    values: Mapping[str, Any]

    @classmethod
    def blank(cls) -> BallotForm:
        return cls({"method": "resolution", "seats": "1", "quorum": "0"})

    @classmethod
    def of(cls, ballot: Ballot, labels: Sequence[str]) -> BallotForm:
        """A stored ballot as the values of its edit form."""
        return cls(
            {
                "title": ballot.title,
                "description": ballot.description,
                "method": ballot.method.value,
                "options": "\n".join(labels),
                "seats": str(ballot.seats),
                "max_choices": str(ballot.max_choices or ""),
                "threshold": ballot.threshold.value if ballot.threshold else "",
                "quorum": f"{ballot.quorum_bp / 100:g}",
                "opens_at": ballot.opens_at,
                "closes_at": ballot.closes_at,
                "constituencies": list(ballot.eligible_constituencies),
                "organisations": list(ballot.eligible_organisations),
            }
        )

    def definition(self, zone: ZoneInfo) -> Definition:
        """The definition typed, times read in ``zone``. ``InvalidInput`` names every field
        that cannot be read at all; ``rules.definition_problems`` then checks the rest."""
        form = dict(self.values)
        problems = FieldProblems()
        method = problems.read(lambda: _method(form), Method.RESOLUTION)
        threshold = text(form, "threshold")
        definition = Definition(
            title=text(form, "title"),
            description=text(form, "description"),
            method=method,
            options=[line for line in text(form, "options").splitlines() if line.strip()],
            seats=problems.read(lambda: whole_number(form, "seats", 1), None) or 0,
            max_choices=problems.read(lambda: whole_number(form, "max_choices", None), None),
            threshold=Threshold(threshold)
            if method is Method.RESOLUTION and threshold in set(Threshold)
            else (Threshold.SIMPLE if method is Method.RESOLUTION else None),
            quorum_bp=problems.read(lambda: _quorum_bp(form), 0),
            opens_at=problems.read(lambda: local_time(form, "opens_at", zone), None),
            closes_at=problems.read(lambda: local_time(form, "closes_at", zone), None),
            eligible_constituencies=listed(form, "constituencies"),
            eligible_organisations=listed(form, "organisations"),
        )
        problems.ensure_none()
        return definition


def _method(form: dict[str, Any]) -> Method:
    try:
        return Method(text(form, "method"))
    except ValueError:
        raise InvalidInput(
            "Choose a method.", field_errors={"method": "Choose a method."}
        ) from None


def _quorum_bp(form: dict[str, Any]) -> int:
    """The quorum typed as a percentage, in basis points."""
    try:
        return round(float(text(form, "quorum").strip() or "0") * 100)
    except ValueError:
        raise InvalidInput(
            "Enter a percentage.", field_errors={"quorum": "Enter a percentage."}
        ) from None


@dataclass(frozen=True)
class PaperForm:
    """A member's paper, as the ballot form sends it."""

    ballot: Ballot
    options: Sequence[BallotOption]

    def paper(self, form: dict[str, Any]) -> dict[str, Any]:
        """The paper in its canonical form (``rules.parse_paper``); ``InvalidInput`` naming
        the field ``paper`` when it is not a valid one."""
        try:
            return parse_paper(
                self.ballot, [o.id for o in self.options if o.id is not None], self._raw(form)
            )
        except InvalidInput as problem:
            raise InvalidInput(problem.detail, field_errors={"paper": problem.detail}) from None

    def _raw(self, form: dict[str, Any]) -> dict[str, Any]:
        """The paper the form describes, in the API's shape."""
        if self.ballot.method is Method.RESOLUTION:
            if text(form, "choice") not in RESOLUTION_CHOICES:
                # In the paper's words, not the API's shape that parse_paper names.
                raise InvalidInput("Choose For, Against or Abstain.")
            return {"choice": text(form, "choice")}
        if self.ballot.method in RANKED:
            positions = {
                o.id: number_text(form, f"rank-{o.id}") for o in self.options if o.id is not None
            }
            return {"ranking": ranking_from_positions(positions)}
        try:
            return {"choices": [int(p) for p in listed(form, "choices")]}
        except ValueError:
            raise InvalidInput("The paper names an option that is not on this ballot.") from None

    def described(self, paper: Mapping[str, Any]) -> list[str]:
        """A paper in words, for the review step."""
        labels = {o.id: o.label for o in self.options}
        if self.ballot.method is Method.RESOLUTION:
            return [RESOLUTION_CHOICES[paper["choice"]]]
        if self.ballot.method in RANKED:
            return [f"{n}. {labels[i]}" for n, i in enumerate(paper["ranking"], start=1)]
        return [labels[i] for i in paper["choices"]]


def reviewed_paper(form: dict[str, Any]) -> dict[str, Any]:
    """The paper carried through the review step (as JSON in the field ``paper``); it is
    checked again when cast."""
    try:
        paper = json.loads(text(form, "paper"))
    except ValueError:
        paper = None
    if not isinstance(paper, dict):
        raise InvalidInput("The paper could not be read; please fill in the ballot again.")
    return paper
