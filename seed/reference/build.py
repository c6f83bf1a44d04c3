"""Cut seed/reference/ (the O*NET and ESCO rows the cross-walk tests read) out of a full
extract: python seed/reference/build.py /path/to/extract   (folders onet/ and esco/).

Keeps only rows, never changes a column or a value: the O*NET elements and ESCO skills that
seed/taxonomy.yaml names, the occupations that seed/roles.yaml names (plus the labelled
O*NET proxies), and the O*NET level (LV) ratings of those occupations for those elements.
"""

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # run from a checkout without installing

from planner.services.catalog.taxonomy import ONET_LV_PROXIES, load_roles, load_taxonomy  # noqa: E402


def copy_rows(source: Path, target: Path, keep) -> int:
    with open(source, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [row for row in reader if keep(row)]
        fields = reader.fieldnames or []
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def main(extract: Path) -> None:
    taxonomy = load_taxonomy()
    roles = load_roles(taxonomy)
    elements = {e for s in taxonomy.skills for e in s.onet}
    esco_skills = {u for s in taxonomy.skills for u in s.esco}
    socs = {c for r in roles for c in r.soc}
    socs |= {ONET_LV_PROXIES[c] for c in socs if c in ONET_LV_PROXIES}
    esco_occupations = {u for r in roles for u in r.esco}
    rated = lambda row: row["O*NET-SOC Code"] in socs and row["Element ID"] in elements  # noqa: E731
    counts = {
        "onet/content_model_skills_knowledge.csv": ("Element ID", elements),
        "onet/occupations.csv": ("O*NET-SOC Code", socs),
        "esco/skills.csv": ("conceptUri", esco_skills),
        "esco/occupations.csv": ("conceptUri", esco_occupations),
    }
    for name, (column, wanted) in counts.items():
        n = copy_rows(extract / name, HERE / name, lambda row, c=column, w=wanted: row[c] in w)
        print(f"{name}: {n} rows")
    for name in ("onet/skills.csv", "onet/knowledge.csv"):
        n = copy_rows(
            extract / name, HERE / name, lambda row: rated(row) and row["Scale ID"] == "LV"
        )
        print(f"{name}: {n} rows")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
