"""Reads: every SELECT the facade makes, each served by an index (see tests/store)."""
from __future__ import annotations

import sqlite_utils

from labdesk.core.workflow import LOCKED_STATES
from labdesk.store import audit
from labdesk.store import search_index
from labdesk.store.connection import is_pg
from labdesk.store.search_index import match_query


def _dicts(cursor) -> list[dict]:
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, values)) for values in cursor.fetchall()]


def _one(cursor) -> dict | None:
    rows = _dicts(cursor)
    return rows[0] if rows else None


STONE_SELECT = """
SELECT st.*, su.number AS submission_number, su.received_at AS received_at,
       c.name AS client_name, su.voided_at AS voided_at
FROM stones st
JOIN submissions su ON su.id = st.submission_id
JOIN clients c ON c.id = su.client_id
"""


def stone_by_number(db: sqlite_utils.Database, number: str) -> dict | None:
    return _one(db.execute(STONE_SELECT + " WHERE st.number = ?", [number]))


def stones_of_submission(db, submission_id: int) -> list[dict]:
    return _dicts(db.execute(STONE_SELECT + " WHERE st.submission_id = ? ORDER BY st.id",
                             [submission_id]))


def submission_by_number(db, number: str) -> dict | None:
    return _one(db.execute(
        "SELECT su.*, c.name AS client_name, u.username AS received_by_name, "
        "v.username AS voided_by_name "
        "FROM submissions su JOIN clients c ON c.id = su.client_id "
        "JOIN users u ON u.id = su.received_by LEFT JOIN users v ON v.id = su.voided_by "
        "WHERE su.number = ?", [number]))


def submission_by_id(db, submission_id: int) -> dict | None:
    row = _one(db.execute("SELECT number FROM submissions WHERE id = ?", [submission_id]))
    return submission_by_number(db, row["number"]) if row else None


def next_id(db, table: str) -> int:
    return db.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM [{table}]").fetchone()[0]


def stone_submission_id(db, stone_id: int) -> int:
    return db.execute("SELECT submission_id FROM stones WHERE id = ?",
                      [stone_id]).fetchone()[0]


def submission_totals(db, submission_id: int) -> tuple[int, int]:
    """How many stones a submission holds, and their weight together (thousandths)."""
    return tuple(db.execute("SELECT count(*), CAST(COALESCE(sum(weight_mct), 0) AS BIGINT) FROM stones "
                            "WHERE submission_id = ?", [submission_id]).fetchone())


def evidence_target_number(db, row: dict) -> str:
    """The number of the stone or submission a piece of evidence belongs to."""
    if row["stone_id"] is not None:
        return db.execute("SELECT number FROM stones WHERE id = ?",
                          [row["stone_id"]]).fetchone()[0]
    return db.execute("SELECT number FROM submissions WHERE id = ?",
                      [row["submission_id"]]).fetchone()[0]


def user_by_name(db, username: str) -> dict | None:
    return _one(db.execute("SELECT * FROM users WHERE username = ?", [username]))


def user_by_id(db, user_id: int) -> dict | None:
    return _one(db.execute("SELECT * FROM users WHERE id = ?", [user_id]))


def users(db) -> list[dict]:
    return _dicts(db.execute("SELECT * FROM users ORDER BY username"))


def client_by_name(db, name: str) -> dict | None:
    return _one(db.execute("SELECT * FROM clients WHERE name = ?", [name]))


def clients(db, prefix: str | None = None, limit: int = 1000) -> list[dict]:
    if prefix:
        # lower(): PostgreSQL's case-blind collation of names does not do LIKE
        return _dicts(db.execute("SELECT * FROM clients WHERE lower(name) LIKE lower(?) "
                                 "ESCAPE '\\' ORDER BY name LIMIT ?",
                                 [_like(prefix) + "%", limit]))
    return _dicts(db.execute("SELECT * FROM clients ORDER BY name LIMIT ?", [limit]))


def _where(conditions: list[tuple[str, object]]) -> tuple[str, list]:
    """' WHERE a AND b' from the conditions whose value is given, and their values."""
    used = [(sql, value) for sql, value in conditions if value not in (None, "")]
    if not used:
        return "", []
    return " WHERE " + " AND ".join(sql for sql, _ in used), [v for _, v in used]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def settings(db) -> dict[str, str]:
    return {r["key"]: r["value"] for r in _dicts(db.execute("SELECT * FROM settings"))}


def evidence_by_id(db, evidence_id: int) -> dict | None:
    return _one(db.execute("SELECT * FROM evidence WHERE id = ?", [evidence_id]))


def evidence_for_stone(db, stone_id: int, submission_id: int) -> list[dict]:
    """The stone's own evidence, then its parcel's (submission-level) evidence."""
    return _dicts(db.execute(
        "SELECT * FROM evidence WHERE stone_id = ? UNION ALL "
        "SELECT * FROM evidence WHERE submission_id = ? ORDER BY id",
        [stone_id, submission_id]))


def evidence_for_submission(db, submission_id: int) -> list[dict]:
    return _dicts(db.execute("SELECT * FROM evidence WHERE submission_id = ? ORDER BY id",
                             [submission_id]))


def attachments_for(db, evidence_ids: list[int]) -> list[dict]:
    if not evidence_ids:
        return []
    marks = ",".join("?" for _ in evidence_ids)
    return _dicts(db.execute(
        "SELECT a.*, u.username AS created_by_name FROM attachments a "
        f"JOIN users u ON u.id = a.created_by WHERE a.evidence_id IN ({marks}) "
        "ORDER BY a.id", evidence_ids))


def attachment_by_id(db, attachment_id: int) -> dict | None:
    return _one(db.execute("SELECT * FROM attachments WHERE id = ?", [attachment_id]))


def all_document_hashes(db):
    """Every SHA-256 the database refers to, with what refers to it."""
    for sha, filename in db.execute("SELECT DISTINCT sha256, filename FROM attachments"):
        yield sha, f"attachment {filename}"
    for sha, number in db.execute("SELECT source_file, number FROM submissions WHERE "
                                  "source_file IS NOT NULL"):
        yield sha, f"the packing list of {number}"


def evidence_locked(db, row: dict) -> bool:
    """Evidence is locked with its stone; a parcel's, once any stone of it is locked."""
    marks = ",".join("?" for _ in LOCKED_STATES)
    if row["stone_id"] is not None:
        state = db.execute("SELECT state FROM stones WHERE id = ?",
                           [row["stone_id"]]).fetchone()[0]
        return state in LOCKED_STATES
    return db.execute(f"SELECT EXISTS (SELECT 1 FROM stones WHERE submission_id = ? AND "
                      f"state IN ({marks}))",
                      [row["submission_id"], *LOCKED_STATES]).fetchone()[0] == 1


def findings_for_stone(db, stone_id: int) -> list[dict]:
    return _dicts(db.execute(
        "SELECT f.*, p.username AS proposed_by_name, p.full_name AS proposed_by_full, "
        "d.username AS decided_by_name, d.full_name AS decided_by_full FROM findings f "
        "JOIN users p ON p.id = f.proposed_by LEFT JOIN users d ON d.id = f.decided_by "
        "WHERE f.stone_id = ? ORDER BY f.id", [stone_id]))


def current_finding(db, stone_id: int) -> dict | None:
    rows = findings_for_stone(db, stone_id)
    return rows[-1] if rows else None


def review_queue(db, limit: int = 500) -> list[dict]:
    return _dicts(db.execute(
        "SELECT f.*, st.number AS stone_number, p.username AS proposed_by_name, "
        "p.full_name AS proposed_by_full FROM findings f "
        "JOIN stones st ON st.id = f.stone_id JOIN users p ON p.id = f.proposed_by "
        "WHERE f.status = 'proposed' ORDER BY f.proposed_at LIMIT ?", [limit]))


_ORDERS = {"number": "st.id", "weight": "st.weight_mct", "state": "st.state",
           "received": "su.received_at", "client": "c.name", "client_ref": "st.client_ref",
           "updated": "st.updated_at"}


#: A search that matches more stones than this reports "more than" instead of counting
#: every match (a word common to a million stones would take seconds to count).
COUNT_CAP = 10_000
_FROM_FTS = """
SELECT st.*, su.number AS submission_number, su.received_at AS received_at,
       c.name AS client_name, su.voided_at AS voided_at
FROM stones_fts f
JOIN stones st ON st.id = f.rowid
JOIN submissions su ON su.id = st.submission_id
JOIN clients c ON c.id = su.client_id
"""


def list_stones(db, *, state=None, client=None, search=None, received_from=None,
                received_to=None, order="number", descending=False, offset=0,
                limit=100, count=True) -> tuple[list[dict], int]:
    """One page of stones and the count of all that match (with a search, at most
    ``COUNT_CAP + 1``: "more than COUNT_CAP")."""
    direction = "DESC" if descending else "ASC"
    filters = [("st.state = ?", state), ("c.name = ?", client),
               ("su.received_at >= ?", received_from), ("su.received_at < ?", received_to)]
    query = _search_query(db, search, filters) if search else None
    in_index = search_index.IN_INDEX_PG if is_pg(db) else search_index.IN_INDEX
    fast = search and order == "number" and not is_pg(db)
    if fast:
        # FTS5 walks its matches in rowid order: a page costs its own rows, not every
        # match's.
        clause, params = _where([("stones_fts MATCH ?", query), *filters])
        rows = _dicts(db.execute(f"{_FROM_FTS}{clause} ORDER BY f.rowid {direction} "
                                 f"LIMIT ? OFFSET ?", [*params, limit, offset]))
    else:
        clause, params = _where([*filters, (in_index, query)])
        column = _ORDERS.get(order, "st.id")
        rows = _dicts(db.execute(f"{STONE_SELECT}{clause} ORDER BY {column} {direction}, "
                                 f"st.id {direction} LIMIT ? OFFSET ?",
                                 [*params, limit, offset]))
    if not count:
        return rows, -1
    if not clause:  # every stone: no join needed, the smallest index is counted
        return rows, db.execute("SELECT count(*) FROM stones").fetchone()[0]
    source = _FROM_FTS if fast else STONE_SELECT
    if search and not any(value for _, value in filters):
        # the search alone: count in the index, without joining every match
        counted = (f"SELECT count(*) FROM ({search_index.matching(db)} LIMIT "
                   f"{COUNT_CAP + 1}) AS matches")
    elif search:
        counted = f"SELECT count(*) FROM ({source}{clause} LIMIT {COUNT_CAP + 1}) AS matches"
    else:
        counted = ("SELECT count(*) FROM stones st JOIN submissions su ON su.id = "
                   "st.submission_id JOIN clients c ON c.id = su.client_id" + clause)
    return rows, db.execute(counted, params).fetchone()[0]


def _search_query(db, search: str, filters: list) -> str:
    """The index's query for ``search``: earlier words whole, the last a prefix, when
    that finds a stone under the same filters; else every word as a prefix ("gabor
    feather" still finds Gaborone's feathers)."""
    if is_pg(db):
        fold_word = search_index.server_fold(db)

        def build(text, every_word=False):
            return search_index.tsquery(text, every_word, fold_word)
    else:
        build = match_query
    query = build(search)
    if len(str(search).split()) < 2:
        return query
    if is_pg(db):
        clause, params = _where([(search_index.IN_INDEX_PG, query), *filters])
        found = f"SELECT 1 FROM ({STONE_SELECT}{clause} LIMIT 1) AS found"
    else:
        clause, params = _where([("stones_fts MATCH ?", query), *filters])
        found = f"SELECT 1 FROM ({_FROM_FTS}{clause} LIMIT 1) AS found"
    if db.execute(found, params).fetchone():
        return query
    return build(search, every_word=True)


def find_evidence_by_reference(db, reference: str) -> list[dict]:
    return _dicts(db.execute("SELECT * FROM evidence WHERE reference = ? COLLATE NOCASE "
                             "ORDER BY id", [reference]))


def stones_by_client_ref(db, client_ref: str, limit: int = 50) -> list[dict]:
    return _dicts(db.execute(STONE_SELECT + " WHERE st.client_ref = ? COLLATE NOCASE "
                             "ORDER BY st.id LIMIT ?", [client_ref, limit]))


def submissions_by_reference(db, reference: str, limit: int = 50) -> list[dict]:
    return _dicts(db.execute("SELECT number FROM submissions WHERE reference = ? COLLATE "
                             "NOCASE ORDER BY id LIMIT ?", [reference, limit]))


def history(db, stone_id: int, submission_id: int) -> list[dict]:
    """Audit events about the stone, its evidence, attachments and findings, and about its
    parcel's evidence; oldest first.  Of the parcel's batch events (its intake), only the
    one that created this stone, narrowed to this stone's snapshot."""
    rows = _dicts(db.execute(
        "SELECT * FROM audit WHERE stone_id = ? UNION "
        "SELECT * FROM audit WHERE submission_id = ? AND stone_id IS NULL AND "
        f"NOT {audit.IS_BATCH} ORDER BY id", [stone_id, submission_id]))
    for event_id, entity_id in db.execute(
            "SELECT id, entity_id FROM audit WHERE submission_id = ? AND stone_id IS NULL "
            f"AND entity = 'stones' AND {audit.IS_BATCH}", [submission_id]):
        span = audit.batch_range(entity_id)
        if span and span[0] <= stone_id <= span[1]:
            rows.append(audit.narrowed(audit_event(db, event_id), stone_id))
    return sorted(rows, key=lambda event: event["id"])


def audit_page(db, *, actor=None, action=None, date_from=None, date_to=None, offset=0,
               limit=200) -> tuple[list[dict], int]:
    clause, params = _where([("actor = ?", actor), ("action = ?", action),
                             ("at >= ?", date_from), ("at < ?", date_to)])
    # a batch event's data (every snapshot of an intake: up to a megabyte) is left in
    # the database; a page of them would otherwise cost seconds and hundreds of MB
    rows = _dicts(db.execute(
        f"SELECT id, at, actor, action, entity, entity_id, stone_id, submission_id, "
        f"CASE WHEN {audit.IS_BATCH} THEN NULL ELSE data END AS data, prev_hash, hash "
        f"FROM audit{clause} ORDER BY id DESC LIMIT ? OFFSET ?", [*params, limit, offset]))
    total = db.execute(f"SELECT count(*) FROM audit{clause}", params).fetchone()[0]
    return rows, total


def audit_event(db, event_id: int) -> dict | None:
    return _one(db.execute("SELECT * FROM audit WHERE id = ?", [event_id]))


def audit_actions(db) -> list[str]:
    return [r[0] for r in db.execute("SELECT DISTINCT action FROM audit ORDER BY action")]


def counts(db) -> dict[str, int]:
    from labdesk.store.schema import AUDITED_TABLES
    return {t: db.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0]
            for t in AUDITED_TABLES}


def state_counts(db) -> dict[str, int]:
    return dict(db.execute("SELECT state, count(*) FROM stones GROUP BY state").fetchall())


def database_problems(db) -> list[str]:
    """SQLite's own checks: page structure (quick_check) and foreign keys.  (PostgreSQL
    checks every foreign key as it writes and its pages as it reads them.)"""
    if is_pg(db):
        return []
    problems = [f"database: {message}" for (message,) in
                db.execute("PRAGMA quick_check").fetchall() if message != "ok"]
    problems += [f"database: {table} row {rowid} refers to a missing {parent}"
                 for table, rowid, parent, _ in
                 db.execute("PRAGMA foreign_key_check").fetchall()]
    return problems


def stone_number_by_id(db, stone_id: int) -> str:
    return db.execute("SELECT number FROM stones WHERE id = ?", [stone_id]).fetchone()[0]


def signing_keys(db) -> list[dict]:
    return _dicts(db.execute("SELECT * FROM signing_keys ORDER BY id"))


def active_signing_key(db) -> dict | None:
    return _one(db.execute("SELECT * FROM signing_keys WHERE retired_at IS NULL "
                           "ORDER BY id DESC LIMIT 1"))


def report_by_number(db, number: str) -> dict | None:
    return _one(db.execute("SELECT * FROM reports WHERE number = ?", [number]))


def reports_for_stone(db, stone_id: int) -> list[dict]:
    return _dicts(db.execute("SELECT * FROM reports WHERE stone_id = ? ORDER BY id",
                             [stone_id]))


def list_reports(db, *, status=None, stone_id=None, offset=0, limit=100):
    clause, params = _where([("status = ?", status), ("stone_id = ?", stone_id)])
    rows = _dicts(db.execute(f"SELECT * FROM reports{clause} ORDER BY id DESC LIMIT ? "
                             f"OFFSET ?", [*params, limit, offset]))
    total = db.execute(f"SELECT count(*) FROM reports{clause}", params).fetchone()[0]
    return rows, total


def withdrawn_reports(db) -> list[dict]:
    return _dicts(db.execute("SELECT number, status, superseded_by FROM reports WHERE "
                             "status IN ('revoked', 'superseded') ORDER BY id"))


def all_reports(db):
    cursor = db.execute("SELECT number, pdf_sha256 FROM reports ORDER BY id")
    for number, sha in cursor.fetchall():
        yield {"number": number, "pdf_sha256": sha}


def stone_by_id(db, stone_id: int) -> dict | None:
    return _one(db.execute(STONE_SELECT + " WHERE st.id = ?", [stone_id]))


def frozen_stone_of(db, submission_id: int) -> tuple[str, str] | None:
    """A stone of the submission under review or locked (number, state), if any: it
    freezes the parcel's evidence."""
    row = db.execute("SELECT number, state FROM stones WHERE submission_id = ? AND state IN "
                     "('proposed', 'approved', 'reported', 'returned') ORDER BY id LIMIT 1",
                     [submission_id]).fetchone()
    return (row[0], row[1]) if row else None


def stone_states(db, submission_id: int) -> list[tuple[str, str]]:
    """(number, state) of every stone in a submission."""
    return db.execute("SELECT number, state FROM stones WHERE submission_id = ? ORDER BY id",
                      [submission_id]).fetchall()


# -- re-assessment after a rules change -------------------------------------------------

def reassessment_candidates(db) -> list[dict]:
    """Stones whose finding stands (proposed, approved, or reported), with that finding
    and the stone's issued report, if any."""
    return _dicts(db.execute(
        "SELECT s.id, s.number, s.weight_mct, s.identification, s.mounted, s.submission_id, "
        "sub.received_at, f.id AS finding_id, f.status AS finding_status, f.assessments, "
        "(SELECT r.id FROM reports r WHERE r.stone_id = s.id AND r.status = 'issued' "
        " ORDER BY r.id DESC LIMIT 1) AS report_id "
        "FROM stones s JOIN submissions sub ON sub.id = s.submission_id "
        "JOIN findings f ON f.id = (SELECT max(id) FROM findings WHERE stone_id = s.id) "
        "WHERE s.state IN ('proposed', 'approved', 'reported') ORDER BY s.id"))


def _chunks(ids: list[int], size: int = 900):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def evidence_for_many(db, stone_ids: list[int], submission_ids: list[int]) -> list[dict]:
    """Every piece of evidence on these stones and on these submissions, by id."""
    rows = []
    for column, ids in (("stone_id", stone_ids), ("submission_id", submission_ids)):
        for chunk in _chunks(sorted(set(ids))):
            marks = ", ".join("?" for _ in chunk)
            rows += _dicts(db.execute(f"SELECT * FROM evidence WHERE {column} IN ({marks})",
                                      chunk))
    return sorted(rows, key=lambda row: row["id"])


def submission_totals_many(db, submission_ids: list[int]) -> dict[int, tuple[int, int]]:
    """``{submission id: (stones, weight in thousandths)}``."""
    out = {}
    for chunk in _chunks(sorted(set(submission_ids))):
        marks = ", ".join("?" for _ in chunk)
        for sub_id, count, weight in db.execute(
                f"SELECT submission_id, count(*), CAST(COALESCE(sum(weight_mct), 0) AS BIGINT) "
                f"FROM stones "
                f"WHERE submission_id IN ({marks}) GROUP BY submission_id", chunk):
            out[sub_id] = (count, weight)
    return out


def latest_rule_outcomes(db) -> dict[tuple[int, str], tuple[str, str]]:
    """``{(finding id, jurisdiction): (ruleset, outcome)}`` as the last re-assessment
    of each finding left it."""
    out = {}
    for finding_id, code, ruleset, outcome in db.execute(
            "SELECT finding_id, jurisdiction, new_ruleset, new_outcome FROM rule_changes "
            "ORDER BY id"):
        out[(finding_id, code)] = (ruleset, outcome)
    return out


def rule_changes(db, *, status: str | None = None, stone_id: int | None = None,
                 finding_id: int | None = None, report_id: int | None = None,
                 change_id: int | None = None, since_id: int | None = None,
                 limit: int = 10_000) -> list[dict]:
    """Rule changes with the stone, finding and report they concern, newest first."""
    where, params = _where([("rc.status = ?", status), ("rc.stone_id = ?", stone_id),
                            ("rc.finding_id = ?", finding_id),
                            ("rc.report_id = ?", report_id), ("rc.id = ?", change_id),
                            ("rc.id >= ?", since_id)])
    return _dicts(db.execute(
        f"SELECT rc.*, s.number AS stone_number, f.status AS finding_status, "
        f"r.number AS report_number, u.username AS decided_by_name "
        f"FROM rule_changes rc JOIN stones s ON s.id = rc.stone_id "
        f"JOIN findings f ON f.id = rc.finding_id "
        f"LEFT JOIN reports r ON r.id = rc.report_id "
        f"LEFT JOIN users u ON u.id = rc.decided_by "
        f"{where} ORDER BY rc.id DESC LIMIT ?", [*params, limit]))


def kept_ruleset(db, jurisdiction: str, version: str) -> dict | None:
    """The text of a ruleset version as the lab first used it."""
    return _one(db.execute("SELECT * FROM rulesets WHERE jurisdiction = ? AND version = ?",
                           [jurisdiction, version]))


def rule_change(db, change_id: int) -> dict | None:
    rows = rule_changes(db, change_id=change_id, limit=1)
    return rows[0] if rows else None


def last_kept_version(db, jurisdiction: str) -> str | None:
    """The ruleset version the lab adopted last for ``jurisdiction``."""
    row = db.execute("SELECT version FROM rulesets WHERE jurisdiction = ? ORDER BY id DESC "
                     "LIMIT 1", [jurisdiction]).fetchone()
    return row[0] if row else None


# -- issue 16: a packing list received twice, the earlier report, failed logins ----------

def client_refs_held(db, client_id: int, refs: list[str]) -> list[dict]:
    """Stones of ``client_id``'s standing (not voided) submissions whose client reference
    is one of ``refs`` (compared without regard to case): ``client_ref``, ``number``,
    ``submission_number``, ``received_at``; first received first."""
    keys = sorted({str(r).strip().lower() for r in refs if r and str(r).strip()})
    rows = []
    for start in range(0, len(keys), 900):
        chunk = keys[start:start + 900]
        marks = ", ".join("?" for _ in chunk)
        rows += _dicts(db.execute(
            "SELECT st.client_ref, st.number, su.number AS submission_number, "
            "su.received_at FROM submissions su JOIN stones st ON st.submission_id = su.id "
            f"WHERE su.client_id = ? AND su.voided_at IS NULL AND lower(st.client_ref) IN "
            f"({marks}) ORDER BY st.id", [client_id, *chunk]))
    return sorted(rows, key=lambda row: row["number"])


def stones_by_earlier_report(db, report_no: str, limit: int = 50) -> list[dict]:
    """Stones whose dealer's list named ``report_no`` as their earlier grading report
    (the whole number, without regard to case; index stones_earlier_report)."""
    return _dicts(db.execute(STONE_SELECT + " WHERE upper(st.earlier_report) = upper(?) "
                             "ORDER BY st.id LIMIT ?", [str(report_no).strip(), limit]))


def submission_stone_count(db, submission_id: int) -> int:
    return db.execute("SELECT count(*) FROM stones WHERE submission_id = ?",
                      [submission_id]).fetchone()[0]


# -- issue 17: exports (the Stones page's filter, the audit trail) and the client's pack ----

EXPORT_STONE_COLUMNS = ("number", "submission_number", "client_name", "client_ref",
                        "weight_mct", "shape", "colour", "clarity", "cut", "polish",
                        "symmetry", "fluorescence", "measurements", "inscription",
                        "identification", "growth_method", "state", "received_at",
                        "updated_at", "notes")


def stone_rows_for_export(db, **filters):
    """Every stone that ``list_stones`` would page through with these filters and this
    order, as dicts of ``EXPORT_STONE_COLUMNS``, one at a time in constant memory
    (``connection.stream``: a server-side cursor on PostgreSQL).  Run it on a snapshot:
    it holds its read for the whole walk."""
    from labdesk.store.connection import stream
    direction = "DESC" if filters.pop("descending", False) else "ASC"
    order = filters.pop("order", "number")
    conditions = [("st.state = ?", filters.get("state")), ("c.name = ?", filters.get("client")),
                  ("su.received_at >= ?", filters.get("received_from")),
                  ("su.received_at < ?", filters.get("received_to"))]
    search = filters.get("search")
    query = _search_query(db, search, conditions) if search else None
    in_index = search_index.IN_INDEX_PG if is_pg(db) else search_index.IN_INDEX
    clause, params = _where([*conditions, (in_index, query)])
    column = _ORDERS.get(order, "st.id")
    names = ", ".join(_EXPORT_SELECT[c] for c in EXPORT_STONE_COLUMNS)
    sql = (f"SELECT {names} FROM stones st JOIN submissions su ON su.id = st.submission_id "
           f"JOIN clients c ON c.id = su.client_id{clause} "
           f"ORDER BY {column} {direction}, st.id {direction}")
    for values in stream(db, sql, params):
        yield dict(zip(EXPORT_STONE_COLUMNS, values))


_EXPORT_SELECT = {c: f"st.{c}" for c in EXPORT_STONE_COLUMNS}
_EXPORT_SELECT.update(submission_number="su.number", client_name="c.name",
                      received_at="su.received_at")

EXPORT_AUDIT_COLUMNS = ("id", "at", "actor", "action", "entity", "entity_id", "stone",
                        "submission", "data", "prev_hash", "hash")


def audit_rows_for_export(db, date_from: str | None, date_to: str | None):
    """The audit events from ``date_from`` (inclusive) to ``date_to`` (exclusive), oldest
    first, with the numbers of the stone and submission they concern, one at a time in
    constant memory.  A batch event (an intake: up to a megabyte of snapshots) leaves its
    data in the database; its ``entity_id`` names the span of rows it created."""
    from labdesk.store.connection import stream
    clause, params = _where([("a.at >= ?", date_from), ("a.at < ?", date_to)])
    sql = (f"SELECT a.id, a.at, a.actor, a.action, a.entity, a.entity_id, "
           f"st.number AS stone, su.number AS submission, "
           f"CASE WHEN a.{audit.IS_BATCH} THEN NULL ELSE a.data END AS data, a.prev_hash, "
           f"a.hash FROM audit a LEFT JOIN stones st ON st.id = a.stone_id "
           f"LEFT JOIN submissions su ON su.id = a.submission_id{clause} ORDER BY a.id")
    for values in stream(db, sql, params):
        yield dict(zip(EXPORT_AUDIT_COLUMNS, values))


def reports_for_submission(db, submission_id: int) -> list[dict]:
    """Every report of the submission's stones, oldest first (the pack shows each
    stone's latest)."""
    return _dicts(db.execute(
        "SELECT r.*, st.number AS stone_number FROM reports r JOIN stones st ON "
        "st.id = r.stone_id WHERE st.submission_id = ? ORDER BY r.id", [submission_id]))


# -- returns to the client --------------------------------------------------------------

RETURN_SELECT = """
SELECT r.*, st.number AS stone_number, st.client_ref, st.weight_mct,
       rep.number AS report_number, rep.status AS report_status,
       u.username AS returned_by_name, u.full_name AS returned_by_full,
       su.number AS submission_number, c.name AS client_name
FROM returns r
JOIN stones st ON st.id = r.stone_id
JOIN submissions su ON su.id = st.submission_id
JOIN clients c ON c.id = su.client_id
JOIN users u ON u.id = r.returned_by
LEFT JOIN reports rep ON rep.id = r.report_id
"""


def return_of_stone(db, stone_id: int) -> dict | None:
    """The stone's return to its client, if it went back (a stone goes back once)."""
    return _one(db.execute(RETURN_SELECT + " WHERE r.stone_id = ?", [stone_id]))


def returns_of_receipt(db, receipt: str) -> list[dict]:
    """The stones handed over on one receipt, in the order they were listed."""
    return _dicts(db.execute(RETURN_SELECT + " WHERE r.receipt = ? ORDER BY r.id",
                             [receipt]))


def latest_report_of_stone(db, stone_id: int) -> dict | None:
    """The stone's last report (whatever its status): the one that goes back with it."""
    return _one(db.execute("SELECT * FROM reports WHERE stone_id = ? ORDER BY id DESC "
                           "LIMIT 1", [stone_id]))


def intake_of_stone(db, stone_id: int) -> dict:
    """When and from whom the stone was received, and by whom (its custody's start)."""
    return _one(db.execute(
        "SELECT su.number AS submission_number, su.received_at, c.name AS client_name, "
        "u.full_name AS received_by_full FROM stones st "
        "JOIN submissions su ON su.id = st.submission_id "
        "JOIN clients c ON c.id = su.client_id JOIN users u ON u.id = su.received_by "
        "WHERE st.id = ?", [stone_id]))
