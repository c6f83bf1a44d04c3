"""What an import found and did: one problem by file, row and column; the report of a
written import; the rejection of a file with every problem. Native (planner.services.io)
and standard (planner.services.interop) importers both speak these."""

from dataclasses import dataclass, field

from planner.errors import ProblemsError


@dataclass(frozen=True)
class ImportProblem:
    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"row {self.row}" if self.row is not None else "",
                f"column {self.column}" if self.column else "",
            )
            if part
        )
        return f"{self.file}: {where}: {self.message}" if where else f"{self.file}: {self.message}"


class ImportRejected(ProblemsError):
    """Nothing was imported; `problems` lists every reason (ImportProblems)."""


@dataclass
class ImportReport:
    file: str
    counts: dict[str, int] = field(default_factory=dict)  # kind -> rows written
    scenario_id: int | None = None
    curriculum_id: str | None = None
    records: dict[str, list[dict]] = field(default_factory=dict)  # kind -> rows as written

    def __str__(self) -> str:
        parts = ", ".join(f"{n} {kind}" for kind, n in self.counts.items())
        return f"{self.file}: imported {parts or 'nothing'}"
