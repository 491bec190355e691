"""Resolutions: for, against, abstain.

- Quorum: the resolution is void unless the papers (abstentions included) reach
  quorum × the number of members on the roll.
- Abstentions are counted and shown, but are not votes cast: thresholds look at
  for + against only.
- `simple` (ordinary resolution): more for than against.
- `two_thirds`: for ≥ 2/3 of for + against.
- `three_quarters` (special resolution): for ≥ 3/4 of for + against ("not less than
  three-quarters").
A resolution with no vote for it is never carried, whatever the threshold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from coopvote.tally.types import InvalidPaper, Outcome, Result, Round

CHOICES = ("for", "against", "abstain")
THRESHOLDS = {
    "simple": None,  # strictly more for than against
    "two_thirds": Fraction(2, 3),
    "three_quarters": Fraction(3, 4),
}


def count_resolution(
    choices: Iterable[str],
    *,
    threshold: str = "simple",
    quorum: Fraction | Decimal | int = 0,
    electorate: int | None = None,
) -> Result:
    """Count papers that each say "for", "against" or "abstain"."""
    if threshold not in THRESHOLDS:
        raise ValueError(f"unknown threshold {threshold!r}; expected one of {list(THRESHOLDS)}")
    share = Fraction(quorum)
    if not 0 <= share <= 1:
        raise ValueError("the quorum is a fraction of the roll, between 0 and 1")
    if electorate is None and share:
        raise ValueError("a quorum needs the size of the roll (electorate)")
    tally = Counter(choices)
    unknown = set(tally) - set(CHOICES)
    if unknown:
        raise InvalidPaper(f"a resolution paper says for, against or abstain, not {unknown}")
    in_favour, against = tally["for"], tally["against"]
    papers = sum(tally.values())
    quorum_met = electorate is None or papers >= share * electorate
    required = THRESHOLDS[threshold]
    if required is None:
        passes = in_favour > against
    else:
        passes = in_favour > 0 and in_favour >= required * (in_favour + against)
    outcome = Outcome.CARRIED if passes else Outcome.NOT_CARRIED
    if not quorum_met:
        outcome = Outcome.VOID
    figures = {choice: Decimal(tally[choice]) for choice in CHOICES}
    return Result(
        method="resolution",
        seats=0,
        candidates=CHOICES,
        elected=(),
        valid_papers=papers,
        tie_order=(),
        rounds=(Round(number=1, votes=figures, exhausted=Decimal(0), actions=()),),
        tallies=figures,
        outcome=outcome,
        quorum_met=quorum_met,
    )
