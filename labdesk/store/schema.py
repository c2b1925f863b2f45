"""The database schema as a list of migrations, numbered by ``PRAGMA user_version``.

A migration is never edited once released: a change is a new migration appended to
``MIGRATIONS``.  Each runs in one transaction, after a backup of the database file.
"""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlite_utils

from labdesk.errors import LabError
from labdesk.store import connection

_V1 = """
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    full_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('technician', 'supervisor', 'admin')),
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL
);
CREATE TABLE clients (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    address TEXT,
    contact TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    client_id INTEGER NOT NULL REFERENCES clients(id),
    reference TEXT,
    received_at TEXT NOT NULL,
    declared_count INTEGER,
    declared_weight_mct INTEGER,
    source_file TEXT,
    received_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX submissions_client ON submissions(client_id, received_at);
CREATE INDEX submissions_reference ON submissions(reference COLLATE NOCASE);
CREATE TABLE stones (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    client_ref TEXT,
    weight_mct INTEGER NOT NULL CHECK (weight_mct > 0),
    shape TEXT, colour TEXT, clarity TEXT, cut TEXT, polish TEXT, symmetry TEXT,
    fluorescence TEXT, measurements TEXT, inscription TEXT, identification TEXT,
    growth_method TEXT, notes TEXT,
    state TEXT NOT NULL DEFAULT 'received'
        CHECK (state IN ('received', 'proposed', 'rejected', 'approved', 'reported')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX stones_submission ON stones(submission_id);
CREATE INDEX stones_state ON stones(state, id);
CREATE INDEX stones_client_ref ON stones(client_ref COLLATE NOCASE);
CREATE INDEX stones_created ON stones(created_at);
CREATE TABLE evidence (
    id INTEGER PRIMARY KEY,
    stone_id INTEGER REFERENCES stones(id),
    submission_id INTEGER REFERENCES submissions(id),
    kind TEXT NOT NULL,
    reference TEXT, issuer TEXT, issuing_country TEXT, issued_on TEXT, expires_on TEXT,
    origin_countries TEXT, origin_type TEXT, transit_countries TEXT,
    weight_mct INTEGER CHECK (weight_mct > 0), value_cents INTEGER CHECK (value_cents >= 0),
    parcels INTEGER, hs_code TEXT, exporter TEXT, importer TEXT, seller TEXT, buyer TEXT,
    sow_statement INTEGER, platform TEXT, outside_russia_since TEXT, notes TEXT,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((stone_id IS NULL) != (submission_id IS NULL))
);
CREATE INDEX evidence_stone ON evidence(stone_id);
CREATE INDEX evidence_submission ON evidence(submission_id);
CREATE INDEX evidence_reference ON evidence(reference COLLATE NOCASE);
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    evidence_id INTEGER NOT NULL REFERENCES evidence(id),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    filename TEXT NOT NULL,
    size INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_evidence ON attachments(evidence_id);
CREATE INDEX attachments_sha256 ON attachments(sha256);
CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    stone_id INTEGER NOT NULL REFERENCES stones(id),
    origin TEXT NOT NULL CHECK (origin IN ('non_russian', 'russian', 'undetermined')),
    mining_country TEXT,
    statement TEXT NOT NULL DEFAULT '',
    evidence_ids TEXT NOT NULL DEFAULT '[]',
    assessments TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'proposed'
        CHECK (status IN ('proposed', 'approved', 'rejected', 'reopened')),
    proposed_by INTEGER NOT NULL REFERENCES users(id),
    proposed_at TEXT NOT NULL,
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT,
    decision_comment TEXT,
    reopened_by INTEGER REFERENCES users(id),
    reopened_at TEXT,
    reopen_reason TEXT
);
CREATE INDEX findings_stone ON findings(stone_id, id);
CREATE INDEX findings_status ON findings(status, proposed_at);
CREATE TABLE signing_keys (
    id INTEGER PRIMARY KEY,
    kid TEXT NOT NULL UNIQUE CHECK (length(kid) = 16),
    public_pem TEXT NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT
);
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    stone_id INTEGER NOT NULL REFERENCES stones(id),
    finding_id INTEGER NOT NULL REFERENCES findings(id),
    kid TEXT NOT NULL REFERENCES signing_keys(kid),
    claim TEXT NOT NULL,
    token TEXT NOT NULL,
    qr_text TEXT NOT NULL,
    pdf_sha256 TEXT NOT NULL CHECK (length(pdf_sha256) = 64),
    status TEXT NOT NULL DEFAULT 'issued'
        CHECK (status IN ('issued', 'revoked', 'superseded')),
    issued_by INTEGER NOT NULL REFERENCES users(id),
    issued_at TEXT NOT NULL,
    supersedes TEXT,
    superseded_by TEXT,
    withdrawn_by INTEGER REFERENCES users(id),
    withdrawn_at TEXT,
    withdrawn_reason TEXT
);
CREATE INDEX reports_stone ON reports(stone_id, id);
CREATE INDEX reports_status ON reports(status, id);
CREATE INDEX reports_issued ON reports(issued_at);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    stone_id INTEGER,
    submission_id INTEGER,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit(entity, entity_id, id);
CREATE INDEX audit_stone ON audit(stone_id, id);
CREATE INDEX audit_submission ON audit(submission_id, id);
CREATE INDEX audit_actor ON audit(actor, id);
CREATE INDEX audit_action ON audit(action, id);
CREATE INDEX audit_at ON audit(at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: no UPDATE'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: no DELETE'); END;

CREATE VIRTUAL TABLE stones_fts USING fts5(
    number, client_ref, inscription, notes, client, reference,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER stones_fts_insert AFTER INSERT ON stones BEGIN
    INSERT INTO stones_fts(rowid, number, client_ref, inscription, notes, client, reference)
    SELECT new.id, new.number, new.client_ref, new.inscription, new.notes, c.name,
           s.reference
    FROM submissions s JOIN clients c ON c.id = s.client_id WHERE s.id = new.submission_id;
END;
CREATE TRIGGER stones_fts_update AFTER UPDATE OF client_ref, inscription, notes ON stones
BEGIN
    UPDATE stones_fts SET client_ref = new.client_ref, inscription = new.inscription,
        notes = new.notes WHERE rowid = new.id;
END;
CREATE TRIGGER stones_fts_client AFTER UPDATE OF name ON clients BEGIN
    UPDATE stones_fts SET client = new.name WHERE rowid IN (
        SELECT st.id FROM stones st JOIN submissions s ON s.id = st.submission_id
        WHERE s.client_id = new.id);
END;
CREATE TRIGGER stones_fts_reference AFTER UPDATE OF reference ON submissions BEGIN
    UPDATE stones_fts SET reference = new.reference
    WHERE rowid IN (SELECT id FROM stones WHERE submission_id = new.id);
END;
"""

# v2: new stones are indexed for search by the store in one statement per batch
# (search_index.add_stones) instead of a trigger per row, which cost FTS5 a new index
# segment per stone.
_V2 = """
DROP TRIGGER stones_fts_insert;
"""

# v3 (the origin rules audit): where a stone was cut and polished, as its evidence states
# it; whether a stone is mounted in jewellery (NULL: not stated, read as loose, the
# stricter reading; NULL also keeps rows made before v3 equal to their audited snapshots); the rulesets a lab's findings were
# assessed under, kept whole so that a finding can always be re-read under its own rules;
# the stones whose outcome a rules change altered, each for a supervisor to settle.
_V3 = """
ALTER TABLE evidence ADD COLUMN processing_countries TEXT;
ALTER TABLE stones ADD COLUMN mounted INTEGER CHECK (mounted IN (0, 1));
CREATE TABLE rulesets (
    id INTEGER PRIMARY KEY,
    jurisdiction TEXT NOT NULL,
    version TEXT NOT NULL,
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    text TEXT NOT NULL,
    first_used_at TEXT NOT NULL,
    UNIQUE (jurisdiction, version)
);
CREATE TABLE rule_changes (
    id INTEGER PRIMARY KEY,
    stone_id INTEGER NOT NULL REFERENCES stones(id),
    finding_id INTEGER NOT NULL REFERENCES findings(id),
    report_id INTEGER REFERENCES reports(id),
    jurisdiction TEXT NOT NULL,
    assessed_on TEXT NOT NULL,
    old_ruleset TEXT NOT NULL,
    new_ruleset TEXT NOT NULL,
    old_outcome TEXT NOT NULL,
    new_outcome TEXT NOT NULL,
    worse INTEGER NOT NULL CHECK (worse IN (0, 1)),
    rules TEXT NOT NULL,
    found_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'kept', 'reopened', 'rejected', 'revoked', 'settled')),
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT,
    decision_note TEXT
);
CREATE INDEX stones_submission_state ON stones(submission_id, state);
CREATE INDEX rule_changes_status ON rule_changes(status, id);
CREATE INDEX rule_changes_stone ON rule_changes(stone_id, id);
"""

# v4 (issue 16): a submission received by mistake is voided by a supervisor with a reason
# (its stones are kept, shown as voided, and nothing is proposed or issued from them); the
# grading report a dealer's list names for a stone (the earlier lab and its certificate
# number, looked up whole through an index on its upper-case text) and the origin the
# dealer declares (a declared fact, never evidence); wrong passwords counted in the
# database (so that every process and desk sees them) and the time until which an
# account is locked after five in a row.  Every new column is NULL until written (NULL
# failed_logins reads as none), so rows made before v4 stay equal to their audited
# snapshots.  Plain SQL that PostgreSQL also runs.
_V4 = """
ALTER TABLE submissions ADD COLUMN voided_at TEXT;
ALTER TABLE submissions ADD COLUMN voided_by INTEGER REFERENCES users(id);
ALTER TABLE submissions ADD COLUMN void_reason TEXT;
ALTER TABLE stones ADD COLUMN earlier_lab TEXT;
ALTER TABLE stones ADD COLUMN earlier_report TEXT;
ALTER TABLE stones ADD COLUMN declared_origin TEXT;
ALTER TABLE users ADD COLUMN failed_logins INTEGER CHECK (failed_logins >= 0);
ALTER TABLE users ADD COLUMN locked_until TEXT;
CREATE INDEX stones_earlier_report ON stones(upper(earlier_report));
CREATE INDEX submissions_voided ON submissions(voided_at);
"""

# v5 (issue 17, returns to the client): a stone handed back to its client is
# ``returned``, a state after ``reported`` (or after ``received`` or ``rejected`` for a stone
# returned ungraded) that takes no further work.  SQLite cannot alter a CHECK constraint, so
# ``stones`` is rebuilt by SQLite's documented procedure (create the new table, copy every
# row with its id, drop the old, rename; foreign keys off meanwhile and checked before the
# commit, see ``migrate``): the same columns in the same order with the same values, so
# every row stays equal to its audited snapshot; every index and the search trigger made
# again as v1 to v4 left them; the triggers on clients and submissions that read stones are
# made again around the rename.  Keeping the old CHECK and deriving "returned" from another
# table would put a stone's state in two places, and every list, count and guard that reads
# ``state`` would have to know.  ``returns``: one custody event per stone (UNIQUE: a stone
# goes back once), the stones handed over together sharing a receipt number; who collected
# them and the identity document seen, the staff member who handed them over (the event's
# signature is in the audit chain), when, the state it left and the report that went with it.
_V5 = """
DROP TRIGGER stones_fts_update;
DROP TRIGGER stones_fts_client;
DROP TRIGGER stones_fts_reference;
CREATE TABLE stones_v5 (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    client_ref TEXT,
    weight_mct INTEGER NOT NULL CHECK (weight_mct > 0),
    shape TEXT, colour TEXT, clarity TEXT, cut TEXT, polish TEXT, symmetry TEXT,
    fluorescence TEXT, measurements TEXT, inscription TEXT, identification TEXT,
    growth_method TEXT, notes TEXT,
    state TEXT NOT NULL DEFAULT 'received'
        CHECK (state IN ('received', 'proposed', 'rejected', 'approved', 'reported',
                         'returned')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    mounted INTEGER CHECK (mounted IN (0, 1)),
    earlier_lab TEXT,
    earlier_report TEXT,
    declared_origin TEXT
);
INSERT INTO stones_v5 (id, number, submission_id, client_ref, weight_mct, shape, colour,
    clarity, cut, polish, symmetry, fluorescence, measurements, inscription,
    identification, growth_method, notes, state, created_at, updated_at, mounted,
    earlier_lab, earlier_report, declared_origin)
SELECT id, number, submission_id, client_ref, weight_mct, shape, colour, clarity, cut,
    polish, symmetry, fluorescence, measurements, inscription, identification,
    growth_method, notes, state, created_at, updated_at, mounted, earlier_lab,
    earlier_report, declared_origin FROM stones;
DROP TABLE stones;
ALTER TABLE stones_v5 RENAME TO stones;
CREATE INDEX stones_submission ON stones(submission_id);
CREATE INDEX stones_state ON stones(state, id);
CREATE INDEX stones_client_ref ON stones(client_ref COLLATE NOCASE);
CREATE INDEX stones_created ON stones(created_at);
CREATE INDEX stones_submission_state ON stones(submission_id, state);
CREATE INDEX stones_earlier_report ON stones(upper(earlier_report));
CREATE TRIGGER stones_fts_update AFTER UPDATE OF client_ref, inscription, notes ON stones
BEGIN
    UPDATE stones_fts SET client_ref = new.client_ref, inscription = new.inscription,
        notes = new.notes WHERE rowid = new.id;
END;
CREATE TRIGGER stones_fts_client AFTER UPDATE OF name ON clients BEGIN
    UPDATE stones_fts SET client = new.name WHERE rowid IN (
        SELECT st.id FROM stones st JOIN submissions s ON s.id = st.submission_id
        WHERE s.client_id = new.id);
END;
CREATE TRIGGER stones_fts_reference AFTER UPDATE OF reference ON submissions BEGIN
    UPDATE stones_fts SET reference = new.reference
    WHERE rowid IN (SELECT id FROM stones WHERE submission_id = new.id);
END;
CREATE TABLE returns (
    id INTEGER PRIMARY KEY,
    receipt TEXT NOT NULL,
    stone_id INTEGER NOT NULL UNIQUE REFERENCES stones(id),
    from_state TEXT NOT NULL CHECK (from_state IN ('received', 'rejected', 'reported')),
    report_id INTEGER REFERENCES reports(id),
    collected_by TEXT NOT NULL,
    id_document TEXT,
    note TEXT,
    returned_by INTEGER NOT NULL REFERENCES users(id),
    returned_at TEXT NOT NULL
);
CREATE INDEX returns_receipt ON returns(receipt, id);
CREATE INDEX returns_returned ON returns(returned_at);
"""

MIGRATIONS: list[tuple[int, str]] = [(1, _V1), (2, _V2), (3, _V3), (4, _V4), (5, _V5)]
LATEST = MIGRATIONS[-1][0]

#: Tables whose every row is mirrored in the audit chain (check() compares them).
AUDITED_TABLES = ("settings", "users", "clients", "submissions", "stones", "evidence",
                  "attachments", "findings", "signing_keys", "reports", "rulesets",
                  "rule_changes", "returns")


#: ``user_version`` of a SQLite lab moved to a server: every later write is refused.
MOVED = connection.MOVED


def mark_moved(db) -> None:
    """In the moving transaction: this SQLite database refuses every later write (other
    windows still open on it; ``connection.transaction`` reads the mark)."""
    db.execute(f"PRAGMA user_version = {MOVED}")


def version(db: sqlite_utils.Database) -> int:
    if connection.is_pg(db):
        from labdesk.store import pg_schema
        return pg_schema.version(db)
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite_utils.Database, backup_to: Path | None = None) -> int:
    """Bring the database to ``LATEST``; returns the version it started at.

    Before the first migration of an existing database, the whole file is copied with
    SQLite's backup API to ``backup_to``.  Each migration runs in its own transaction and
    sets ``user_version`` inside it, so a crash leaves the previous version intact.
    """
    if connection.is_pg(db):
        from labdesk.store import pg_schema
        return pg_schema.migrate(db, LATEST)
    start = version(db)
    if start > LATEST:
        raise LabError(f"this lab was written by a newer LabDesk (schema {start}; this "
                       f"version knows {LATEST}): update LabDesk")
    if start == LATEST:
        return start
    if start > 0 and backup_to is not None:
        backup_to.parent.mkdir(parents=True, exist_ok=True)
        partial = backup_to.with_name(backup_to.name + ".partial")
        target = sqlite3.connect(str(partial))
        try:
            db.conn.backup(target)
        finally:
            target.close()
        os.replace(partial, backup_to)  # a killed copy never looks like a backup
    conn = db.conn
    for number, script in MIGRATIONS:
        if number <= start:
            continue
        # Foreign keys are off while a migration runs (a table rebuilt, as v5 rebuilds
        # stones, is dropped while others refer to it; SQLite ignores the pragma inside a
        # transaction) and every reference is checked before the commit.
        conn.execute("PRAGMA foreign_keys = OFF")
        try:
            conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};")
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise LabError(f"schema migration {number} would break "
                               f"{len(broken)} references (first: {broken[0]}); "
                               f"nothing was changed")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.execute("PRAGMA foreign_keys = ON")
    return start
