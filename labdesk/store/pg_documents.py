"""The document store of a PostgreSQL lab: scans, packing lists and report PDFs in the
database (table ``documents``, by SHA-256), so that every desk reads what any desk
stored; a desk keeps a read cache of files under its home (``cache/documents``).

The same calls as ``DocumentStore`` (the SQLite lab's folder): a file is checked and
hashed as it is copied, then stored once (a second copy of equal bytes stores nothing).
A cached file is hashed again on every read, and the database's copy on every ``check``
(``verify_stored``); a cache that differs from its name is replaced from the database.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from labdesk.errors import IntegrityError, storage_error
from labdesk.store.connection import stream, utcnow
from labdesk.store.disk import unlink_quietly, write_atomically
from labdesk.store.documents import DocumentStore


class DatabaseDocumentStore(DocumentStore):
    """Documents in the lab's PostgreSQL database, cached under ``cache_root``."""

    def __init__(self, db, cache_root: Path):
        super().__init__(cache_root)
        self.db = db

    def _store(self, copy, action: str, check=None) -> str:
        """Copy into a temporary file (hashed, checked) as the folder store does, then
        into the database; the temporary file becomes the cached copy."""
        holder: dict = {}

        def into_database(path: Path) -> None:
            if check is not None:
                check(path)
            holder["data"] = path.read_bytes()

        sha = super()._store(copy, action, into_database)
        data = holder["data"]
        try:
            _insert(self.db, sha, data)
        except OSError as exc:
            raise storage_error(exc, action) from exc
        self.verify_stored(sha)  # one stored before, under this name, must hold these bytes
        return sha

    def verify(self, sha256: str) -> Path:
        """The cached file's path, after checking its bytes hash to its name; fetched
        from the database (and checked) when the cache lacks it or holds other bytes."""
        path = self.path_for(sha256)
        if path.is_file():
            try:
                return super().verify(sha256)
            except IntegrityError:
                os.chmod(path, 0o644)
                unlink_quietly(path)
        data = self._fetch(sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data, mode=0o444, action="caching a document")
        return path

    def _fetch(self, sha256: str) -> bytes:
        row = self.db.execute("SELECT data FROM documents WHERE sha256 = ?",
                              [sha256]).fetchone()
        if row is None:
            raise IntegrityError(f"document {sha256[:12]} is missing from the lab's "
                                 f"database")
        data = bytes(row[0])
        if hashlib.sha256(data).hexdigest() != sha256:
            raise IntegrityError(f"document {sha256[:12]} was altered in the database: "
                                 f"its content no longer matches its SHA-256")
        return data

    def verify_stored(self, sha256: str) -> None:
        """The database's copy is present and hashes to its name (the server hashes it:
        no bytes cross the network)."""
        self.path_for(sha256)  # refuses what is not a digest
        row = self.db.execute("SELECT encode(sha256(data), 'hex') FROM documents WHERE "
                              "sha256 = ?", [sha256]).fetchone()
        if row is None:
            raise IntegrityError(f"document {sha256[:12]} is missing from the lab's "
                                 f"database")
        if row[0] != sha256:
            raise IntegrityError(f"document {sha256[:12]} was altered in the database: "
                                 f"its content no longer matches its SHA-256")

    def read(self, sha256: str) -> bytes:
        return self.verify(sha256).read_bytes()

    def all_hashes(self):
        for (sha,) in self.db.execute("SELECT sha256 FROM documents ORDER BY sha256"):
            yield sha


def store_bytes(db, sha256: str, data: bytes) -> None:
    """Keep ``data`` under its SHA-256 in the lab's database, checked (a lab being moved
    or restored onto the server); equal bytes kept once."""
    if hashlib.sha256(data).hexdigest() != sha256:
        raise IntegrityError(f"document {sha256[:12]} does not match its SHA-256")
    _insert(db, sha256, data)


def _insert(db, sha256: str, data: bytes) -> None:
    """The one INSERT of a document (its SHA-256 already known to be right)."""
    db.execute("INSERT INTO documents (sha256, size, data, stored_at) VALUES (?, ?, ?, ?) "
               "ON CONFLICT (sha256) DO NOTHING", [sha256, len(data), data, utcnow()])


def every_document(db):
    """(SHA-256, bytes) of every document in the lab's database, streamed."""
    for sha, data in stream(db, "SELECT sha256, data FROM documents ORDER BY sha256"):
        yield sha, bytes(data)
