"""What several commands take alike, declared once: the solve options (--time-limit,
--workers, --engine), file and folder options, and reading a scenario or curriculum
argument (bad input exits 1, as everywhere)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from planner.commands import SECONDS, fail

if TYPE_CHECKING:
    from planner.scenario import Scenario

F = TypeVar("F", bound=Callable[..., Any])

ENGINE = click.Choice(["local", "ray"], case_sensitive=False)


def time_limit_option(help: str) -> Callable[[F], F]:
    return click.option("--time-limit", type=SECONDS, default=None, help=help)


def workers_option(help: str) -> Callable[[F], F]:
    return click.option("--workers", type=click.IntRange(min=1), default=None, help=help)


engine_option = click.option(
    "--engine",
    type=ENGINE,
    default=None,
    help="Where to solve: local (this process) or ray (a local Ray, or the cluster at "
    "$RAY_ADDRESS; docs/scale.md).  [default: $PLANNER_ENGINE, else local]",
)


def path_option(*decls: str, folder: bool = False, **attrs: Any) -> Callable[[F], F]:
    """An option naming a file (or, with folder=True, a folder), given as a Path."""
    kind = click.Path(file_okay=not folder, dir_okay=folder, path_type=Path)
    return click.option(*decls, type=kind, **{"default": None, **attrs})


def engine_name(engine: str | None) -> str:
    """--engine, else $PLANNER_ENGINE, else local."""
    from planner.solver.engine import EngineError
    from planner.solver.engine import engine_name as resolve

    try:
        return resolve(engine)
    except EngineError as exc:
        fail([str(exc)])


def start_engine(engine: str, workers: int | None) -> bool:
    """Start (or join) Ray up front, so that a bad RAY_ADDRESS fails before any work.
    True when this command started it (and so stops it when done)."""
    if engine != "ray":
        return False
    from planner.solver.engine import EngineError, ray_running, start_ray

    if ray_running():
        return False  # the caller's Ray (a test session, an embedding program)
    try:
        start_ray(workers)
    except EngineError as exc:
        fail([str(exc)])
    return True


def read_scenario(path: str | Path) -> Scenario:
    """The scenario file at `path`, checked."""
    from planner.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as exc:
        fail(exc.problems)


def curriculum_path(name: str) -> Path:
    """CURRICULUM: a scenario file, or the name of a curriculum shipped with planner."""
    path = Path(name)
    if path.exists():
        return path
    from planner.services.catalog.curricula import CURRICULA_DIR

    named = CURRICULA_DIR / f"{name}.json"
    if named.exists():
        return named
    known = ", ".join(sorted(p.stem for p in CURRICULA_DIR.glob("*.json")))
    fail([f"CURRICULUM: no file {name!r} and no curriculum of that name (known: {known})"])
