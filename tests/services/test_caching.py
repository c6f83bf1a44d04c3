"""services/caching.py: the LRU behind the plan, catalogue and cohort caches."""

from planner.services.caching import LRU


def test_lru_keeps_the_most_recently_used_and_makes_a_value_once():
    cache = LRU(2)
    made = []

    def make(key):
        return lambda: made.append(key) or key.upper()

    assert cache.get("a", make("a")) == "A"
    assert cache.get("b", make("b")) == "B"
    assert cache.get("a", make("a")) == "A"  # a hit: "a" is now the most recent
    cache.get("c", make("c"))  # evicts "b", the least recently used
    assert list(cache.items) == ["a", "c"]
    assert made == ["a", "b", "c"]


def test_lru_entries_expire_after_their_time(monkeypatch):
    now = [100.0]
    monkeypatch.setattr("planner.services.caching.time.monotonic", lambda: now[0])
    cache = LRU(4, ttl_s=10)
    assert cache.get("k", lambda: 1) == 1
    now[0] += 9
    assert cache.get("k", lambda: 2) == 1
    now[0] += 2  # made at 100, now 111: expired
    assert cache.get("k", lambda: 3) == 3
    cache.clear()
    assert not cache.items
