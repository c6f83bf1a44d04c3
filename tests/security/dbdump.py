"""Whole-database snapshots for the attack-replay tests: "nothing changed" means every
row of every table is the same before and after."""

from __future__ import annotations

from sqlalchemy import create_engine, select

import planner.models


def dump(url: str, skip: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            out = {}
            for name, table in sorted(planner.models.metadata.tables.items()):
                if name in skip:
                    continue
                rows = conn.execute(select(table)).all()
                out[name] = sorted(tuple(repr(v) for v in row) for row in rows)
            return out
    finally:
        engine.dispose()


def text_hits(url: str, needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every text or JSON cell of every table holding a needle."""
    import json

    engine = create_engine(url)
    hits = []
    try:
        with engine.connect() as conn:
            for name, table in sorted(planner.models.metadata.tables.items()):
                for row in conn.execute(select(table)).mappings():
                    for column, value in row.items():
                        if value is None or isinstance(value, int | float | bool):
                            continue
                        text = (
                            json.dumps(value, ensure_ascii=False)
                            if isinstance(value, dict | list)
                            else str(value)
                        )
                        hits.extend((name, column, n) for n in needles if n in text)
    finally:
        engine.dispose()
    return hits
