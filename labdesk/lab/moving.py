"""Moving a lab between its two homes: a SQLite lab into a PostgreSQL database
(``labdesk migrate --to``, a backup restored onto a server), and a PostgreSQL lab into
the one portable backup format (a zip holding a SQLite database, the documents, the
report PDFs and the keys), so that a backup restores into either backend.

Records and the audit chain move row for row (``store.transfer``); documents and report
PDFs are checked against their SHA-256 on the way; nothing is deleted: a migrated SQLite
home's database and files are set aside in the home, not removed.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from labdesk.errors import ValidationError
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
            reports: dict[str, list[str]] = {}
            for r in queries.all_reports(db):
                reports.setdefault(r["pdf_sha256"], []).append(r["number"])
            referred = {sha for sha, _ in queries.all_document_hashes(db)}
            logo = json.loads(queries.settings(db).get("logo") or "null")
            referred |= {logo} if logo else set()
            for sha, data in pg_documents.every_document(db):
                # a report's PDF under reports/, every document a record refers to under
                # documents/ (both, when a report was also attached as evidence)
                paths = [stage / "reports" / f"{n}.pdf" for n in reports.get(sha, [])]
                if sha in referred or sha not in reports:
                    paths.append(stage / "documents" / sha[:2] / sha)
                for path in paths:
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


def check_names_stay_apart(db) -> None:
    """The server compares usernames and client names without regard to case in every
    alphabet (SQLite only in ASCII): names that would become one there are named in one
    sentence before anything moves."""
    import unicodedata
    clashes = []
    for what, names in (("users", [r["username"] for r in queries.users(db)]),
                        ("clients", [r["name"] for r in queries.clients(db, limit=10**9)])):
        seen: dict[str, str] = {}
        for name in names:
            key = unicodedata.normalize("NFC", name).casefold()
            if key in seen:
                clashes.append(f"{what} {seen[key]!r} and {name!r}")
            seen.setdefault(key, name)
    if clashes:
        raise ValidationError("the lab server tells names apart without regard to case: "
                              + "; ".join(clashes) + " would become one. Rename one of "
                              "each first; nothing was moved")
