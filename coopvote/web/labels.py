"""What the pages call the methods and thresholds of ballots, in one place."""

from coopvote.ballots.models import Method, Threshold

METHOD_NAMES = {
    Method.RESOLUTION: "Resolution (for / against / abstain)",
    Method.PLURALITY: "First past the post",
    Method.APPROVAL: "Approval voting",
    Method.IRV: "Instant-runoff (one seat, ranked)",
    Method.STV: "Single transferable vote, Scottish rules (ranked)",
    Method.MEEK: "Single transferable vote, Meek's method (ranked)",
    Method.SCHULZE: "Schulze (ranked, Condorcet)",
}
THRESHOLD_NAMES = {
    Threshold.SIMPLE: "Ordinary: more for than against",
    Threshold.TWO_THIRDS: "Two-thirds of the votes cast",
    Threshold.THREE_QUARTERS: "Special: three-quarters of the votes cast",
}
