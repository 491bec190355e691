"""Fixed-point arithmetic on integers, as the counting rules prescribe it.

A value with `places` decimal places is held as an integer number of units of
10**-places: 1.5 at five places is 150000. Integers are exact, so the only rounding is
the rounding a rule asks for, written where it asks for it.
"""

from __future__ import annotations

from decimal import Decimal


def to_decimal(units: int, places: int) -> Decimal:
    """The value of `units` at `places` decimal places, written out to that many places.

    Exact however large: built from its digits, not by arithmetic in a decimal context (whose
    precision, 28 significant digits by default, would round a very large figure).
    """
    sign = 1 if units < 0 else 0
    return Decimal((sign, tuple(map(int, str(abs(units)))), -places))


def divide_rounding_up(numerator: int, denominator: int) -> int:
    """numerator ÷ denominator, rounded up to the next whole unit."""
    return -(-numerator // denominator)
