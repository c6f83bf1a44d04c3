"""Load the seed taxonomy, roles and curricula into the database, idempotently.

Running it twice leaves the same rows: everything is an upsert by id. The taxonomy files
define skills and roles; a curriculum's copies of them never overwrite those.
"""

from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from planner import resources
from planner.scenario import load_scenario
from planner.services.catalog.taxonomy import load_roles, load_taxonomy
from planner.services.io.records import write_records
from planner.services.scenarios.build import store_scenario

SEED_DIR = resources.seed_dir()
CURRICULA_DIR = resources.curricula_dir()


@dataclass
class SeedReport:
    counts: dict[str, int] = field(default_factory=dict)
    curricula: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = ", ".join(f"{n} {kind}" for kind, n in self.counts.items())
        names = f" (curricula: {', '.join(self.curricula)})" if self.curricula else ""
        return f"seeded {parts}{names}"


def taxonomy_records(seed_dir: Path) -> tuple[list[dict], list[dict]]:
    taxonomy = load_taxonomy(seed_dir / "taxonomy.yaml")
    areas = {a.id: a for a in taxonomy.areas}
    skills = [
        {
            "id": s.id,
            "area": s.area,
            "area_name": areas[s.area].name,
            "area_name_zh": areas[s.area].name_zh,
            "name": s.name,
            "name_zh": s.name_zh,
            "descriptors": list(s.descriptors),
            "onet": list(s.onet),
            "esco": list(s.esco),
        }
        for s in taxonomy.skills
    ]
    roles = [
        {
            "id": r.id,
            "name": r.name,
            "name_zh": r.name_zh,
            "soc": list(r.soc),
            "esco": list(r.esco),
            "requires": dict(r.requires),
            "weights": dict(r.weights),
        }
        for r in load_roles(taxonomy, seed_dir / "roles.yaml")
    ]
    return skills, roles


def seed(
    session: Session, seed_dir: Path | None = None, curricula_dir: Path | None = None
) -> SeedReport:
    """Seed and flush (the caller commits). Raises TaxonomyError / ScenarioError on bad files."""
    seed_dir = Path(seed_dir or SEED_DIR)
    curricula_dir = Path(curricula_dir or CURRICULA_DIR)
    report = SeedReport()
    skills, roles = taxonomy_records(seed_dir)
    report.counts["skills"] = write_records(session, "skills", skills)
    report.counts["roles"] = write_records(session, "roles", roles)
    report.counts["courses"] = 0
    for path in sorted(curricula_dir.glob("*.json")):
        scenario = load_scenario(path)  # validate every file before writing any of it
        stored = store_scenario(session, scenario, curriculum_id=path.stem, update_taxonomy=False)
        report.curricula.append(path.stem)
        report.counts["courses"] += stored.counts["courses"]
    return report
