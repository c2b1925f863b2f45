"""The floor the benchmark compares intake with: plain ``sqlite3`` at its fastest."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path


def raw_insert_seconds(home: Path, rows: list[dict]) -> float:
    """The floor: the same stone rows into a bare table of the same columns with plain
    ``sqlite3`` ``executemany`` in one transaction (no checks, no audit, no FTS)."""
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
