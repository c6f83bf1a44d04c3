"""The one shape of bad-input errors: every problem found, not just the first."""


class ProblemsError(ValueError):
    """Bad input; `problems` lists every problem (each printable), one per line."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
