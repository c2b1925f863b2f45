"""Moving a lab's records between databases, whatever their backend: every audited table
and the audit chain, row for row, in key order, then the search index rebuilt.

It serves ``labdesk migrate --to`` (a SQLite lab into an empty PostgreSQL database), the
backup of a PostgreSQL lab (into a SQLite file, the one portable backup format) and the
restore of a backup into PostgreSQL.  Values move unchanged (integers, text, NULL), so
every snapshot, and the chain's every hash, is the same on the other side.
"""
from __future__ import annotations

from labdesk.store import search_index
from labdesk.store.connection import is_pg, stream
from labdesk.store.schema import AUDITED_TABLES
from labdesk.store.writes import columns as table_columns

#: In an order that every foreign key allows.
TABLES = ("settings", "users", "clients", "submissions", "stones", "evidence",
          "attachments", "findings", "signing_keys", "reports", "rulesets", "rule_changes",
          "returns", "audit")
_BATCH = 5000


def copy_records(source, target, progress=None) -> dict[str, int]:
    """Copy every table of ``source`` into the empty, same-schema ``target``, inside the
    caller's transaction on ``target``; returns how many rows each table gave.
    ``progress(table, rows so far)`` is called now and then."""
    assert set(AUDITED_TABLES) <= set(TABLES), "a new audited table must be moved too"
    counts = {}
    for table in TABLES:
        wanted = table_columns(target, table)
        present = table_columns(source, table)
        missing = [c for c in wanted if c not in present]
        extra = [c for c in present if c not in wanted]
        if missing or extra:
            raise ValueError(f"{table}: the source lacks {missing} and has {extra} the "
                             f"target lacks: not the same schema")
        key = "key" if table == "settings" else "id"
        names = ", ".join(f"[{c}]" for c in wanted)
        rows, count = [], 0
        for values in stream(source, f"SELECT {names} FROM [{table}] ORDER BY [{key}]"):
            rows.append(dict(zip(wanted, values)))
            if len(rows) >= _BATCH:
                _insert(target, table, wanted, rows)
                count += len(rows)
                rows = []
                if progress:
                    progress(table, count)
        _insert(target, table, wanted, rows)
        counts[table] = count + len(rows)
    search_index.rebuild(target)
    return counts


def _insert(db, table: str, columns: list[str], rows: list[dict]) -> None:
    if not rows:
        return
    if is_pg(db):
        db.copy_rows(table, columns, rows)
        return
    names = ", ".join(f"[{c}]" for c in columns)
    marks = ", ".join(f":{c}" for c in columns)
    db.conn.executemany(f"INSERT INTO [{table}] ({names}) VALUES ({marks})", rows)
