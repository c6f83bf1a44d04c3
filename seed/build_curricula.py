"""Write the committed curriculum files from curricula/src/*.yaml and the seed taxonomy.

    python seed/build_curricula.py          # (re)write curricula/*.json and COURSES.md
    python seed/build_curricula.py --check  # exit 1 if a committed file is out of date

Output is deterministic (sorted ids, UTF-8, ensure_ascii=False), so a test can compare the
committed files with a fresh build.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planner.services.catalog.curricula import build_all  # noqa: E402


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for path, text in build_all().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if not check:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if check and stale:
        for path in stale:
            print(f"out of date: {path} (run python seed/build_curricula.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
