"""Where pricing runs: in this process, or for large cohorts in worker processes that own
a share of the groups and keep their models between rounds."""

from __future__ import annotations

import contextlib
import subprocess
import threading
from multiprocessing.connection import Connection

from planner.scenario import Scenario
from planner.solver.cohort.pricing import (
    Answer,
    Coef,
    PricingModel,
    SeatPrices,
    Stopped,
    price_groups,
)
from planner.solver.scale import Scale


def _serve() -> None:
    """A pricing worker process (see PricingPool): owns the models of the groups it is
    sent and answers one request per round, until its input closes."""
    import os
    import pickle
    import sys

    # Our answers go to the original stdout; anything printed goes to stderr instead.
    out = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    inp = Connection(0, writable=False)
    scenario, credits, money = pickle.loads(inp.recv_bytes())
    out.send("ready")
    models: dict[int, PricingModel] = {}

    def make(g: int) -> PricingModel:
        return PricingModel(scenario, scenario.learners[g], credits, money)

    while True:
        try:
            request = inp.recv()
        except EOFError:
            return
        if request is None:
            return
        out.send(price_groups(models, make, *request))


class PricingPool:
    """Prices groups in this process or, for large cohorts, in worker processes.

    CP-SAT releases the GIL while it solves, but building and driving thousands of small
    models is Python work, so threads would not scale: each worker process owns a fixed
    share of the groups (g mod processes) and keeps their models between rounds.
    Workers are fresh interpreters (not forks) so that neither a web worker pool's locks
    nor the caller's __main__ module are carried into them.
    """

    def __init__(self, scenario: Scenario, credits: Scale, money: Scale, processes: int = 1):
        self.s, self.credits, self.money = scenario, credits, money
        self.models: dict[int, PricingModel] = {}
        self.procs: list[subprocess.Popen[bytes]] = []
        self.sends: list[Connection] = []
        self.recvs: list[Connection] = []
        self.ready = threading.Event()
        if processes > 1:
            try:
                self._start(processes)
            except OSError:
                self.close()

    def _start(self, processes: int) -> None:
        import os
        import pickle
        import sys
        from pathlib import Path

        import planner

        root = str(Path(planner.__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        payload = pickle.dumps((self.s, self.credits, self.money))
        for _ in range(processes):
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "from planner.solver.cohort.workers import _serve; _serve()",
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
            )
            self.procs.append(proc)
            assert proc.stdin is not None and proc.stdout is not None  # both are PIPEs
            self.sends.append(Connection(os.dup(proc.stdin.fileno()), readable=False))
            self.recvs.append(Connection(os.dup(proc.stdout.fileno()), writable=False))
            proc.stdin.close()
            proc.stdout.close()
        # Workers take a second or more to start (more on a busy machine): pricing goes on
        # in this process until every worker has its data and says it is ready.
        threading.Thread(target=self._deliver, args=(payload,), daemon=True).start()

    def _deliver(self, payload: bytes) -> None:
        try:
            for conn in self.sends:
                conn.send_bytes(payload)
            for conn in self.recvs:
                conn.recv()  # "ready"
        except (EOFError, OSError, TypeError):  # TypeError: closed under our feet
            return  # closed or died before it was ready: pricing stays in this process
        self.ready.set()

    def _make(self, g: int) -> PricingModel:
        return PricingModel(self.s, self.s.learners[g], self.credits, self.money)

    def price(
        self,
        jobs: list[int],
        coef: Coef,
        seat: SeatPrices,
        time_limit: float,
        stopped: Stopped = None,
    ) -> dict[int, Answer]:
        """g -> (pattern or None, lower bound, PricerMeta on a model's first use)."""
        if self.procs and self.ready.is_set():
            try:
                n = len(self.procs)
                for i, conn in enumerate(self.sends):
                    conn.send(([g for g in jobs if g % n == i], coef, seat, time_limit))
                out: dict[int, Answer] = {}
                for conn in self.recvs:
                    out.update(conn.recv())
                return out
            except (EOFError, OSError):
                # A worker died: carry on in this process (its models rebuild on use).
                self.close()
        return price_groups(self.models, self._make, jobs, coef, seat, time_limit, stopped)

    def close(self) -> None:
        for conn in self.sends + self.recvs:
            with contextlib.suppress(OSError):
                conn.close()
        for proc in self.procs:
            if not self.ready.is_set():
                proc.kill()  # still starting up: nothing to finish
            try:
                proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:  # a stuck worker must not outlive the solve
                proc.kill()
                proc.wait()
        self.procs, self.sends, self.recvs = [], [], []
