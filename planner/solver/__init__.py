"""CP-SAT solver core: rules, lexicographic objective, explanations and diagnosis.

model.py builds the variables, rules.py adds one function per rule (labels.py declares
their labels), objective.py the four components, search.py runs CP-SAT, solve.py solves in
lexicographic stages, plan.py builds the plan file, check.py judges it independently,
diagnose.py explains infeasibility and fixes it; greedy.py and cohort/ are the baseline and
the large-cohort solver.

from planner.solver import solve, diagnose, apply_fix
"""

from planner.solver.diagnose import apply_fix, diagnose
from planner.solver.solve import solve

__all__ = ["apply_fix", "diagnose", "solve"]
