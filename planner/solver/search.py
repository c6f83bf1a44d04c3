"""Running CP-SAT: search parameters by model size and worker count, a hard time limit,
and a stop event that interrupts the search promptly from any thread. Every search of
the solver (solve, diagnosis, fix search) goes through `run_model`."""

import threading
from collections.abc import Callable, Sequence
from typing import Any

from ortools.sat.python import cp_model

from planner.solver.model import Context

# Receives progress reports: {"stage", "objective", "bound", "elapsed_s", ...}.
ProgressFn = Callable[[dict[str, Any]], None]
# How a caller cancels: a threading.Event, a callable returning True to stop, or None.
Stop = threading.Event | Callable[[], bool] | None


def stop_requested(stop: Stop) -> bool:
    if stop is None:
        return False
    return stop.is_set() if isinstance(stop, threading.Event) else bool(stop())


# Full-problem subsolvers for small worker counts, best first (CP-SAT takes the first
# ones that fit). The LP with every constraint linearised ("max_lp") is what proves the
# gap bound of covering-under-credit-knapsack models; CP-SAT's own portfolio only picks
# it from 8 workers on, so with 2 workers the bound would stall (60 s vs 0.3 s proven).
PORTFOLIO = ("max_lp", "core", "default_lp", "no_lp", "quick_restart", "reduced_costs")


# CP-SAT's worker count is an int32 and each worker costs memory: more than this many
# threads never helps on the machines this runs on.
MAX_WORKERS = 64


def clamp_workers(workers: int) -> int:
    return max(1, min(int(workers), MAX_WORKERS))


# Up to this many variables a model is "small": its search mostly takes milliseconds, so the
# per-solve overhead dominates (threads started, presolve run to a fixpoint, symmetry
# detected). It is then solved by one full-LP worker with a short presolve.
SMALL_VARS = 5000


def is_small(ctx: Context) -> bool:
    return len(ctx.m.proto.variables) <= SMALL_VARS


def configure(params: cp_model.SatParameters, workers: int, small: bool = False) -> None:
    """Search parameters for `workers` threads (`small`: see SMALL_VARS)."""
    if small:
        workers = 1
        params.max_presolve_iterations = 1
        params.symmetry_level = 0
    params.num_workers = workers
    if workers <= 1:
        params.linearization_level = 2  # the single search gets the full LP
    elif workers < 8:
        params.subsolvers.extend(PORTFOLIO)


def run_model(
    model: cp_model.CpModel,
    *,
    time_s: float,
    workers: int,
    stop: threading.Event | None = None,
    callback: cp_model.CpSolverSolutionCallback | None = None,
    small: bool = False,
) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
    """Solve once with a hard time limit; `stop` interrupts promptly from any thread."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_s, 0.001)
    configure(solver.parameters, workers, small)
    done = threading.Event()
    watcher = None
    if stop is not None:

        def watch() -> None:
            while not done.wait(0.02):
                if stop.is_set():
                    solver.stop_search()
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
    try:
        status = solver.solve(model, callback)
    finally:
        done.set()
        if watcher is not None:
            watcher.join()
    return solver, status


def clear_hints(model: cp_model.CpModel) -> None:
    model.clear_hints()  # type: ignore[no-untyped-call]  # ortools leaves it unannotated


def hint_solution(model: cp_model.CpModel, solution: Sequence[int]) -> None:
    """Hint every variable with its value in `solution` (a previous search's)."""
    clear_hints(model)
    hint = model.proto.solution_hint
    hint.vars.extend(range(len(solution)))
    hint.values.extend(solution)
