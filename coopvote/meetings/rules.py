"""What general meetings may do, and how their resolutions are decided: pure, no I/O.

Sources: the Companies Act 2006 (ss. 282–283 majorities, 307 notice, 318 quorum, 324 proxies)
and the co-operative's own settings (``cooperative.models.CooperativeSettings``)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from coopvote.errors import YES, Conflict, InvalidInput, NotAllowed, Verdict
from coopvote.meetings.models import (
    ItemKind,
    Meeting,
    MeetingStatus,
    MotionStatus,
    ResolutionType,
)

CHOICES = ("for", "against", "abstain")


class Basis(StrEnum):
    """How a resolution is decided, which fixes the threshold's denominator."""

    ORDINARY = "ordinary"
    SPECIAL = "special"
    WRITTEN_ORDINARY = "written_ordinary"
    WRITTEN_SPECIAL = "written_special"


@dataclass(frozen=True)
class Figures:
    """Votes for, against, and abstentions (recorded, but not votes cast)."""

    votes_for: int = 0
    against: int = 0
    abstain: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.votes_for + other.votes_for,
            self.against + other.against,
            self.abstain + other.abstain,
        )

    @property
    def cast(self) -> int:
        """Votes cast: for and against (s. 282–283 count abstentions as no vote)."""
        return self.votes_for + self.against

    @classmethod
    def of(cls, choices: Iterable[str]) -> Figures:
        """Count ``"for"``/``"against"``/``"abstain"`` choices."""
        listed = list(choices)
        return cls(listed.count("for"), listed.count("against"), listed.count("abstain"))

    def as_dict(self) -> dict[str, int]:
        return {"for": self.votes_for, "against": self.against, "abstain": self.abstain}


@dataclass(frozen=True)
class Decision:
    carried: bool
    #: The rule applied, in words, with its source.
    rule: str


def decide(basis: Basis, totals: Figures, *, eligible: int = 0) -> Decision:
    """Whether a resolution is carried, by the rule its ``basis`` names.

    - ordinary (s. 282(1), (3)–(4)): a simple majority of the votes cast, i.e. more for than
      against;
    - special (s. 283(1), (4)–(5)), on a show of hands or a poll: not less than 75 % of the votes
      cast in person, by proxy or in advance, i.e. ``4 × for ≥ 3 × (for + against)``;
    - written ordinary (s. 282(2)): a simple majority of all ``eligible`` members;
    - written special (s. 283(2)): not less than 75 % of all ``eligible`` members.

    Abstentions are never votes cast. With no votes cast nothing is carried. Exact integers,
    never floats."""
    f = totals.votes_for
    if basis is Basis.ORDINARY:
        return Decision(
            f > totals.against,
            "Ordinary resolution: more votes for than against (Companies Act 2006 s. 282).",
        )
    if basis is Basis.SPECIAL:
        return Decision(
            totals.cast > 0 and 4 * f >= 3 * totals.cast,
            "Special resolution: at least 75 % of the votes cast in person, by proxy or in "
            "advance (Companies Act 2006 s. 283).",
        )
    if basis is Basis.WRITTEN_ORDINARY:
        return Decision(
            eligible > 0 and 2 * f > eligible,
            "Written ordinary resolution: a majority of all eligible members "
            "(Companies Act 2006 s. 282(2)).",
        )
    return Decision(
        eligible > 0 and 4 * f >= 3 * eligible,
        "Written special resolution: at least 75 % of all eligible members "
        "(Companies Act 2006 s. 283(2)).",
    )


def clear_days(notice_at: datetime, starts_at: datetime) -> int:
    """Clear days between a notice and its meeting: whole days excluding the day the notice is
    given and the day of the meeting (s. 360), counted on UTC dates."""
    return (starts_at.date() - notice_at.date()).days - 1


def can_issue_notice(
    meeting: Meeting,
    items: Collection[tuple[ItemKind, ResolutionType | None, str]],
    now: datetime,
    *,
    notice_days: int,
) -> Verdict:
    """A draft's notice may be issued when every special resolution has its full text (s. 283(6):
    the text must be in the notice; 422 otherwise) and the meeting is at least ``notice_days``
    clear days away (s. 307: 14 clear days at least; the co-operative may ask more; 409
    otherwise). ``items`` are (kind, resolution type, text)."""
    if meeting.status is not MeetingStatus.DRAFT:
        return Verdict(Conflict("The notice of this meeting has been issued already."))
    if any(
        kind is ItemKind.RESOLUTION and rtype is ResolutionType.SPECIAL and not text.strip()
        for kind, rtype, text in items
    ):
        return Verdict(
            InvalidInput(
                "A special resolution's full text must be in the notice.",
                field_errors={"items": "Give the full text of every special resolution."},
            )
        )
    if (days := clear_days(now, meeting.starts_at)) < notice_days:
        return Verdict(
            Conflict(
                f"The meeting is {max(days, 0)} clear days away; the co-operative's rules "
                f"require {notice_days} clear days' notice."
            )
        )
    return YES


def proxy_deadline(starts_at: datetime, hours: int) -> datetime:
    """The last moment to appoint or revoke a proxy (s. 327: no more than 48 hours before)."""
    return starts_at - timedelta(hours=hours)


def can_appoint_proxy(
    meeting: Meeting,
    now: datetime,
    *,
    member_id: int,
    proxy_id: int | None,
    proxy_holds: int,
    attending: bool,
) -> Verdict:
    """A member may appoint another member (``proxy_id``) or the chair (``None``) until the
    deadline (s. 327), never themselves, and never a member who already represents the cap
    (``proxy_holds`` others; the chair has no cap). A member who has checked in votes in
    person."""
    if meeting.status is not MeetingStatus.NOTICED or meeting.proxy_deadline is None:
        return Verdict(Conflict("Proxies can be appointed only between notice and meeting."))
    if now > meeting.proxy_deadline:
        return Verdict(Conflict("The deadline for appointing or revoking a proxy has passed."))
    if attending:
        return Verdict(Conflict("You have checked in: you vote in person."))
    if proxy_id == member_id:
        return Verdict(
            InvalidInput("You cannot appoint yourself.", field_errors={"proxy": "Not yourself."})
        )
    cap = meeting.proxy_cap or 0
    if proxy_id is not None and proxy_holds >= cap:
        return Verdict(
            Conflict(f"That member already represents {cap} members, the most one proxy may.")
        )
    return YES


def can_revoke_proxy(meeting: Meeting, now: datetime) -> Verdict:
    if meeting.proxy_deadline is None or now > meeting.proxy_deadline:
        return Verdict(Conflict("The deadline for appointing or revoking a proxy has passed."))
    return YES


def instruction_problems(
    instructions: Mapping[str, str] | None, resolutions: Collection[str]
) -> dict[str, str]:
    """Directed instructions name resolutions of the meeting and say for, against or abstain."""
    if instructions is None:
        return {}
    problems = {}
    for item, choice in instructions.items():
        if item not in resolutions:
            problems[item] = "Not a resolution of this meeting."
        elif choice not in CHOICES:
            problems[item] = "For, against or abstain."
    return problems


def quorum_present(
    attendees: Collection[int],
    proxies: Mapping[int, int | None],
    *,
    chair_present: bool,
) -> int:
    """Members present in person or by proxy (s. 318): each attendee, and each member whose
    proxy in force (``proxies``: member → holder, ``None`` for the chair) is present. Counted
    by the member represented, so two proxies of one member count once."""
    present = set(attendees)
    for member, holder in proxies.items():
        if (holder is None and chair_present) or (holder is not None and holder in present):
            present.add(member)
    return len(present)


def can_open_meeting(meeting: Meeting, now: datetime) -> Verdict:
    if meeting.status is not MeetingStatus.NOTICED:
        return Verdict(Conflict("Only a meeting whose notice was issued can be opened."))
    return YES


def can_check_in(meeting: Meeting) -> Verdict:
    if meeting.status not in {MeetingStatus.NOTICED, MeetingStatus.OPEN}:
        return Verdict(Conflict("Check-in is closed for this meeting."))
    return YES


def can_open_motion(meeting: Meeting, kind: ItemKind, motion: MotionStatus) -> Verdict:
    """The chair opens a resolution's motion once the meeting is open, one at a time."""
    if meeting.status is not MeetingStatus.OPEN:
        return Verdict(Conflict("Open the meeting first."))
    if kind is not ItemKind.RESOLUTION:
        return Verdict(Conflict("Only resolutions are voted on."))
    if motion is not MotionStatus.PENDING:
        return Verdict(Conflict("This motion has been opened already."))
    return YES


def can_vote_in_room(
    motion: MotionStatus, *, attending: bool, entitled: bool, counted: bool
) -> Verdict:
    if motion is not MotionStatus.OPEN:
        return Verdict(Conflict("This motion is not open for voting."))
    if not entitled:
        return Verdict(NotAllowed("You are not entitled to vote at this meeting."))
    if counted:
        return Verdict(Conflict("Your vote on this resolution is already counted."))
    if not attending:
        return Verdict(NotAllowed("Check in at the meeting to vote in the room."))
    return YES


def agreed_teller_count(counts: Iterable[Figures]) -> Figures | None:
    """The tellers' count once two of them have entered the same figures (double entry);
    ``None`` until then."""
    seen: list[Figures] = []
    for figures in counts:
        if figures in seen:
            return figures
        seen.append(figures)
    return None


def teller_count_problems(figures: Figures, *, in_room_without_vote: int) -> dict[str, str]:
    """A show of hands counts only those present who have not voted otherwise."""
    if min(figures.votes_for, figures.against, figures.abstain) < 0:
        return {"for": "Counts are whole numbers, zero or more."}
    if figures.votes_for + figures.against + figures.abstain > in_room_without_vote:
        return {
            "for": f"More hands than the {in_room_without_vote} members present who have not "
            "voted otherwise."
        }
    return {}


def can_place_members_resolution(
    *, supporters: int, proposed_at: datetime, deadline: datetime, open_for_support: bool
) -> Verdict:
    """A forum proposal goes on the agenda as a members' resolution when it has a proposer and
    at least one seconder (a supporter) and was proposed before ``deadline`` (a setting, weeks
    before the meeting)."""
    if not open_for_support:
        return Verdict(Conflict("That proposal has been withdrawn, hidden or balloted."))
    if supporters < 1:
        return Verdict(Conflict("A members' resolution needs at least one seconder."))
    if proposed_at > deadline:
        return Verdict(Conflict("That proposal came after the deadline for members' resolutions."))
    return YES


def basis_of(resolution_type: ResolutionType) -> Basis:
    return Basis.SPECIAL if resolution_type is ResolutionType.SPECIAL else Basis.ORDINARY
