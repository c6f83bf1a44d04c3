"""Semantic checks: the value rules of scenario-format.md that relate parts of a file."""

from collections import Counter
from collections.abc import Iterator

from planner.scenario.errors import Problem
from planner.scenario.models import Scenario


def semantic_problems(s: Scenario) -> list[Problem]:
    problems: list[Problem] = []
    for check in (
        _unique_ids,
        _objective_names_once,
        _role_references,
        _course_references,
        _prerequisite_cycles,
        _learner_references,
        _learner_rule_conflicts,
    ):
        problems.extend(check(s))
    return problems


def _unique_ids(s: Scenario) -> Iterator[Problem]:
    for kind in ("skills", "roles", "terms", "courses", "learners"):
        items = getattr(s, kind)
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in seen:
                yield Problem(
                    f"{kind}[{i}].id",
                    f'duplicate id "{item.id}" (first at {kind}[{seen[item.id]}])',
                )
            else:
                seen[item.id] = i


def _objective_names_once(s: Scenario) -> Iterator[Problem]:
    for name, n in Counter(s.objective).items():
        if n > 1:
            yield Problem("objective", f'"{name}" listed {n} times')


def _unknown(path: str, kind: str, ref: str) -> Problem:
    return Problem(path, f'unknown {kind} "{ref}"')


def _role_references(s: Scenario) -> Iterator[Problem]:
    skills = {k.id for k in s.skills}
    for i, role in enumerate(s.roles):
        for field in ("requires", "weights"):
            for skill in getattr(role, field):
                if skill not in skills:
                    yield _unknown(f"roles[{i}].{field}.{skill}", "skill", skill)


def _course_references(s: Scenario) -> Iterator[Problem]:
    skills = {k.id for k in s.skills}
    courses = {c.id for c in s.courses}
    offer_keys = {t.id for t in s.terms} | {t.season for t in s.terms if t.season}
    for i, course in enumerate(s.courses):
        here = f"courses[{i}]"
        for field in ("teaches", "requires_skills"):
            for skill in getattr(course, field):
                if skill not in skills:
                    yield _unknown(f"{here}.{field}.{skill}", "skill", skill)
        for j, pre in enumerate(course.prerequisites):
            if pre not in courses:
                yield _unknown(f"{here}.prerequisites[{j}]", "course", pre)
        for g, group in enumerate(course.prerequisites_any):
            if not group:
                yield Problem(f"{here}.prerequisites_any[{g}]", "empty group")
            for j, pre in enumerate(group):
                if pre not in courses:
                    yield _unknown(f"{here}.prerequisites_any[{g}][{j}]", "course", pre)
        for j, key in enumerate(course.offered or []):
            if key not in offer_keys:
                yield Problem(
                    f"{here}.offered[{j}]", f'"{key}" is neither a term id nor a season of any term'
                )


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Cycles of a directed graph, each as [a, b, ..., a], each node set reported once.

    Iterative DFS (no recursion limit on long prerequisite chains); every back edge
    closes one cycle. Edges to nodes outside the graph are ignored."""
    state: dict[str, int] = {}  # 1 = on the DFS stack, 2 = done
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for root in graph:
        if state.get(root):
            continue
        stack, path = [(root, iter(graph[root]))], [root]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif child not in graph:
                continue
            elif state.get(child) == 1:
                cycle = path[path.index(child) :] + [child]
                if frozenset(cycle) not in seen:
                    seen.add(frozenset(cycle))
                    cycles.append(cycle)
            elif not state.get(child):
                state[child] = 1
                stack.append((child, iter(graph[child])))
                path.append(child)
    return cycles


def _prerequisite_cycles(s: Scenario) -> Iterator[Problem]:
    """All-of prerequisites must form a DAG; name each cycle."""
    position = {c.id: i for i, c in enumerate(s.courses)}
    for cycle in find_cycles({c.id: list(c.prerequisites) for c in s.courses}):
        yield Problem(
            f"courses[{position[cycle[0]]}].prerequisites",
            "prerequisite cycle: " + " → ".join(cycle),
        )


def _learner_references(s: Scenario) -> Iterator[Problem]:
    skills = {k.id for k in s.skills}
    courses = {c.id for c in s.courses}
    terms = {t.id for t in s.terms}
    roles = {r.id for r in s.roles}
    for i, learner in enumerate(s.learners):
        here = f"learners[{i}]"
        if learner.role is not None and learner.role not in roles:
            yield _unknown(f"{here}.role", "role", learner.role)
        for field in ("target", "levels"):
            for skill in getattr(learner, field):
                if skill not in skills:
                    yield _unknown(f"{here}.{field}.{skill}", "skill", skill)
        for field in ("completed", "required", "excluded"):
            for j, course in enumerate(getattr(learner, field)):
                if course not in courses:
                    yield _unknown(f"{here}.{field}[{j}]", "course", course)
        for j, term in enumerate(learner.terms or []):
            if term not in terms:
                yield _unknown(f"{here}.terms[{j}]", "term", term)
        own_terms = set(learner.terms) if learner.terms is not None else terms
        for course, term in learner.pinned.items():
            if course not in courses:
                yield _unknown(f"{here}.pinned.{course}", "course", course)
            if term not in terms:
                yield _unknown(f"{here}.pinned.{course}", "term", term)
            elif term not in own_terms:
                yield Problem(
                    f"{here}.pinned.{course}", f'term "{term}" is not one of the learner\'s terms'
                )


def _learner_rule_conflicts(s: Scenario) -> Iterator[Problem]:
    for i, learner in enumerate(s.learners):
        here = f"learners[{i}]"
        excluded = set(learner.excluded)
        completed = set(learner.completed)
        for j, course in enumerate(learner.required):
            if course in excluded:
                yield Problem(f"{here}.required[{j}]", f'"{course}" is both required and excluded')
        for course in learner.pinned:
            if course in excluded:
                yield Problem(f"{here}.pinned.{course}", f'"{course}" is both pinned and excluded')
            if course in completed:
                yield Problem(f"{here}.pinned.{course}", f'"{course}" is both pinned and completed')
