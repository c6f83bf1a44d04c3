"""The test suite. REPO is the repository checkout: for files that only a clone has
(docs/, seed/build_curricula.py); what planner ships is found through planner.resources."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
