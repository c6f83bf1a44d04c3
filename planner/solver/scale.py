"""Exact decimal → integer scaling for CP-SAT, which only handles integers.

Each family of quantities (credits, money, gap weights) gets one factor 10^k: the smallest
that makes every *usage* value of the family integral. Values are read through their
shortest decimal repr, so 99.99 is exactly 9999/100 and 100.0000001 is 1000000001/10^7.
That holds as long as every scaled sum that can occur (all usage of the family, times the
learners' counts) stays below SAFE_SUM: CP-SAT needs Σ |coefficient × bound| well inside
int64 and reports objective bounds as doubles, exact only up to 2^53. When it would not
fit, k is lowered until it does and values are rounded; the family is then `inexact`, and
callers must not claim what rounding could change (solve.py downgrades OPTIMAL and re-checks
INFEASIBLE with outward rounding).

Limits (budgets, credit limits) need no digits of their own: when every usage is a whole
number of 10^-k, "usage ≤ limit" is exactly "scaled usage ≤ ⌊limit · 10^k⌋". A limit above
every usage that can occur never binds, so it is clamped to that usage + 1 (see
`Context.max_limit`): a budget of 1e19 then fits int64 like any other.
"""

from collections.abc import Iterable
from fractions import Fraction
from functools import lru_cache

from planner.scenario import Scenario
from planner.solver.check import sections_needed

# Every scaled sum stays at or below this (2^53: exact in a double, 1/1024 of int64).
SAFE_SUM = 2**53


@lru_cache(maxsize=65536)
def exact(value: float | int) -> Fraction:
    """The decimal value a person wrote (0.1 → 1/10, not the binary float)."""
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(repr(float(value)))


def decimals(value: Fraction) -> int:
    """Digits after the decimal point that `value` needs (its denominator is 2^a·5^b)."""
    d = value.denominator
    twos = (d & -d).bit_length() - 1
    d >>= twos
    fives = 0
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:  # not a finite decimal: cannot come from a float's repr
        raise ValueError(f"{value} is not a finite decimal")
    return max(twos, fives)


class Scale:
    """One family's factor 10^digits (digits may be negative for astronomically large
    sums); `inexact` lists the usage values the factor does not make integral."""

    def __init__(self, usage: Iterable[float | int | None], span: float | int | Fraction = 0):
        """`usage`: every value that enters a sum; `span`: an upper bound, in file
        units, on the largest scaled sum that can occur (objective included)."""
        fractions = [exact(v) for v in usage if v is not None]
        need = max((decimals(f) for f in fractions if f.denominator != 1), default=0)
        span = span if isinstance(span, Fraction) else exact(span)
        digits = need
        while span and span * Fraction(10) ** digits > SAFE_SUM:
            digits -= 1
        self.digits = digits
        self.factor: Fraction = Fraction(10) ** digits
        self.inexact = [
            float(f)
            for f in fractions
            if (f.denominator != 1 or digits < 0) and (f * self.factor).denominator != 1
        ]
        # An integral factor scales whole numbers exactly: they skip Fraction arithmetic.
        self._whole: int | None = 10**digits if digits >= 0 else None

    @property
    def exact(self) -> bool:
        return not self.inexact

    def up(self, value: float | int) -> int:
        """Scaled value rounded up (exact when the factor fits it)."""
        if self._whole is not None and (isinstance(value, int) or value.is_integer()):
            return int(value) * self._whole  # the common case, without Fractions
        f = exact(value) * self.factor
        return -((-f.numerator) // f.denominator)

    def down(self, value: float | int) -> int:
        """Scaled value rounded down (exact when the factor fits it)."""
        if self._whole is not None and (isinstance(value, int) or value.is_integer()):
            return int(value) * self._whole
        f = exact(value) * self.factor
        return f.numerator // f.denominator

    def unscale(self, scaled: int | float) -> float:
        """A scaled integer back in file units (the exact decimal when the factor fits)."""
        return float(Fraction(round(scaled)) / self.factor)

    def units(self, scaled: int | float) -> float:
        """Like `unscale`, for values that need not be integral (bounds, progress)."""
        if isinstance(scaled, int):
            return float(Fraction(scaled) / self.factor)
        return float(scaled) / float(self.factor)


# ----- the scenario's three families ------------------------------------------------------
def _total(numbers: Iterable[float]) -> Fraction:
    """Σ of exact values (whole numbers summed as ints: the common case, and fast)."""
    values = list(numbers)
    if all(isinstance(v, int) or v.is_integer() for v in values):
        return Fraction(sum(int(v) for v in values))
    return sum((exact(v) for v in values), Fraction(0))


def _people(scenario: Scenario) -> int:
    return max(1, sum(lr.count for lr in scenario.learners))


def credit_scale(scenario: Scenario) -> Scale:
    """Credits: per-term loads and the credits objective (Σ count × credits)."""
    values = [c.credits for c in scenario.courses]
    span = _people(scenario) * _total(values)
    return Scale(values, span)


def money_scale(scenario: Scenario) -> Scale:
    """Money: learner budgets, the scenario budget and the cost objective
    (Σ count × cost + Σ sections × session_cost)."""
    people = _people(scenario)
    n_terms = max(1, len(scenario.terms))
    costs = [c.cost for c in scenario.courses]
    sessions = [c.session_cost for c in scenario.courses]
    span = people * _total(costs)
    span += sum(
        (
            exact(c.session_cost) * n_terms * sections_needed(people, c.capacity)
            for c in scenario.courses
            if c.session_cost
        ),
        Fraction(0),
    )
    return Scale(costs + sessions, span)


def weight_scale(scenario: Scenario) -> Scale:
    """Gap weights: the gap objective (Σ count × weight × missing levels)."""
    values = [w for r in scenario.roles for w in r.weights.values()]
    span = Fraction(0)
    for learner in scenario.learners:
        span += learner.count * sum(
            (exact(w) * need for need, w in scenario.needs(learner).values()), Fraction(0)
        )
    return Scale(values, span)
