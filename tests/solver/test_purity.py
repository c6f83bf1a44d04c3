"""The solver is pure: importing it pulls in no web framework and no database code."""

import subprocess
import sys

CODE = """
import sys
import planner.solver, planner.solver.cohort, planner.solver.check, planner.solver.greedy
import planner.solver.diagnose, planner.solver.grouping
print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlmodel', 'sqlalchemy')
      or m.startswith(('planner.db', 'planner.models', 'planner.services', 'planner.views'))))
"""


def test_solver_imports_no_flask_and_no_database_code():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
