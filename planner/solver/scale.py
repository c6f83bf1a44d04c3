"""Exact fraction → integer scaling for CP-SAT, which only handles integers.

Each family of quantities (credits, money, weights) gets one factor 10^k, the smallest
(k ≤ 6) that makes every value of the family integral. Values are read through their
shortest decimal repr, so 99.99 is exactly 9999/100 and never 99.98999…
"""

from collections.abc import Iterable
from fractions import Fraction

MAX_DIGITS = 6


def exact(value: float | int) -> Fraction:
    """The decimal value a person wrote (0.1 → 1/10, not the binary float)."""
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(repr(float(value)))


class Scale:
    """One family's factor; `inexact` lists values that needed more than 6 decimals."""

    def __init__(self, values: Iterable[float | int]):
        fractions = [exact(v) for v in values if v is not None]
        self.digits = MAX_DIGITS
        for k in range(MAX_DIGITS + 1):
            if all((f * 10**k).denominator == 1 for f in fractions):
                self.digits = k
                break
        self.factor = 10**self.digits
        self.inexact = [float(f) for f in fractions if (f * self.factor).denominator != 1]

    def up(self, value: float | int) -> int:
        """Scaled value rounded up (exact when the value fits): for costs and usage."""
        f = exact(value) * self.factor
        return -((-f.numerator) // f.denominator)

    def down(self, value: float | int) -> int:
        """Scaled value rounded down (exact when the value fits): for upper limits."""
        f = exact(value) * self.factor
        return f.numerator // f.denominator

    def unscale(self, scaled: int | float) -> float:
        return float(Fraction(round(scaled)) / self.factor)
