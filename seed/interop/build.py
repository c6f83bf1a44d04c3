"""Rebuild the O*NET and ESCO slices in seed/interop/ from the real extracts (shared/data).

Only filtering: the rows of the occupations seed/roles.yaml is cross-walked to (plus the
market research analyst occupations of both sources), every column and value unchanged.
Run: python seed/interop/build.py [DATA_DIR]   (default: planner's reference data dir)
"""

import csv
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
EXTRA_SOC = {"13-1161.00"}
EXTRA_ESCO = {"http://data.europa.eu/esco/occupation/66fb9704-0d56-4673-8e69-7823816b73e1"}


def main(data_dir: Path) -> None:
    roles = (ROOT / "seed" / "roles.yaml").read_text(encoding="utf-8")
    socs = set(re.findall(r"\d\d-\d{4}\.\d\d", roles)) | EXTRA_SOC
    escos = set(re.findall(r"http://data\.europa\.eu/esco/occupation/[0-9a-f-]+", roles))
    escos |= EXTRA_ESCO
    copy(
        data_dir / "onet" / "occupations.csv",
        HERE / "onet" / "occupations.csv",
        lambda r: r["O*NET-SOC Code"] in socs,
    )
    for name in ("skills.csv", "knowledge.csv"):
        copy(data_dir / "onet" / name, HERE / "onet" / name, lambda r: r["O*NET-SOC Code"] in socs)
    copy(
        data_dir / "esco" / "occupation_skill_relations.csv",
        HERE / "esco" / "occupation_skill_relations.csv",
        lambda r: r["occupationUri"] in escos,
    )


def copy(source: Path, target: Path, keep) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(source, encoding="utf-8", newline="") as src:
        reader = csv.DictReader(src)
        rows = [r for r in reader if keep(r)]
    with open(target, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{target.relative_to(ROOT)}: {len(rows)} rows")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        sys.path.insert(0, str(ROOT))
        from planner.services.catalog.taxonomy import reference_data_dir

        found = reference_data_dir()
        if found is None:
            sys.exit("no reference data: give the shared/data directory")
        main(found)
