"""The schema of a PostgreSQL lab, numbered like SQLite's (``schema.MIGRATIONS``).

PostgreSQL labs begin at version 4: ``_BASE`` is SQLite's v1 to v4 in PostgreSQL's
terms, and each later SQLite migration has its counterpart here, under the same number.
Columns keep SQLite's values exactly (integers, text, timestamps as ISO text): a row's
snapshot, and so the audit chain's every hash, is the same on both backends, and a lab
moves between them unchanged.

What PostgreSQL adds: ``labdesk_meta`` (whose database this is, its schema version),
``documents`` (scans and report PDFs, content-addressed, in the database so that every
desk reads them), ``audit_head`` (the highest event id ever written, kept by a trigger,
so that events deleted from the end of the chain are seen, as SQLite's
``sqlite_sequence`` shows them), ``stones_search`` (the search index, a tsvector kept
by triggers) and triggers that refuse UPDATE, DELETE and TRUNCATE on the audit table.
"""
from __future__ import annotations

from labdesk.errors import LabError

APPLICATION = "labdesk"

_BASE = r"""
CREATE EXTENSION IF NOT EXISTS unaccent;
-- usernames and client names compare and sort without regard to case, as SQLite's NOCASE
CREATE COLLATION labdesk_nocase (provider = icu, locale = 'und-u-ks-level2',
                                 deterministic = false);
CREATE TABLE labdesk_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE users (
    id BIGINT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE labdesk_nocase,
    full_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('technician', 'supervisor', 'admin')),
    password_hash TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL,
    failed_logins BIGINT CHECK (failed_logins >= 0),
    locked_until TEXT
);
CREATE TABLE clients (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE labdesk_nocase,
    address TEXT,
    contact TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE submissions (
    id BIGINT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    client_id BIGINT NOT NULL REFERENCES clients(id),
    reference TEXT,
    received_at TEXT NOT NULL,
    declared_count BIGINT,
    declared_weight_mct BIGINT,
    source_file TEXT,
    received_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    voided_at TEXT,
    voided_by BIGINT REFERENCES users(id),
    void_reason TEXT
);
CREATE INDEX submissions_voided ON submissions(voided_at);
CREATE INDEX submissions_client ON submissions(client_id, received_at);
CREATE INDEX submissions_reference ON submissions(lower(reference));
CREATE TABLE stones (
    id BIGINT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    submission_id BIGINT NOT NULL REFERENCES submissions(id),
    client_ref TEXT,
    weight_mct BIGINT NOT NULL CHECK (weight_mct > 0),
    shape TEXT, colour TEXT, clarity TEXT, cut TEXT, polish TEXT, symmetry TEXT,
    fluorescence TEXT, measurements TEXT, inscription TEXT, identification TEXT,
    growth_method TEXT, notes TEXT,
    state TEXT NOT NULL DEFAULT 'received'
        CHECK (state IN ('received', 'proposed', 'rejected', 'approved', 'reported')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    mounted BIGINT CHECK (mounted IN (0, 1)),
    earlier_lab TEXT,
    earlier_report TEXT,
    declared_origin TEXT
);
CREATE INDEX stones_earlier_report ON stones(upper(earlier_report));
CREATE INDEX stones_submission ON stones(submission_id);
CREATE INDEX stones_state ON stones(state, id);
CREATE INDEX stones_client_ref ON stones(lower(client_ref));
CREATE INDEX stones_created ON stones(created_at);
CREATE INDEX stones_submission_state ON stones(submission_id, state);
CREATE TABLE evidence (
    id BIGINT PRIMARY KEY,
    stone_id BIGINT REFERENCES stones(id),
    submission_id BIGINT REFERENCES submissions(id),
    kind TEXT NOT NULL,
    reference TEXT, issuer TEXT, issuing_country TEXT, issued_on TEXT, expires_on TEXT,
    origin_countries TEXT, origin_type TEXT, transit_countries TEXT,
    weight_mct BIGINT CHECK (weight_mct > 0), value_cents BIGINT CHECK (value_cents >= 0),
    parcels BIGINT, hs_code TEXT, exporter TEXT, importer TEXT, seller TEXT, buyer TEXT,
    sow_statement BIGINT, platform TEXT, outside_russia_since TEXT, notes TEXT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    processing_countries TEXT,
    CHECK ((stone_id IS NULL) != (submission_id IS NULL))
);
CREATE INDEX evidence_stone ON evidence(stone_id);
CREATE INDEX evidence_submission ON evidence(submission_id);
CREATE INDEX evidence_reference ON evidence(lower(reference));
CREATE TABLE attachments (
    id BIGINT PRIMARY KEY,
    evidence_id BIGINT NOT NULL REFERENCES evidence(id),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    filename TEXT NOT NULL,
    size BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_evidence ON attachments(evidence_id);
CREATE INDEX attachments_sha256 ON attachments(sha256);
CREATE TABLE findings (
    id BIGINT PRIMARY KEY,
    stone_id BIGINT NOT NULL REFERENCES stones(id),
    origin TEXT NOT NULL CHECK (origin IN ('non_russian', 'russian', 'undetermined')),
    mining_country TEXT,
    statement TEXT NOT NULL DEFAULT '',
    evidence_ids TEXT NOT NULL DEFAULT '[]',
    assessments TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'proposed'
        CHECK (status IN ('proposed', 'approved', 'rejected', 'reopened')),
    proposed_by BIGINT NOT NULL REFERENCES users(id),
    proposed_at TEXT NOT NULL,
    decided_by BIGINT REFERENCES users(id),
    decided_at TEXT,
    decision_comment TEXT,
    reopened_by BIGINT REFERENCES users(id),
    reopened_at TEXT,
    reopen_reason TEXT
);
CREATE INDEX findings_stone ON findings(stone_id, id);
CREATE INDEX findings_status ON findings(status, proposed_at);
CREATE TABLE signing_keys (
    id BIGINT PRIMARY KEY,
    kid TEXT NOT NULL UNIQUE CHECK (length(kid) = 16),
    public_pem TEXT NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT
);
CREATE TABLE reports (
    id BIGINT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    stone_id BIGINT NOT NULL REFERENCES stones(id),
    finding_id BIGINT NOT NULL REFERENCES findings(id),
    kid TEXT NOT NULL REFERENCES signing_keys(kid),
    claim TEXT NOT NULL,
    token TEXT NOT NULL,
    qr_text TEXT NOT NULL,
    pdf_sha256 TEXT NOT NULL CHECK (length(pdf_sha256) = 64),
    status TEXT NOT NULL DEFAULT 'issued'
        CHECK (status IN ('issued', 'revoked', 'superseded')),
    issued_by BIGINT NOT NULL REFERENCES users(id),
    issued_at TEXT NOT NULL,
    supersedes TEXT,
    superseded_by TEXT,
    withdrawn_by BIGINT REFERENCES users(id),
    withdrawn_at TEXT,
    withdrawn_reason TEXT
);
CREATE INDEX reports_stone ON reports(stone_id, id);
CREATE INDEX reports_status ON reports(status, id);
CREATE INDEX reports_issued ON reports(issued_at);
CREATE TABLE rulesets (
    id BIGINT PRIMARY KEY,
    jurisdiction TEXT NOT NULL,
    version TEXT NOT NULL,
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    text TEXT NOT NULL,
    first_used_at TEXT NOT NULL,
    UNIQUE (jurisdiction, version)
);
CREATE TABLE rule_changes (
    id BIGINT PRIMARY KEY,
    stone_id BIGINT NOT NULL REFERENCES stones(id),
    finding_id BIGINT NOT NULL REFERENCES findings(id),
    report_id BIGINT REFERENCES reports(id),
    jurisdiction TEXT NOT NULL,
    assessed_on TEXT NOT NULL,
    old_ruleset TEXT NOT NULL,
    new_ruleset TEXT NOT NULL,
    old_outcome TEXT NOT NULL,
    new_outcome TEXT NOT NULL,
    worse BIGINT NOT NULL CHECK (worse IN (0, 1)),
    rules TEXT NOT NULL,
    found_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'kept', 'reopened', 'rejected', 'revoked', 'settled')),
    decided_by BIGINT REFERENCES users(id),
    decided_at TEXT,
    decision_note TEXT
);
CREATE INDEX rule_changes_status ON rule_changes(status, id);
CREATE INDEX rule_changes_stone ON rule_changes(stone_id, id);

CREATE TABLE audit (
    id BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    stone_id BIGINT,
    submission_id BIGINT,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit(entity, entity_id text_pattern_ops, id);
CREATE INDEX audit_stone ON audit(stone_id, id);
CREATE INDEX audit_submission ON audit(submission_id, id);
CREATE INDEX audit_actor ON audit(actor, id);
CREATE INDEX audit_action ON audit(action, id);
CREATE INDEX audit_at ON audit(at);
CREATE TABLE audit_head (
    one BIGINT PRIMARY KEY CHECK (one = 1),
    last_id BIGINT NOT NULL
);
INSERT INTO audit_head VALUES (1, 0);
CREATE FUNCTION labdesk_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: no %', TG_OP;
END $$;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    FOR EACH ROW EXECUTE FUNCTION labdesk_audit_refuse();
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION labdesk_audit_refuse();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION labdesk_audit_refuse();
CREATE FUNCTION labdesk_audit_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE audit_head SET last_id = GREATEST(last_id, (SELECT max(id) FROM new_events));
    RETURN NULL;
END $$;
CREATE TRIGGER audit_head_moves AFTER INSERT ON audit
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION labdesk_audit_head();
CREATE TRIGGER audit_head_kept BEFORE UPDATE OR DELETE ON audit_head
    FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION labdesk_audit_refuse();

CREATE TABLE documents (
    sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    size BIGINT NOT NULL,
    data BYTEA NOT NULL,
    stored_at TEXT NOT NULL
);
CREATE TRIGGER documents_no_update BEFORE UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION labdesk_audit_refuse();

-- the search index: every word of a stone's number, client reference, inscription,
-- notes, client and submission reference, folded (lower case, no accents, words split
-- at anything not a letter or digit) as the store folds a search (search_index.fold)
CREATE FUNCTION labdesk_fold(value TEXT) RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT regexp_replace(lower(public.unaccent(coalesce(value, '') COLLATE "und-x-icu")),
                          '[^[:alnum:]]+',
                          ' ', 'g')
$$;
CREATE TABLE stones_search (
    id BIGINT PRIMARY KEY,
    doc TSVECTOR NOT NULL
);
CREATE INDEX stones_search_doc ON stones_search USING gin (doc);
CREATE FUNCTION labdesk_search_doc(stone_id BIGINT) RETURNS TSVECTOR LANGUAGE sql STABLE
AS $$
    SELECT to_tsvector('simple', labdesk_fold(concat_ws(' ', st.number, st.client_ref,
        st.inscription, st.notes, c.name COLLATE "und-x-icu", su.reference)))
    FROM stones st JOIN submissions su ON su.id = st.submission_id
    JOIN clients c ON c.id = su.client_id WHERE st.id = stone_id
$$;
CREATE FUNCTION labdesk_search_stone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE stones_search SET doc = labdesk_search_doc(NEW.id) WHERE id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER stones_search_update AFTER UPDATE OF client_ref, inscription, notes
    ON stones FOR EACH ROW EXECUTE FUNCTION labdesk_search_stone();
CREATE FUNCTION labdesk_search_client() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE stones_search ss SET doc = labdesk_search_doc(ss.id) FROM stones st
    JOIN submissions su ON su.id = st.submission_id
    WHERE su.client_id = NEW.id AND ss.id = st.id;
    RETURN NULL;
END $$;
CREATE TRIGGER stones_search_client AFTER UPDATE OF name ON clients
    FOR EACH ROW EXECUTE FUNCTION labdesk_search_client();
CREATE FUNCTION labdesk_search_submission() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE stones_search ss SET doc = labdesk_search_doc(ss.id) FROM stones st
    WHERE st.submission_id = NEW.id AND ss.id = st.id;
    RETURN NULL;
END $$;
CREATE TRIGGER stones_search_reference AFTER UPDATE OF reference ON submissions
    FOR EACH ROW EXECUTE FUNCTION labdesk_search_submission();
"""

#: (version, script): a new PostgreSQL lab runs them all; an existing one those above
#: its version.  Each SQLite migration after v4 has its counterpart here.
# v5 (SQLite's v5: returns to the client): the ``returned`` state, by replacing the CHECK
# constraint PostgreSQL named for the column (no rebuild needed here), and the ``returns``
# table with SQLite's columns and values.
_V5 = r"""
ALTER TABLE stones DROP CONSTRAINT stones_state_check;
ALTER TABLE stones ADD CONSTRAINT stones_state_check
    CHECK (state IN ('received', 'proposed', 'rejected', 'approved', 'reported', 'returned'));
CREATE TABLE returns (
    id BIGINT PRIMARY KEY,
    receipt TEXT NOT NULL,
    stone_id BIGINT NOT NULL UNIQUE REFERENCES stones(id),
    from_state TEXT NOT NULL CHECK (from_state IN ('received', 'rejected', 'reported')),
    report_id BIGINT REFERENCES reports(id),
    collected_by TEXT NOT NULL,
    id_document TEXT,
    note TEXT,
    returned_by BIGINT NOT NULL REFERENCES users(id),
    returned_at TEXT NOT NULL
);
CREATE INDEX returns_receipt ON returns(receipt, id);
CREATE INDEX returns_returned ON returns(returned_at);
"""

MIGRATIONS: list[tuple[int, str]] = [(4, _BASE), (5, _V5)]


def tables(db) -> set[str]:
    return {name for (name,) in db.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").fetchall()}


def version(db) -> int:
    """The lab's schema version; 0 for an empty database; ``LabError`` for a database
    that holds something else."""
    present = tables(db)
    if "labdesk_meta" not in present:
        if present:
            raise LabError(f"the database {db.description} holds tables of another "
                           f"application ({', '.join(sorted(present)[:3])}...); give "
                           f"LabDesk an empty database of its own")
        return 0
    meta = dict(db.execute("SELECT key, value FROM labdesk_meta").fetchall())
    if meta.get("application") != APPLICATION:
        raise LabError(f"the database {db.description} is not a LabDesk lab")
    return int(meta.get("schema_version", 0))


def migrate(db, latest: int) -> int:
    """Bring the database to ``latest``; returns the version it started at.  Each
    migration runs in one transaction with its version."""
    start = version(db)
    if start > latest:
        raise LabError(f"this lab was written by a newer LabDesk (schema {start}; this "
                       f"version knows {latest}): update LabDesk")
    for number, script in MIGRATIONS:
        if number <= start or number > latest:
            continue
        with db.transaction():  # under the write lock: a desk upgrading meanwhile waits,
            if number <= version(db):  # then finds this one done
                continue
            db.raw.execute(script)
            if number == MIGRATIONS[0][0]:
                db.raw.execute("INSERT INTO labdesk_meta VALUES ('application', %s), "
                               "('schema_version', %s)", [APPLICATION, str(number)])
            else:
                db.raw.execute("UPDATE labdesk_meta SET value = %s WHERE key = "
                               "'schema_version'", [str(number)])
    return start
