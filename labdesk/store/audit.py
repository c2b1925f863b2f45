"""The audit chain: one event per change, each hashing the one before (SHA-256).

An event holds who did what to which record and, under ``data["row"]``, the whole record
as it stood after the change (its *snapshot*).  The chain therefore says what every row
should contain now, and ``verify`` compares it with what the tables do contain: a value
edited behind LabDesk's back, a row added or removed, an event deleted or altered are all
reported by name.  Triggers refuse UPDATE and DELETE on the table itself.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import sqlite_utils

from labdesk.store.connection import utcnow
from labdesk.store.schema import AUDITED_TABLES

GENESIS = "0" * 64
#: Columns whose value is replaced by its SHA-256 in snapshots (no secrets in the chain).
_SECRET_COLUMNS = {"users": ("password_hash",)}


def canonical(value) -> str:
    """Sorted keys, no spaces, UTF-8 kept: the one text that is hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def snapshot(table: str, row: dict) -> dict:
    """The row as the chain records it (secrets replaced by their hash)."""
    snap = dict(row)
    for column in _SECRET_COLUMNS.get(table, ()):
        if snap.get(column) is not None:
            snap[column] = "sha256:" + hashlib.sha256(snap[column].encode()).hexdigest()
    return snap


def event_hash(prev_hash: str, event: dict) -> str:
    fields = [event["id"], event["at"], event["actor"], event["action"], event["entity"],
              event["entity_id"], event["stone_id"], event["submission_id"], event["data"]]
    return hashlib.sha256((prev_hash + "\n" + canonical(fields)).encode()).hexdigest()


_INSERT = ("INSERT INTO audit (id, at, actor, action, entity, entity_id, stone_id, "
           "submission_id, data, prev_hash, hash) VALUES (:id, :at, :actor, :action, "
           ":entity, :entity_id, :stone_id, :submission_id, :data, :prev_hash, :hash)")


def _chain_head(db) -> tuple[int, str]:
    last = db.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return last if last else (0, GENESIS)


def _event(prev: tuple[int, str], at: str, actor: str, action: str, entity: str,
           entity_id, row, stone_id, submission_id, extra: dict) -> dict:
    data = dict(extra)
    if row is not None:
        data["row"] = snapshot(entity, row)
    event = {"id": prev[0] + 1, "at": at, "actor": actor, "action": action,
             "entity": entity, "entity_id": str(entity_id), "stone_id": stone_id,
             "submission_id": submission_id, "data": canonical(data), "prev_hash": prev[1]}
    event["hash"] = event_hash(prev[1], event)
    return event


def record(db: sqlite_utils.Database, actor: str, action: str, entity: str,
           entity_id, row: dict | None = None, *, stone_id: int | None = None,
           submission_id: int | None = None, **extra) -> dict:
    """Append one event; call inside the transaction that made the change.

    ``row`` is the record after the change (stored as its snapshot); ``extra`` holds
    anything a reader needs beyond it (a reason, a signature's meaning, what changed).
    """
    event = _event(_chain_head(db), utcnow(), actor, action, entity, entity_id, row,
                   stone_id, submission_id, extra)
    db.execute(_INSERT, event)
    return event


def record_rows(db: sqlite_utils.Database, actor: str, action: str, entity: str,
                rows: list[dict], *, submission_id: int | None = None) -> int:
    """One event per row (a bulk intake), chained in one pass and inserted together;
    returns how many.  For stones each event names its stone."""
    prev = _chain_head(db)
    at = utcnow()
    events = []
    for row in rows:
        stone_id = row["id"] if entity == "stones" else None
        event = _event(prev, at, actor, action, entity, row["id"], row, stone_id,
                       submission_id, {})
        events.append(event)
        prev = (event["id"], event["hash"])
    db.conn.executemany(_INSERT, events)
    return len(events)


@dataclass
class ChainReport:
    events: int
    problems: list[str]


def verify(db: sqlite_utils.Database, progress=None) -> ChainReport:
    """Walk the chain and compare every audited table with the chain's snapshots.

    ``progress(done, total)`` is called now and then.  Memory grows with the number of
    records (one short hash per record), not with the number of events.
    """
    problems: list[str] = []
    total = db.execute("SELECT count(*) FROM audit").fetchone()[0]
    latest: dict[tuple[str, str], str] = {}
    prev_hash, expected_id, count = GENESIS, 1, 0
    cursor = db.conn.execute("SELECT id, at, actor, action, entity, entity_id, stone_id, "
                             "submission_id, data, prev_hash, hash FROM audit ORDER BY id")
    columns = [d[0] for d in cursor.description]
    for values in cursor:
        event = dict(zip(columns, values))
        count += 1
        if event["id"] != expected_id:
            problems.append(f"audit: events {expected_id} to {event['id'] - 1} are missing "
                            f"from the chain")
        if event["prev_hash"] != prev_hash:
            problems.append(f"audit: event {event['id']} does not follow the event before "
                            f"it (chain broken)")
        if event_hash(event["prev_hash"], event) != event["hash"]:
            problems.append(f"audit: event {event['id']} ({event['action']} by "
                            f"{event['actor']}) was altered after it was written")
        try:
            data = json.loads(event["data"])
        except ValueError:
            data = {}
        if "row" in data:
            latest[(event["entity"], event["entity_id"])] = _digest(data["row"])
        prev_hash, expected_id = event["hash"], event["id"] + 1
        if progress and count % 1000 == 0:
            progress(count, total)
    seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").fetchone()
    if seq and seq[0] >= expected_id:
        problems.append(f"audit: events {expected_id} to {seq[0]} were deleted from the end "
                        f"of the chain")
    for table in AUDITED_TABLES:
        problems.extend(_compare_table(db, table, latest))
    return ChainReport(events=count, problems=problems)


def _digest(snap: dict) -> str:
    return hashlib.sha256(canonical(snap).encode()).hexdigest()


def _compare_table(db, table, latest) -> list[str]:
    problems = []
    key = "key" if table == "settings" else "id"
    seen = set()
    cursor = db.conn.execute(f"SELECT * FROM [{table}]")
    columns = [d[0] for d in cursor.description]
    for values in cursor:
        row = dict(zip(columns, values))
        entity_id = str(row[key])
        seen.add(entity_id)
        recorded = latest.get((table, entity_id))
        label = _label(table, row)
        if recorded is None:
            problems.append(f"{table}: {label} is not in the audit chain (added behind "
                            f"LabDesk's back)")
        elif recorded != _digest(snapshot(table, row)):
            problems.append(f"{table}: {label} differs from its last audited state "
                            f"(changed behind LabDesk's back){_diff(db, table, row)}")
    for (entity, entity_id) in latest:
        if entity == table and entity_id not in seen:
            problems.append(f"{table}: record {entity_id} is in the audit chain but missing "
                            f"from the table (deleted behind LabDesk's back)")
    return problems


def _label(table: str, row: dict) -> str:
    for name in ("number", "username", "key", "name"):
        if row.get(name):
            return f"{row[name]}"
    return f"record {row.get('id')}"


def _diff(db, table, row) -> str:
    """Name the columns that differ from the last snapshot (only for a row that does)."""
    key = "key" if table == "settings" else "id"
    found = db.execute("SELECT data FROM audit WHERE entity = ? AND entity_id = ? AND "
                       "data LIKE '%\"row\":%' ORDER BY id DESC LIMIT 1",
                       [table, str(row[key])]).fetchone()
    if not found:
        return ""
    recorded = json.loads(found[0])["row"]
    current = snapshot(table, row)
    changed = [f"{c}: recorded {recorded.get(c)!r}, now {current.get(c)!r}"
               for c in sorted(set(recorded) | set(current))
               if recorded.get(c) != current.get(c)]
    return ": " + "; ".join(changed) if changed else ""


def events(db: sqlite_utils.Database, where: str = "1", params=(), limit: int = 200,
           offset: int = 0) -> list[dict]:
    """Audit events, newest first, as dicts with ``data`` decoded."""
    rows = db.execute(f"SELECT * FROM audit WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?",
                      [*params, limit, offset])
    columns = [d[0] for d in rows.description]
    out = []
    for values in rows.fetchall():
        event = dict(zip(columns, values))
        event["data"] = json.loads(event["data"])
        out.append(event)
    return out
