"""The one shape of bad-input errors: every problem found, not just the first."""

from collections.abc import Iterable
from typing import Any


class ProblemsError(ValueError):
    """Bad input; `problems` lists every problem (each printable), one per line."""

    def __init__(self, problems: Iterable[object]) -> None:
        self.problems: list[Any] = list(problems)  # subclasses say which kind
        super().__init__("\n".join(str(p) for p in self.problems))
