"""The floors the benchmark compares intake with: plain ``sqlite3`` at its fastest."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path


def raw_insert_seconds(home: Path, rows: list[dict]) -> float:
    """The bare floor: the same stone rows into a table of the same columns and nothing
    else (no key, no index, no constraint) with plain ``sqlite3`` ``executemany`` in one
    transaction."""
    path = home / "raw.db"
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    columns = list(rows[0])
    conn.execute(f"CREATE TABLE stones ({', '.join(columns)})")
    marks = ", ".join(f":{c}" for c in columns)
    start = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO stones VALUES ({marks})", rows)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    path.unlink()
    return seconds


def table_insert_seconds(database: Path, rows: list[dict]) -> float:
    """The floor in the lab itself: the same stone rows, complete, into the lab's own
    ``stones`` table (its keys, indexes and constraints, at its size) with plain
    ``sqlite3`` ``executemany`` in one committed transaction.

    The rows get the ids after the last stone and the lab's last submission; nothing
    LabDesk adds (checks, audit events, the search index) is done.  They are deleted
    again afterwards (untimed), so the lab is as it was: this is for benchmark labs only.
    """
    conn = sqlite3.connect(str(database), isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=FULL")  # as LabDesk's connections
        first = (conn.execute("SELECT max(id) FROM stones").fetchone()[0] or 0) + 1
        submission = conn.execute("SELECT max(id) FROM submissions").fetchone()[0]
        columns = [r[1] for r in conn.execute("PRAGMA table_info(stones)")]
        full = [{**dict.fromkeys(columns), **row, "id": first + i,
                 "number": f"RAW{first + i:09d}", "submission_id": submission,
                 "state": "received", "created_at": "2026-01-01T00:00:00Z",
                 "updated_at": "2026-01-01T00:00:00Z"} for i, row in enumerate(rows)]
        names = ", ".join(columns)
        marks = ", ".join(f":{c}" for c in columns)
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(f"INSERT INTO stones ({names}) VALUES ({marks})", full)
        conn.execute("COMMIT")
        seconds = time.perf_counter() - start
        conn.execute("DELETE FROM stones WHERE id >= ?", [first])
    finally:
        conn.close()
    return seconds
