import sqlite3

import pytest

from labdesk.errors import LabError
from labdesk.store import schema
from labdesk.store.connection import connect, roll_back_if_left_open, transaction


def test_every_connection_has_the_pragmas(tmp_path):
    db = connect(tmp_path / "x.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_migrate_sets_user_version_and_is_idempotent(tmp_path):
    db = connect(tmp_path / "x.db")
    assert schema.migrate(db) == 0
    assert schema.version(db) == schema.LATEST
    assert schema.migrate(db) == schema.LATEST
    assert "stones_fts" in db.table_names()


def test_a_newer_database_is_refused(tmp_path):
    db = connect(tmp_path / "x.db")
    schema.migrate(db)
    db.execute(f"PRAGMA user_version = {schema.LATEST + 1}")
    with pytest.raises(LabError, match="newer LabDesk"):
        schema.migrate(db)


def test_a_failing_migration_rolls_back_whole_after_a_backup(tmp_path, monkeypatch):
    db = connect(tmp_path / "x.db")
    schema.migrate(db)
    db.execute("INSERT INTO settings VALUES ('k', '\"v\"')")
    broken = (schema.LATEST + 1, "CREATE TABLE new_things (id INTEGER);\n"
              "INSERT INTO no_such_table VALUES (1);")
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, broken])
    monkeypatch.setattr(schema, "LATEST", schema.LATEST + 1)
    backup = tmp_path / "backups" / "before.db"
    with pytest.raises(sqlite3.OperationalError):
        schema.migrate(db, backup)
    assert schema.version(db) == schema.LATEST - 1
    assert "new_things" not in db.table_names()        # the half-run migration is gone
    copy = sqlite3.connect(backup)
    assert copy.execute("SELECT value FROM settings WHERE key = 'k'").fetchone() == ('"v"',)


def test_foreign_keys_are_enforced(tmp_path):
    db = connect(tmp_path / "x.db")
    schema.migrate(db)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO attachments (evidence_id, sha256, filename, size, "
                   "media_type, created_by, created_at) VALUES (99, ?, 'a', 1, 'x', 1, 'now')",
                   ["a" * 64])


def test_transaction_rolls_back_on_error(tmp_path):
    db = connect(tmp_path / "x.db")
    schema.migrate(db)
    with pytest.raises(RuntimeError):
        with transaction(db):
            db.execute("INSERT INTO settings VALUES ('a', '1')")
            raise RuntimeError("boom")
    assert db.execute("SELECT count(*) FROM settings").fetchone()[0] == 0
    with transaction(db):
        db.execute("INSERT INTO settings VALUES ('a', '1')")
    assert db.execute("SELECT count(*) FROM settings").fetchone()[0] == 1


def test_roll_back_if_left_open_ends_an_open_transaction_and_is_quiet_otherwise(tmp_path):
    db = connect(tmp_path / "x.db")
    schema.migrate(db)
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO settings VALUES ('a', '1')")
    roll_back_if_left_open(db.conn)
    assert not db.conn.in_transaction
    assert db.execute("SELECT count(*) FROM settings").fetchone()[0] == 0
    roll_back_if_left_open(db.conn)  # nothing open: nothing happens
    assert not db.conn.in_transaction


def test_audit_table_is_append_only(tmp_path):
    from labdesk.store import audit
    db = connect(tmp_path / "x.db")
    schema.migrate(db)
    with transaction(db):
        audit.record(db, "ada", "test", "lab", "x", note="hello")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE audit SET actor = 'eve'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit")
    assert audit.verify(db).problems == []
