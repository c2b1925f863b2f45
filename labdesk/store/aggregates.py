"""The dashboard's aggregate reads (issue 17): counts over a window of time, each served
by an index so that its cost follows the lab's recent work, never its size.

Every window is bounded by an indexed time (``reports_issued``, ``findings_status``,
``audit_action``) or by the submissions (one row per parcel); nothing here reads every
stone.  Written in SQLite's dialect; ``store.pg`` translates it for PostgreSQL.
"""
from __future__ import annotations

from labdesk.core.dashboard import WAITING_STATES, WORK_ACTIONS

_WAITING = ", ".join(f"'{s}'" for s in WAITING_STATES)


def review_count(db) -> int:
    """Findings awaiting a supervisor (index findings_status)."""
    return db.execute("SELECT count(*) FROM findings WHERE status = 'proposed'").fetchone()[0]


def waiting_counts(db) -> dict[str, int]:
    """``{state: stones}`` of the waiting states (index stones_state, one range each)."""
    out = dict.fromkeys(WAITING_STATES, 0)
    for state in WAITING_STATES:
        out[state] = db.execute("SELECT count(*) FROM stones WHERE state = ?",
                                [state]).fetchone()[0]
    return out


def first_reports_since(db, since: str) -> list[tuple[str, str]]:
    """``(issued_at, received_at)`` of every first report on a stone (not a reissue)
    issued at or after ``since`` (index reports_issued; the stone and its submission
    by their keys)."""
    return [tuple(r) for r in db.execute(
        "SELECT r.issued_at, su.received_at FROM reports r "
        "JOIN stones st ON st.id = r.stone_id JOIN submissions su ON su.id = st.submission_id "
        "WHERE r.issued_at >= ? AND r.supersedes IS NULL", [since]).fetchall()]


def received_since(db, since: str) -> list[tuple[str, int, int]]:
    """``(day, received_by user id, stones)`` for the standing submissions received at
    or after ``since``: the submissions are read (one row a parcel) and each one's
    stones counted in the index stones_submission (no join of every stone to sort)."""
    return [tuple(r) for r in db.execute(
        "SELECT substr(su.received_at, 1, 10) AS day, su.received_by, "
        "CAST(sum((SELECT count(*) FROM stones st WHERE st.submission_id = su.id)) "
        "AS BIGINT) FROM submissions su "
        "WHERE su.received_at >= ? AND su.voided_at IS NULL "
        "GROUP BY substr(su.received_at, 1, 10), su.received_by", [since]).fetchall()]


def outcome_groups(db, since: str) -> list[tuple[str, int]]:
    """``(assessments JSON, findings)`` of the standing findings (proposed or approved)
    proposed at or after ``since``, grouped by their recorded assessments (index
    findings_status; a day's findings share few distinct texts)."""
    return [tuple(r) for r in db.execute(
        "SELECT assessments, count(*) FROM findings "
        "WHERE status IN ('proposed', 'approved') AND proposed_at >= ? "
        "GROUP BY assessments", [since]).fetchall()]


def outcome_changes(db, since: str) -> list[tuple[int, str, str, str]]:
    """``(finding id, jurisdiction, old outcome, new outcome)`` of the rules changes that
    moved an outcome of those findings, oldest first (rules changes are few: the table is
    read, each finding by its key)."""
    return [tuple(r) for r in db.execute(
        "SELECT rc.finding_id, rc.jurisdiction, rc.old_outcome, rc.new_outcome "
        "FROM rule_changes rc JOIN findings f ON f.id = rc.finding_id "
        "WHERE f.status IN ('proposed', 'approved') AND f.proposed_at >= ? "
        "ORDER BY rc.id", [since]).fetchall()]


def work_since(db, since: str) -> list[tuple[str, str, int]]:
    """``(username, action, events)`` of ``WORK_ACTIONS`` audited at or after ``since``:
    the first event of the window found in index audit_at, then each action's events
    from there in index audit_action."""
    row = db.execute("SELECT id FROM audit WHERE at >= ? ORDER BY at, id LIMIT 1",
                     [since]).fetchone()
    if row is None:
        return []
    marks = ", ".join("?" for _ in WORK_ACTIONS)
    # grouped by action first: grouped by actor, SQLite would walk index audit_actor
    # (every event) to save a sort of the few rows counted
    return [tuple(r) for r in db.execute(
        f"SELECT actor, action, count(*) FROM audit WHERE action IN ({marks}) AND id >= ? "
        f"GROUP BY action, actor", [*WORK_ACTIONS, row[0]]).fetchall()]


def waiting_longest(db, limit: int = 10) -> list[dict]:
    """The ``limit`` waiting stones received first (standing submissions): the oldest
    submissions that still hold a waiting stone (the submissions read, each probed in
    index stones_submission_state), then their waiting stones."""
    cursor = db.execute(
        "SELECT st.number, st.state, su.received_at, su.number AS submission_number, "
        "c.name AS client_name FROM ("
        "  SELECT id, number, received_at, client_id FROM submissions s "
        "  WHERE s.voided_at IS NULL AND EXISTS (SELECT 1 FROM stones w WHERE "
        f"  w.submission_id = s.id AND w.state IN ({_WAITING})) "
        "  ORDER BY s.received_at, s.id LIMIT ?) AS su "
        "JOIN stones st ON st.submission_id = su.id JOIN clients c ON c.id = su.client_id "
        f"WHERE st.state IN ({_WAITING}) ORDER BY su.received_at, st.id LIMIT ?",
        [limit, limit])
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def user_names(db) -> dict:
    """``{id: (username, full name)}`` of every user."""
    return {r[0]: (r[1], r[2]) for r in
            db.execute("SELECT id, username, full_name FROM users").fetchall()}
