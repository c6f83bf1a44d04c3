"""Sign-in throttling: too many failed sign-ins for one account, or from one address,
within a window make further attempts (right password or not) wait.

In-memory and per process (no extra service to run): with several worker processes
each one counts on its own, so the effective limit is the configured one times the
number of workers. Configuration (Flask config keys, defaults in DEFAULTS):

- LOGIN_THROTTLE: False turns it off;
- LOGIN_MAX_FAILURES_PER_ACCOUNT, LOGIN_MAX_FAILURES_PER_ADDRESS: failures allowed;
- LOGIN_THROTTLE_WINDOW_S: how far back failures count (and how long a block lasts).
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque

DEFAULTS = {
    "LOGIN_THROTTLE": True,
    "LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
    "LOGIN_THROTTLE_WINDOW_S": 15 * 60,
}


class LoginThrottle:
    def __init__(self, per_account: int, per_address: int, window_s: float, clock=time.monotonic):
        self.limits = {"account": per_account, "address": per_address}
        self.window_s = window_s
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, config) -> LoginThrottle | None:
        for key, value in DEFAULTS.items():
            config.setdefault(key, value)
        if not config["LOGIN_THROTTLE"]:
            return None
        return cls(
            int(config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
            int(config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
            float(config["LOGIN_THROTTLE_WINDOW_S"]),
        )

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures[key]
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times

    def blocked(self, account: str, address: str) -> tuple[str, int] | None:
        """("account" or "address", seconds to wait) when a limit is reached, else None."""
        now = self.clock()
        with self._lock:
            for scope, key in (("account", account), ("address", address)):
                times = self._recent((scope, key), now)
                if len(times) >= self.limits[scope]:
                    wait = times[len(times) - self.limits[scope]] + self.window_s - now
                    return scope, max(1, math.ceil(wait))
        return None

    def failed(self, account: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for scope, key in (("account", account), ("address", address)):
                self._recent((scope, key), now).append(now)
            if len(self._failures) > 100_000:  # bound memory under a spray of names
                for idle in [k for k, v in self._failures.items() if not v]:
                    del self._failures[idle]

    def succeeded(self, account: str) -> None:
        with self._lock:
            self._failures.pop(("account", account), None)
