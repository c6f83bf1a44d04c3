"""Running CP-SAT (planner/solver/search.py) and the seats rule's arithmetic."""

import threading

from ortools.sat.python import cp_model

from planner.solver.check import sections_needed
from planner.solver.search import hint_solution, run_model, stop_requested


def test_sections_are_the_ceiling_of_enrolled_over_capacity():
    assert sections_needed(0, 10) == 0 and sections_needed(0, None) == 0
    assert sections_needed(10, 10) == 1 and sections_needed(11, 10) == 2
    assert sections_needed(500, None) == 1  # unlimited capacity: one section


def test_a_hinted_solution_is_kept_as_the_first_one():
    m = cp_model.CpModel()
    x = [m.new_bool_var(f"x{i}") for i in range(3)]
    m.add(sum(x) == 1)
    hint_solution(m, [0, 1, 0])
    assert list(m.proto.solution_hint.vars) == [0, 1, 2]
    assert list(m.proto.solution_hint.values) == [0, 1, 0]
    solver, status = run_model(m, time_s=5, workers=1)
    assert status == cp_model.OPTIMAL and sum(solver.value(v) for v in x) == 1


def test_a_set_stop_event_ends_the_search():
    stop = threading.Event()
    stop.set()
    m = cp_model.CpModel()
    m.new_int_var(0, 10, "y")
    _, status = run_model(m, time_s=5, workers=1, stop=stop)
    assert status in (cp_model.OPTIMAL, cp_model.UNKNOWN)  # a trivial model may finish first


def test_stop_requested_reads_an_event_or_a_callable():
    event = threading.Event()
    assert not stop_requested(None) and not stop_requested(event)
    event.set()
    assert stop_requested(event) and stop_requested(lambda: True)
