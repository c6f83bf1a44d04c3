"""Where solves run: in this process (`local`, the default) or on Ray (`ray`).

One switch for the CLI, sweeps and web solves: `engine_name()` reads an explicit choice or
the PLANNER_ENGINE environment variable. With `ray`:

- without RAY_ADDRESS a private Ray is started in this process (num_cpus = the solve's
  workers, no dashboard, 127.0.0.1 only, quiet); with RAY_ADDRESS the planner joins that
  running cluster (every node needs the same planner and OR-Tools installed);
- `solve_many` fans several scenarios (a batch, or the points of a sweep) out as one Ray
  task each; plans stream back in completion order, a stop cancels what is left;
- `RayPricingPool` replaces the worker processes of cohort pricing with Ray actors.

Workers receive plain data (scenario documents, price dicts), build their own CP-SAT models
(CP-SAT objects do not pickle) and return plain results. Every wait on the cluster has a
deadline: a lost cluster is an `EngineError`, never a hang.

Ray is imported only when the engine is `ray`. Pure: no Flask, no database.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from planner.scenario import Plan, Scenario
from planner.solver.scale import Scale, credit_scale, money_scale
from planner.solver.search import Stop, stop_requested

if TYPE_CHECKING:  # the cohort package imports this module: its names for types only
    from planner.solver.cohort.pricing import Answer, Coef, PricingModel, SeatPrices, Stopped
    from planner.solver.cohort.workers import PricingPool

ENGINES = ("local", "ray")
ENV = "PLANNER_ENGINE"
# Starting a local Ray takes 4-20 s on a loaded 2-core machine.
CONNECT_TIMEOUT_S = float(os.environ.get("PLANNER_RAY_CONNECT_TIMEOUT", "120"))
# Past a task's own time limit, how long to wait for its answer before calling the
# cluster lost (start-up of a fresh worker, model building, a loaded node).
GRACE_S = float(os.environ.get("PLANNER_RAY_GRACE", "60"))
# Actors that cannot be placed this fast (the cluster is busy with other solves) are
# given up; their groups are priced by the others or in this process.
ACTOR_START_S = 30.0
# The local Ray's shared-memory object store: the planner sends documents, not arrays.
OBJECT_STORE_BYTES = 512 * 1024**2
POLL_S = 0.05

log = logging.getLogger(__name__)

# (index, plan, plans done so far), as each plan of `solve_many` arrives
Progress = Callable[[int, Plan | None, int], None]
# An Answer as builtin types for the wire: ((takes, gap, cost, credits, lateness) or
# None, bound, (per_course, top, feasible_shape) or None)
PlainAnswer = tuple[
    tuple[list[list[str]], float, float, float, int] | None,
    float,
    tuple[dict[str, list[str]], dict[str, float], bool] | None,
]


class EngineError(RuntimeError):
    """The chosen engine cannot run the solve (Ray missing, cluster unreachable or lost)."""


def engine_name(value: str | None = None) -> str:
    """The engine to use: `value`, else $PLANNER_ENGINE, else `local`."""
    name = (value or os.environ.get(ENV) or "local").strip().lower()
    if name not in ENGINES:
        source = "engine" if value else ENV
        raise EngineError(f"{source}: unknown engine {name!r} (known: {', '.join(ENGINES)})")
    return name


# --------------------------------------------------------------------------- starting Ray

_lock = threading.Lock()
_keeper: threading.Event | None = None  # set: the thread holding our Ray connection ends


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise EngineError(
            "the ray engine needs Ray: pip install 'planner[ray]' (or pip install ray)"
        ) from None
    return ray


def _probe(address: str) -> None:
    """Fail fast on an address nobody listens on: ray.init would retry for minutes."""
    if address in ("auto", "local") or "://" in address:
        return  # "auto" finds a cluster on this machine; ray:// goes through Ray Client
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=5):
            pass
    except (OSError, ValueError) as exc:
        raise EngineError(
            f"RAY_ADDRESS={address}: no Ray cluster answers there "
            f"({getattr(exc, 'strerror', None) or exc}); start one with `ray start --head` "
            "or unset RAY_ADDRESS to run a local Ray"
        ) from None


def ray_running() -> bool:
    """Ray is initialised in this process (without importing it when it is not)."""
    import sys

    ray = sys.modules.get("ray")
    return ray is not None and ray.is_initialized()


def start_ray(num_cpus: int | None = None) -> Any:
    """The `ray` module, initialised: joined to $RAY_ADDRESS or a private local Ray.

    Reused when already initialised (by an earlier solve, or by the caller)."""
    ray = _import_ray()
    with _lock:
        if ray.is_initialized():
            return ray
        address = os.environ.get("RAY_ADDRESS", "").strip()
        common = {
            "logging_level": logging.ERROR,
            "log_to_driver": False,
            "configure_logging": True,
            "namespace": "planner",
        }
        if address:
            _probe(address)
            kwargs = {"address": address, **common}
        else:
            _export_pythonpath()
            kwargs = {
                "address": "local",  # never attach to some other Ray found on this machine
                "num_cpus": max(1, int(num_cpus or os.cpu_count() or 1)),
                "include_dashboard": False,
                "_node_ip_address": "127.0.0.1",
                "object_store_memory": OBJECT_STORE_BYTES,
                **common,
            }
        _init(ray, kwargs, address)
    return ray


def _init(ray: Any, kwargs: dict[str, Any], address: str) -> None:
    """ray.init on a thread that stays alive until stop_ray: Ray's connection dies with the
    thread that opened it (a web solve thread ends), and the wait gets a deadline."""
    global _keeper
    failure: list[BaseException] = []
    ready, done = threading.Event(), threading.Event()

    def keep() -> None:
        try:
            ray.init(**kwargs)
        except BaseException as exc:  # reported to the caller below
            failure.append(exc)
            return
        finally:
            ready.set()
        done.wait()

    threading.Thread(target=keep, name="planner-ray", daemon=True).start()
    where = f"the Ray cluster at {address}" if address else "a local Ray"
    if not ready.wait(CONNECT_TIMEOUT_S):
        raise EngineError(f"could not start or join {where} within {CONNECT_TIMEOUT_S:g} s")
    if failure:
        raise EngineError(f"could not start or join {where}: {failure[0]}") from failure[0]
    _keeper = done


def _export_pythonpath() -> None:
    """Local Ray workers inherit this environment: make them import this planner."""
    from pathlib import Path

    import planner

    root = str(Path(planner.__file__).resolve().parent.parent)
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if root not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([root, *paths])


def stop_ray() -> None:
    """Shut down the local Ray start_ray started, or leave the cluster it joined (which
    goes on running). A Ray initialised by someone else is left alone."""
    global _keeper
    if _keeper is None:
        return
    import ray

    with _lock:
        if ray.is_initialized():
            ray.shutdown()
        _keeper.set()
        _keeper = None


def _ray_errors(ray: Any) -> tuple[type[BaseException], ...]:
    """Exceptions that mean a worker or the cluster failed (not the solve itself)."""
    ex = ray.exceptions
    return tuple(
        getattr(ex, name)
        for name in (
            "RayActorError",
            "ActorDiedError",
            "ActorUnavailableError",
            "WorkerCrashedError",
            "NodeDiedError",
            "ObjectLostError",
            "OwnerDiedError",
            "RaySystemError",
        )
        if hasattr(ex, name)
    )


# --------------------------------------------------------------------------- many solves


def _solve_task(
    document: dict[str, Any], time_limit_s: float | None, workers: int
) -> dict[str, Any]:
    """One scenario on a Ray worker: plain document in, plain plan out."""
    from planner.solver.cohort import solve_cohort  # the cohort package imports this one

    scenario = Scenario.model_validate(document)
    # engine="local": a task never fans out further (it already holds its CPU)
    plan = solve_cohort(scenario, time_limit_s=time_limit_s, workers=workers, engine="local")
    return plan.model_dump(mode="json")


def solve_many(
    scenarios: Sequence[Scenario],
    *,
    engine: str | None = None,
    time_limit_s: float | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    stop: Stop = None,
    solve: Callable[..., Plan] | None = None,
) -> list[Plan | None]:
    """Solve each scenario; the plans in input order (None where a stop cut it short).

    `progress(index, plan, done)` is called as each plan arrives (completion order).
    `local` solves one after another with `workers` CP-SAT threads each (`solve`, default
    solve_cohort); `ray` makes each scenario a task of one CPU (one CP-SAT worker) and runs
    as many at once as the cluster has CPUs (the local Ray gets `workers` CPUs).
    """
    if engine_name(engine) == "local":
        return _solve_here(scenarios, time_limit_s, workers, progress, stop, solve)
    return _solve_on_ray(scenarios, time_limit_s, workers, progress, stop)


def _solve_here(
    scenarios: Sequence[Scenario],
    time_limit_s: float | None,
    workers: int | None,
    progress: Progress | None,
    stop: Stop,
    solve: Callable[..., Plan] | None,
) -> list[Plan | None]:
    if solve is None:
        from planner.solver.cohort import solve_cohort  # the cohort package imports this one

        solve = solve_cohort
    plans: list[Plan | None] = [None] * len(scenarios)
    for i, scenario in enumerate(scenarios):
        if stop_requested(stop):
            break
        kwargs: dict[str, Any] = {"time_limit_s": time_limit_s, "workers": workers}
        if stop is not None:
            kwargs["stop"] = stop
        plans[i] = solve(scenario, **kwargs)
        if progress is not None:
            progress(i, plans[i], i + 1)
    return plans


def _solve_on_ray(
    scenarios: Sequence[Scenario],
    time_limit_s: float | None,
    workers: int | None,
    progress: Progress | None,
    stop: Stop,
    task: Callable[..., dict[str, Any]] | None = None,
) -> list[Plan | None]:
    ray = start_ray(workers)
    remote = ray.remote(num_cpus=1, max_retries=3)(task or _solve_task)
    refs: dict[Any, tuple[int, float]] = {}
    for i, scenario in enumerate(scenarios):
        limit = time_limit_s or scenario.options.time_limit_s
        refs[remote.remote(scenario.model_dump(mode="json"), limit, 1)] = (i, limit)
    plans: list[Plan | None] = [None] * len(scenarios)
    pending = list(refs)
    # No answer at all for a task's limit + grace while tasks are pending: the cluster is
    # gone (queued tasks wait for a free CPU, so the clock restarts at every answer).
    longest = max((limit for _, limit in refs.values()), default=0.0)
    quiet_until = time.monotonic() + longest + GRACE_S
    done = 0
    try:
        while pending:
            if stop_requested(stop):
                break
            ready, pending = ray.wait(pending, num_returns=1, timeout=POLL_S * 4)
            for ref in ready:
                i, _ = refs[ref]
                try:
                    plans[i] = Plan.model_validate(ray.get(ref, timeout=GRACE_S))
                except ray.exceptions.GetTimeoutError:
                    raise _lost(f"scenario {i + 1}", GRACE_S) from None
                except ray.exceptions.RayTaskError as exc:
                    raise EngineError(
                        f"scenario {i + 1} ({scenarios[i].name or 'unnamed'}) failed on Ray: "
                        f"{exc.cause if getattr(exc, 'cause', None) else exc}"
                    ) from None
                except _ray_errors(ray) as exc:
                    raise EngineError(
                        f"scenario {i + 1}: its Ray worker died and retries ran out ({exc})"
                    ) from None
                done += 1
                quiet_until = time.monotonic() + longest + GRACE_S
                if progress is not None:
                    progress(i, plans[i], done)
            if pending and time.monotonic() > quiet_until:
                raise _lost(f"{len(pending)} scenario(s)", longest + GRACE_S)
    finally:
        for ref in pending:  # cancelled, failed or interrupted: stop the rest now
            ray.cancel(ref, force=True)
    return plans


def _lost(what: str, seconds: float) -> EngineError:
    return EngineError(
        f"the Ray cluster did not answer for {what} within {seconds:g} s: it is lost or "
        "overloaded (check `ray status`)"
    )


# --------------------------------------------------------------------------- pricing actors


def _plain_answer(answer: Answer) -> PlainAnswer:
    """(Pattern | None, bound, PricerMeta | None) as builtin types for the wire."""
    pattern, bound, meta = answer
    p = None
    if pattern is not None:
        p = (
            [list(ct) for ct in pattern.takes],
            pattern.gap,
            pattern.cost,
            pattern.credits,
            pattern.lateness,
        )
    m = None if meta is None else (meta.per_course, meta.top, meta.feasible_shape)
    return p, bound, m


def _answer(plain: PlainAnswer) -> Answer:
    from planner.solver.cohort.patterns import Pattern  # the cohort package imports this one
    from planner.solver.cohort.pricing import PricerMeta

    p, bound, m = plain
    pattern = None
    if p is not None:
        takes, gap, cost, credits, lateness = p
        pattern = Pattern(tuple((c, t) for c, t in takes), gap, cost, credits, lateness)
    meta = None if m is None else PricerMeta(*m)
    return pattern, bound, meta


class Pricer:
    """A Ray actor's state: the pricing models of the groups it is sent, kept between
    rounds. Built from the scenario document; scales are recomputed from it exactly as
    the master computes them."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.s = Scenario.model_validate(document)
        self.credits = credit_scale(self.s)
        self.money = money_scale(self.s)
        self.models: dict[int, PricingModel] = {}
        self.stop_event = threading.Event()

    def ready(self) -> int:
        return os.getpid()

    def price(
        self, jobs: list[int], coef: Coef, seat: SeatPrices, time_limit: float
    ) -> dict[int, PlainAnswer]:
        from planner.solver.cohort.pricing import PricingModel, price_groups

        def make(g: int) -> PricingModel:
            return PricingModel(self.s, self.s.learners[g], self.credits, self.money)

        out = price_groups(self.models, make, jobs, coef, seat, time_limit, self.stop_event.is_set)
        return {g: _plain_answer(a) for g, a in out.items()}

    def stop(self) -> None:
        """Stop the current search (runs beside `price`: the actor has two threads)."""
        self.stop_event.set()


class RayPricingPool:
    """PricingPool's interface on Ray actors: `.price(jobs, coef, seat, time_limit,
    stopped)` and `.close()`.

    Each actor owns a fixed share of the groups (g mod actors) and keeps their CP-SAT
    models between rounds. An actor that dies (killed, its node lost) is replaced by a
    fresh one that gets the same share and rebuilds its models (up to RESPAWNS times per
    solve); past that, or when no new actor can be placed, its groups go to the other
    actors, and to this process when none is left.
    """

    RESPAWNS = 3

    def __init__(
        self,
        scenario: Scenario,
        credits: Scale | None = None,
        money: Scale | None = None,
        actors: int | None = None,
        cpus: int | None = None,
    ) -> None:
        del credits, money  # recomputed by each actor from the same scenario
        self.s = scenario
        ray = self.ray = start_ray(cpus or actors)  # a local Ray gets the solve's workers
        if actors is None:
            actors = int(ray.cluster_resources().get("CPU", 1))
        actors = max(1, min(actors, len(scenario.learners)))
        # Replacement is ours, not Ray's max_restarts: a restarted actor needs its
        # arguments kept in the object store, and we can re-place its share anyway.
        self.cls = ray.remote(
            num_cpus=1,
            max_restarts=0,
            max_concurrency=2,  # `stop` must get through while `price` runs
            scheduling_strategy="SPREAD",
        )(Pricer)
        self.document = ray.put(scenario.model_dump(mode="json"))  # sent once, shared
        self.respawns = self.RESPAWNS
        self.actors: list[Any] = []
        self.pids: list[int] = []
        self._local: PricingPool | None = None
        self.stopping = False
        for actor, pid in self._spawn(actors):
            self.actors.append(actor)
            self.pids.append(pid)
        if not self.actors:
            log.warning("no Ray pricing actor could start; pricing in this process")

    def _spawn(self, count: int) -> list[tuple[Any, int]]:
        """Start `count` actors; those that cannot be placed in time are given up."""
        ray = self.ray
        started = [self.cls.remote(self.document) for _ in range(count)]
        pings = {a.ready.remote(): a for a in started}
        ready, late = ray.wait(list(pings), num_returns=len(pings), timeout=ACTOR_START_S)
        out = []
        for ref in ready:
            try:
                out.append((pings[ref], ray.get(ref, timeout=GRACE_S)))
            except _ray_errors(ray):
                pass
        for ref in late:  # no room on the cluster now: do without them
            ray.kill(pings[ref])
        return out

    def _replace(self, dead: list[Any]) -> None:
        """Swap dead actors for fresh ones in place (keeping every share's owner index)."""
        for actor in dead:
            i = next(k for k, a in enumerate(self.actors) if a is actor)
            fresh = self._spawn(1) if self.respawns > 0 else []
            if fresh:
                self.respawns -= 1
                self.actors[i], self.pids[i] = fresh[0]
                log.warning("Ray pricing actor lost; replaced (its groups are re-priced)")
            else:
                del self.actors[i], self.pids[i]
                log.warning("Ray pricing actor lost; its groups move to the others")

    def _here(self) -> PricingPool:
        if self._local is None:
            from planner.solver.cohort.workers import PricingPool

            self._local = PricingPool(self.s, credit_scale(self.s), money_scale(self.s), 1)
        return self._local

    def price(
        self,
        jobs: list[int],
        coef: Coef,
        seat: SeatPrices,
        time_limit: float,
        stopped: Stopped = None,
    ) -> dict[int, Answer]:
        """g -> (pattern or None, lower bound, PricerMeta on a model's first use)."""
        out: dict[int, Answer] = {}
        todo = list(jobs)
        while todo and self.actors and not (stopped is not None and stopped()):
            n = len(self.actors)
            calls = {}
            for i, actor in enumerate(self.actors):
                share = [g for g in todo if g % n == i]
                if share:
                    calls[actor.price.remote(share, coef, seat, time_limit)] = (actor, share)
            failed = self._collect(calls, out, time_limit, stopped)
            self._replace([actor for actor, _ in failed])
            todo = [g for _, share in failed for g in share]
        if todo and not (stopped is not None and stopped()):
            out.update(self._here().price(todo, coef, seat, time_limit, stopped))
        return out

    def _collect(
        self,
        calls: dict[Any, tuple[Any, list[int]]],
        out: dict[int, Answer],
        time_limit: float,
        stopped: Callable[[], bool] | None,
    ) -> list[tuple[Any, list[int]]]:
        ray = self.ray
        pending = list(calls)
        failed = []
        deadline = time.monotonic() + time_limit + GRACE_S
        while pending:
            ready, pending = ray.wait(pending, num_returns=len(pending), timeout=POLL_S)
            for ref in ready:
                try:
                    answers = ray.get(ref, timeout=GRACE_S)
                except ray.exceptions.GetTimeoutError:
                    raise _lost("a pricing call", GRACE_S) from None
                except _ray_errors(ray) as exc:
                    log.warning("Ray pricing actor lost (%s); re-pricing its groups", exc)
                    failed.append(calls[ref])
                    continue
                out.update((g, _answer(a)) for g, a in answers.items())
            if pending and not self.stopping and stopped is not None and stopped():
                self.stopping = True  # one solve per pool: once stopped, stay stopped
                for actor in self.actors:
                    actor.stop.remote()
            if pending and time.monotonic() > deadline:
                for ref in pending:
                    ray.cancel(ref)
                raise _lost(f"{len(pending)} pricing call(s)", time_limit + GRACE_S)
        return failed

    def close(self) -> None:
        for actor in getattr(self, "actors", []):
            self.ray.kill(actor)
        self.actors = []
        if self._local is not None:
            self._local.close()


__all__ = [
    "ENGINES",
    "EngineError",
    "RayPricingPool",
    "engine_name",
    "solve_many",
    "start_ray",
    "stop_ray",
]
