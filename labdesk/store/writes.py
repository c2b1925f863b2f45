"""Audited writes: the only way rows are added or changed.

Each function writes the row and its audit event in the caller's transaction, so a
change and its record stand or fall together.  Rows are never deleted.
"""
from __future__ import annotations

import sqlite_utils

from labdesk.store import audit, queries, search_index
from labdesk.store.connection import is_pg


def _key(table: str) -> str:
    return "key" if table == "settings" else "id"


def get_row(db: sqlite_utils.Database, table: str, key) -> dict | None:
    cursor = db.execute(f"SELECT * FROM [{table}] WHERE [{_key(table)}] = ?", [key])
    values = cursor.fetchone()
    if values is None:
        return None
    return dict(zip([d[0] for d in cursor.description], values))


def insert(db: sqlite_utils.Database, table: str, values: dict, actor: str, action: str,
           *, stone_id=None, submission_id=None, **extra) -> dict:
    """INSERT ``values`` and record ``action``; returns the stored row.

    A row without an id takes the next one (the caller's transaction holds the write
    lock, so no other desk takes it meanwhile), as SQLite would give it."""
    if table != "settings" and "id" not in values:
        values = {"id": queries.next_id(db, table), **values}
    columns = ", ".join(f"[{c}]" for c in values)
    marks = ", ".join("?" for _ in values)
    db.execute(f"INSERT INTO [{table}] ({columns}) VALUES ({marks})",
               list(values.values()))
    key = values[_key(table)]
    row = get_row(db, table, key)
    if table == "stones":
        stone_id = row["id"]
        search_index.add_stones(db, stone_id, stone_id)
    audit.record(db, actor, action, table, key, row, stone_id=stone_id,
                 submission_id=submission_id, **extra)
    return row


def update(db: sqlite_utils.Database, table: str, key, changes: dict, actor: str,
           action: str, *, stone_id=None, submission_id=None, **extra) -> tuple[dict, dict]:
    """UPDATE the row with ``changes`` and record ``action`` with what changed.

    Returns ``(row, changed)``; ``changed`` maps each column that really changed to
    ``[old, new]``.  When nothing changed no event is written.
    """
    before = get_row(db, table, key)
    if table == "stones":
        stone_id = key
    changed = {c: [before.get(c), v] for c, v in changes.items() if before.get(c) != v}
    if not changed and not extra:
        return before, {}
    if changed:
        sets = ", ".join(f"[{c}] = ?" for c in changed)
        db.execute(f"UPDATE [{table}] SET {sets} WHERE [{_key(table)}] = ?",
                   [v[1] for v in changed.values()] + [key])
    row = get_row(db, table, key)
    shown = {c: v for c, v in changed.items() if c != "password_hash"}
    if "password_hash" in changed:
        extra["password_changed"] = True
    audit.record(db, actor, action, table, key, row, stone_id=stone_id,
                 submission_id=submission_id, changed=shown, **extra)
    return row, changed


def insert_rows(db: sqlite_utils.Database, table: str, rows: list[dict], actor: str,
                action: str, *, submission_id=None, one_event: bool = False) -> None:
    """INSERT many complete rows (every column given) with ``executemany``: the bulk
    path of an intake.  The rows are their own snapshots, so nothing is read back.

    With ``one_event`` the rows (consecutive ids) are recorded by one batch event, as an
    intake is; otherwise by one event each.  Stones are indexed for search.
    """
    if not rows:
        return
    columns = list(rows[0])
    if is_pg(db):
        db.copy_rows(table, columns, rows)
    else:
        names = ", ".join(f"[{c}]" for c in columns)
        marks = ", ".join(f":{c}" for c in columns)
        db.conn.executemany(f"INSERT INTO [{table}] ({names}) VALUES ({marks})", rows)
    if table == "stones":
        search_index.add_stones(db, rows[0]["id"], rows[-1]["id"])
    if one_event:
        audit.record_batch(db, actor, action, table, rows, submission_id=submission_id)
    else:
        audit.record_rows(db, actor, action, table, rows, submission_id=submission_id)


def columns(db: sqlite_utils.Database, table: str) -> list[str]:
    """The table's columns in order (to build complete rows)."""
    if is_pg(db):
        return [r[0] for r in db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = ? ORDER BY ordinal_position", [table])]
    return [r[1] for r in db.execute(f"PRAGMA table_info([{table}])").fetchall()]
