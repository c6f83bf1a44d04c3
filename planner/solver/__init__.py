"""CP-SAT solver core: rules, lexicographic objective, explanations and diagnosis.

from planner.solver import solve, diagnose, apply_fix
"""

from planner.solver.diagnose import apply_fix, diagnose
from planner.solver.solve import solve

__all__ = ["apply_fix", "diagnose", "solve"]
