"""A small thread-safe LRU of values made on a miss, for the page caches of services (parsed
plans, scenario catalogues, cohort tables); with `ttl_s`, entries also expire."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any, TypeVar

from sqlalchemy.orm import Session

V = TypeVar("V")


class LRU:
    def __init__(self, size: int, ttl_s: float | None = None):
        self.size = size
        self.ttl_s = ttl_s
        # key -> (made at, value), least recently used first
        self.items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self.lock = Lock()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept under `key`, else `make()` kept (made outside the lock: two threads
        may both make it, and the last one is kept)."""
        now = time.monotonic()
        with self.lock:
            hit = self.items.get(key)
            if hit is not None and (self.ttl_s is None or now - hit[0] < self.ttl_s):
                self.items.move_to_end(key)
                value: V = hit[1]
                return value
        value = make()
        with self.lock:
            self.items[key] = (now, value)
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


def database_key(session: Session) -> str:
    """Which database `session` reads: the first part of every cache key, so that two
    databases in one process (tests, the CLI beside the app) never share entries."""
    return str(session.get_bind().engine.url)
