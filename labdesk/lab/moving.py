"""Moving a lab between its two homes: a SQLite lab into a PostgreSQL database
(``labdesk migrate --to``, a backup restored onto a server), and a PostgreSQL lab into
the one portable backup format (a zip holding a SQLite database, the documents, the
report PDFs and the keys), so that a backup restores into either backend.

Records and the audit chain move row for row (``store.transfer``); documents and report
PDFs are checked against their SHA-256 on the way; nothing is deleted: a migrated SQLite
home's database and files are set aside in the home, not removed.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from labdesk.lab import desks
from labdesk.lab.context import DB_NAME
from labdesk.store import backup as backups, pg_documents, queries, schema, transfer
from labdesk.store.connection import connect, transaction, utcnow
from labdesk.store.disk import read_verified, write_atomically
from labdesk.store.documents import DocumentStore


def backup_from_server(db, home: Path, target: Path, progress=None) -> dict:
    """Write the backup zip of a PostgreSQL lab read through ``db`` (a snapshot) with the
    keys of the desk at ``home``; returns the manifest."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-stage-") as tmp:
        stage = Path(tmp)
        lite = connect(stage / DB_NAME)
        try:
            schema.migrate(lite)
            with transaction(lite):
                transfer.copy_records(db, lite)
            reports = {r["pdf_sha256"]: r["number"] for r in queries.all_reports(db)}
            for sha, data in pg_documents.every_document(db):
                if sha in reports:
                    path = stage / "reports" / f"{reports[sha]}.pdf"
                else:
                    path = stage / "documents" / sha[:2] / sha
                path.parent.mkdir(parents=True, exist_ok=True)
                write_atomically(path, data, mode=0o444)
            _copy_keys(home / "keys", stage / "keys")
            return backups.create(lite.conn, stage, target, schema.version(lite), progress)
        finally:
            lite.close()


def move_to_server(source_home: Path, source_db, database: str, desk_home: Path) -> None:
    """Copy the SQLite lab at ``source_home`` (its database open as ``source_db``) into
    the empty PostgreSQL database ``database``, all in one transaction: records, the
    chain, documents and report PDFs (each checked against its SHA-256).  The keys go to
    ``desk_home``'s ``keys`` folder; ``desk.json`` is written last by the caller."""
    target = desks.open_database(database, create=True)
    try:
        with transaction(target):
            schema.migrate(target)
            transfer.copy_records(source_db, target)
            documents = DocumentStore(source_home / "documents")
            for sha in sorted(documents.all_hashes()):
                pg_documents.store_bytes(target, sha, documents.read(sha))
            for row in queries.all_reports(source_db):
                path = source_home / "reports" / f"{row['number']}.pdf"
                pg_documents.store_bytes(target, row["pdf_sha256"],
                     read_verified(path, row["pdf_sha256"], f"report {row['number']}"))
    finally:
        target.close()
    _copy_keys(source_home / "keys", desk_home / "keys")


def set_aside_sqlite_files(home: Path) -> Path:
    """After a move to a server: the home's SQLite database and its files go to
    ``moved-to-server-<time>/`` in the home (kept, never deleted; nothing reads them)."""
    stamp = utcnow()[:19].replace(":", "").replace("-", "")
    aside = home / f"moved-to-server-{stamp}"
    aside.mkdir()
    for name in (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", "documents", "reports"):
        if (home / name).exists():
            os.replace(home / name, aside / name)
    return aside


def _copy_keys(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    os.chmod(target, 0o700)
    if not source.is_dir():
        return
    for key in sorted(source.glob("*.key")):
        if not (target / key.name).exists():
            shutil.copy2(key, target / key.name)
            os.chmod(target / key.name, 0o600)
