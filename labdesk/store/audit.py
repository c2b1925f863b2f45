"""The audit chain: one event per change, each hashing the one before (SHA-256).

An event holds who did what to which record and, under ``data["row"]``, the whole record
as it stood after the change (its *snapshot*).  The chain therefore says what every row
should contain now, and ``verify`` compares it with what the tables do contain: a value
edited behind LabDesk's back, a row added or removed, an event deleted or altered are all
reported by name.  Triggers refuse UPDATE and DELETE on the table itself.
"""
from __future__ import annotations

import bisect
import hashlib
import json
from dataclasses import dataclass

import orjson
import sqlite_utils

from labdesk.store.connection import is_pg, stream, utcnow
from labdesk.store.schema import AUDITED_TABLES

GENESIS = "0" * 64
#: Columns whose value is replaced by its SHA-256 in snapshots (no secrets in the chain).
_SECRET_COLUMNS = {"users": ("password_hash",)}


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(value) -> str:
    """Sorted keys, no spaces, UTF-8 kept: the one text that is hashed.

    The text is ``json``'s with those options.  orjson writes the same bytes for what the
    chain holds (strings, with every code point escaped alike, checked in
    tests/store/test_audit_encoding.py; integers; null; lists; dicts with text keys)
    seven times faster; what it refuses (a lone surrogate, an integer beyond 64 bits, a
    non-text key) goes to ``json``.
    """
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return _ENCODER.encode(value)


def snapshot(table: str, row: dict) -> dict:
    """The row as the chain records it (secrets replaced by their hash; the row itself
    when the table has none)."""
    if table not in _SECRET_COLUMNS:
        return row
    snap = dict(row)
    for column in _SECRET_COLUMNS[table]:
        if snap.get(column) is not None:
            snap[column] = "sha256:" + hashlib.sha256(snap[column].encode()).hexdigest()
    return snap


#: The columns an event's hash covers, in order (with the previous event's hash).
HASHED = ("id", "at", "actor", "action", "entity", "entity_id", "stone_id",
          "submission_id", "data")


def event_hash(prev_hash: str, fields: list) -> str:
    """SHA-256 of the previous hash and the event's ``HASHED`` values (text, integers
    and nulls: ``canonical`` writes them exactly as ``json`` does)."""
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
    event["hash"] = event_hash(prev[1], [event[name] for name in HASHED])
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
    """One event per row, chained in one pass and inserted together; returns how many.
    For stones each event names its stone.  (The benchmark's lab builder writes
    evidence this way, as a technician adding it one by one would.)"""
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


#: A batch event's ``entity_id`` starts so: ``rows:<first id>-<last id>``.
BATCH = "rows:"


def record_batch(db: sqlite_utils.Database, actor: str, action: str, entity: str,
                 rows: list[dict], *, submission_id: int | None = None, **extra) -> dict:
    """One event for many new rows of ``entity`` with consecutive ids (an intake):
    ``data["rows"]`` holds every row's snapshot in id order.

    One event instead of one per row: a 10,000-stone packing list is one act of the
    technician, and writing it as one event costs a tenth of the time (``verify``
    compares each row with its snapshot here just the same).
    """
    ids = [row["id"] for row in rows]
    if not ids or ids != list(range(ids[0], ids[0] + len(ids))):
        raise ValueError("a batch event needs rows with consecutive ids")
    return record(db, actor, action, entity, f"{BATCH}{ids[0]}-{ids[-1]}", None,
                  submission_id=submission_id,
                  rows=[snapshot(entity, row) for row in rows], **extra)


#: SQL that tells a batch event's ``entity_id`` (GLOB, unlike LIKE, minds the case).
IS_BATCH = f"entity_id GLOB '{BATCH}*'"


def batch_range(entity_id: str) -> tuple[int, int] | None:
    """``'rows:101-1100'`` -> ``(101, 1100)``; None for an event about one record (or a
    malformed range, which only a forged event could hold: the chain walk reports it)."""
    if not str(entity_id).startswith(BATCH):
        return None
    first, _, last = str(entity_id)[len(BATCH):].partition("-")
    if not (first.isdigit() and last.isdigit()) or int(first) > int(last):
        return None
    return int(first), int(last)


def batch_row(data: dict, first: int, row_id: int) -> dict | None:
    """The snapshot of ``row_id`` in a batch event's decoded ``data``."""
    rows = data.get("rows") if isinstance(data, dict) else None
    index = row_id - first
    if isinstance(rows, list) and 0 <= index < len(rows) and isinstance(rows[index], dict) \
            and rows[index].get("id") == row_id:
        return rows[index]
    return None


def batch_summary(entity_id: str) -> dict:
    """What a listing shows of a batch event without reading its snapshots."""
    first, last = batch_range(entity_id) or (0, -1)
    return {"batch": {"first": first, "last": last, "rows": last - first + 1}}


def narrowed(event: dict, row_id: int) -> dict:
    """A batch event as it concerns one of its rows: ``data`` holds that row's snapshot
    under ``"row"`` (as a one-row event would) and the batch's size under ``"batch"``."""
    data = event["data"] if isinstance(event["data"], dict) else loads(event["data"])
    summary = batch_summary(event["entity_id"])
    extra = {k: v for k, v in data.items() if k != "rows"}
    return {**event, "data": {**extra, **summary,
                              "row": batch_row(data, summary["batch"]["first"], row_id)}}


def loads(text: str):
    """An event's ``data`` decoded (orjson, or ``json`` for what orjson refuses)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


@dataclass
class ChainReport:
    events: int
    problems: list[str]


def verify(db: sqlite_utils.Database, progress=None) -> ChainReport:
    """Walk the chain, then compare every audited table with the chain's snapshots.

    ``progress(done, total)`` is called now and then.  Memory stays flat: the walk keeps
    one event at a time, and each table is compared with its rows' last events in one
    streamed join.  The join may trust ``max(id)`` per record because the walk has just
    proved (or reported) that no event was removed or altered.
    """
    problems: list[str] = []
    total = db.execute("SELECT count(*) FROM audit").fetchone()[0]
    prev_hash, expected_id, count = GENESIS, 1, 0
    cursor = stream(db, f"SELECT {', '.join(HASHED)}, prev_hash, hash FROM audit "
                        f"ORDER BY id")
    for values in cursor:
        event_id, stored_prev, stored_hash = values[0], values[9], values[10]
        count += 1
        if event_id != expected_id:
            problems.append(f"audit: events {expected_id} to {event_id - 1} are missing "
                            f"from the chain")
        if stored_prev != prev_hash:
            problems.append(f"audit: event {event_id} does not follow the event before "
                            f"it (chain broken)")
        if event_hash(stored_prev, list(values[:9])) != stored_hash:
            problems.append(f"audit: event {event_id} ({values[3]} by {values[2]}) was "
                            f"altered after it was written")
        prev_hash, expected_id = stored_hash, event_id + 1
        if progress and count % 1000 == 0:
            progress(count, total)
    seq = db.execute("SELECT last_id FROM audit_head" if is_pg(db) else
                     "SELECT seq FROM sqlite_sequence WHERE name = 'audit'").fetchone()
    if seq and seq[0] >= expected_id:
        problems.append(f"audit: events {expected_id} to {seq[0]} were deleted from the end "
                        f"of the chain")
    for table in AUDITED_TABLES:
        problems.extend(_compare_table(db, table))
    return ChainReport(events=count, problems=problems)


def _compare_table(db, table: str) -> list[str]:
    """Each row against the snapshot in its last event (its own, else the batch that
    created it); rows the chain never saw; records the chain knows that the table lost."""
    problems = []
    key = "key" if table == "settings" else "id"
    batches = _Batches(db, table)
    cursor = stream(
        db, f"SELECT t.*, a.data AS [audit data] FROM [{table}] t "
        f"LEFT JOIN (SELECT entity_id, max(id) AS last FROM audit WHERE entity = ? "
        f"AND NOT {IS_BATCH} GROUP BY entity_id) l "
        f"ON l.entity_id = CAST(t.[{key}] AS TEXT) "
        f"LEFT JOIN audit a ON a.id = l.last ORDER BY t.[{key}]", [table])
    columns = None
    for values in cursor:
        if columns is None:
            columns = writes_columns(db, table)
        row = dict(zip(columns, values[:-1]))
        data = values[-1]
        if data is not None:
            try:
                recorded = loads(data).get("row")
            except (ValueError, AttributeError):
                recorded = None
        elif key == "id" and (span := batches.span(row["id"])) is not None:
            recorded = batches.snapshot(span, row["id"])
        else:
            problems.append(f"{table}: {_label(table, row)} is not in the audit chain "
                            f"(added behind LabDesk's back)")
            continue
        current = snapshot(table, row)
        if recorded != current and not _matches(recorded, current):  # == : the fast path
            problems.append(f"{table}: {_label(table, row)} differs from its last audited "
                            f"state (changed behind LabDesk's back)"
                            f"{_diff(table, row, recorded)}")
    # (PostgreSQL may cast before it filters: it compares text, never casting a
    # batch's 'rows:...' to a number)
    match = "t.key = a.entity_id" if table == "settings" else \
        "CAST(t.id AS TEXT) = a.entity_id" if is_pg(db) else \
        "t.id = CAST(a.entity_id AS INTEGER)"
    lost = db.execute(f"SELECT DISTINCT a.entity_id FROM audit a WHERE a.entity = ? AND "
                      f"NOT a.{IS_BATCH} AND "
                      f"NOT EXISTS (SELECT 1 FROM [{table}] t WHERE {match})", [table])
    missing = {entity_id for (entity_id,) in lost.fetchall()}
    for first, last in batches.ranges():
        present = {r[0] for r in db.execute(
            f"SELECT id FROM [{table}] WHERE id BETWEEN ? AND ?", [first, last])}
        missing.update(str(i) for i in range(first, last + 1) if i not in present)
    problems.extend(f"{table}: record {entity_id} is in the audit chain but missing from "
                    f"the table (deleted behind LabDesk's back)"
                    for entity_id in sorted(missing, key=lambda e: (len(e), e)))
    problems.extend(f"{table}: {overlap}" for overlap in batches.overlaps())
    problems.extend(f"{table}: record {entity_id} was created twice (audit events "
                    f"{events}): the first was deleted behind LabDesk's back and its "
                    f"{key} reused" for entity_id, events in _created_twice(db, table))
    return problems


def _created_twice(db, table: str) -> list[tuple[str, str]]:
    """Records with two creation events.  An event that created a row holds no
    ``"changed"`` key (``writes.update`` always writes one; in canonical JSON the key can
    only appear unescaped as a key), and LabDesk never gives a key twice: the first row
    was deleted and its key taken again, which comparing rows with their last events
    cannot see."""
    return db.execute(
        f"SELECT entity_id, group_concat(id, ' and ') FROM audit WHERE entity = ? AND "
        f"NOT {IS_BATCH} AND instr(data, '\"changed\":') = 0 GROUP BY entity_id "
        f"HAVING count(*) > 1", [table]).fetchall()


class _Batches:
    """A table's batch events: their id ranges (a short list), and the snapshots of one
    batch at a time, decoded when a row of it is first asked for (rows come in id
    order, so each batch is decoded once)."""

    def __init__(self, db, table: str):
        self._db = db
        found = db.execute(f"SELECT id, entity_id FROM audit WHERE entity = ? AND "
                           f"{IS_BATCH}", [table]).fetchall()
        self._spans = sorted((*batch_range(entity_id), event_id)
                             for event_id, entity_id in found if batch_range(entity_id))
        self._firsts = [span[0] for span in self._spans]
        self._current: tuple[int, int, dict] | None = None

    def ranges(self) -> list[tuple[int, int]]:
        return [(first, last) for first, last, _ in self._spans]

    def overlaps(self) -> list[str]:
        """Records two batches created: LabDesk never gives an id twice, so the first
        records were deleted behind its back and their ids taken again."""
        return [f"records {max(a[0], b[0])} to {min(a[1], b[1])} were created twice (audit "
                f"events {a[2]} and {b[2]}): the first ones were deleted behind LabDesk's "
                f"back and their ids reused"
                for a, b in zip(self._spans, self._spans[1:]) if b[0] <= a[1]]

    def span(self, row_id: int) -> tuple[int, int, int] | None:
        """(first, last, event id) of the batch that created ``row_id``, if one did."""
        index = bisect.bisect_right(self._firsts, row_id) - 1
        if index >= 0 and self._spans[index][0] <= row_id <= self._spans[index][1]:
            return self._spans[index]
        return None

    def snapshot(self, span: tuple[int, int, int], row_id: int) -> dict | None:
        first, _last, event_id = span
        if self._current is None or self._current[0] != event_id:
            text = self._db.execute("SELECT data FROM audit WHERE id = ?",
                                    [event_id]).fetchone()[0]
            try:
                data = loads(text)
            except ValueError:
                data = {}
            self._current = (event_id, first, data)
        return batch_row(self._current[2], first, row_id)


def writes_columns(db, table: str) -> list[str]:
    """The table's columns in order (as ``SELECT t.*`` gives them)."""
    from labdesk.store.writes import columns
    return columns(db, table)


def _matches(recorded, current: dict) -> bool:
    """The row is as its last event recorded it.  A column the snapshot does not have
    (added by a later migration) must still be NULL; a migration that fills a new column
    writes events with new snapshots."""
    if not isinstance(recorded, dict):
        return False
    return all(recorded.get(column) == value if column in recorded else value is None
               for column, value in current.items()) and recorded.keys() <= current.keys()


def _label(table: str, row: dict) -> str:
    for name in ("number", "username", "key", "name"):
        if row.get(name):
            return f"{row[name]}"
    return f"record {row.get('id')}"


def _diff(table: str, row: dict, recorded: dict | None) -> str:
    """Name the columns that differ from the last snapshot."""
    if not isinstance(recorded, dict):
        return ""
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
        event["data"] = loads(event["data"])
        out.append(event)
    return out
