"""Backups: one zip file holding a consistent copy of the database (SQLite's backup API),
the documents, the reports and the keys, with a manifest of SHA-256 digests.

Restoring checks every digest before anything is put in place, and writes into a fresh
home only: a backup never overwrites a lab.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from labdesk.errors import IntegrityError, LabError, ValidationError, storage_error
from labdesk.store.connection import utcnow
from labdesk.store.disk import fsync_dir

FORMAT = "labdesk-backup"
DB_NAME = "labdesk.db"
FOLDERS = ("documents", "reports", "keys")
_CHUNK = 1 << 20


def _backed_up_files(home: Path) -> list[tuple[str, Path]]:
    """The lab's files to back up: documents, reports and keys, without the temporary
    files of a write in progress or of a killed process (``documents/tmp``, hidden
    ``.name.*`` files)."""
    files = []
    for folder in FOLDERS:
        base = home / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            parts = path.relative_to(base).parts
            if parts[:1] == ("tmp",) or any(part.startswith(".") for part in parts):
                continue
            if path.is_file() and not path.is_symlink():
                files.append((path.relative_to(home).as_posix(), path))
    return files


def _add_file(zf: zipfile.ZipFile, name: str, path: Path) -> str | None:
    """Copy ``path`` into the zip as ``name`` while hashing the very bytes written, so
    the manifest always matches the zip; None when the file vanished meanwhile."""
    try:
        src = open(path, "rb")
    except FileNotFoundError:
        return None
    try:
        info = zipfile.ZipInfo.from_file(path, name, strict_timestamps=False)
    except FileNotFoundError:
        src.close()
        return None
    digest = hashlib.sha256()
    info.compress_type = zipfile.ZIP_DEFLATED if name == DB_NAME else zipfile.ZIP_STORED
    with src, zf.open(info, "w", force_zip64=True) as out:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def create(conn: sqlite3.Connection, home: Path, target: Path, schema_version: int,
           progress=None) -> dict:
    """Write a backup of the lab at ``home`` to ``target`` (a .zip); returns the manifest.

    The zip is written beside ``target`` under a temporary name, fsynced, then renamed, so
    an interrupted backup never leaves a file that looks complete.  It holds the private
    signing key, so it is readable by its owner only (0600).  A full or read-only disk is
    one ``LabError``, and nothing is left behind.
    """
    target = Path(target)
    try:
        return _create(conn, Path(home), target, schema_version, progress)
    except BaseException as exc:
        error = storage_error(exc, f"writing the backup {target.name}")
        if error is not None:
            raise error from exc
        raise


def _create(conn, home: Path, target: Path, schema_version: int, progress) -> dict:
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as tmp:
        db_copy = Path(tmp) / DB_NAME
        dest = sqlite3.connect(str(db_copy))
        try:
            conn.backup(dest)  # one step: a consistent copy, however busy the lab is
        finally:
            dest.close()
        files = [(DB_NAME, db_copy)] + _backed_up_files(home)
        manifest = {"format": FORMAT, "version": 1, "created_at": utcnow(),
                    "schema_version": schema_version, "files": {}}
        partial = Path(tmp) / "backup.zip"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw:
            with zipfile.ZipFile(raw, "w", allowZip64=True) as zf:
                for index, (name, path) in enumerate(files):
                    sha = _add_file(zf, name, path)
                    if sha is not None:
                        manifest["files"][name] = sha
                    if progress:
                        progress(index + 1, len(files))
                zf.writestr("manifest.json", json.dumps(manifest, indent=1,
                                                        sort_keys=True))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, target)
        fsync_dir(target.parent)
    return manifest


def read_manifest(path: Path) -> dict:
    """The manifest of a backup file, after checking it is one."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"backup: {path} does not exist", field="backup")
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = json.loads(zf.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ValidationError(f"backup: {path.name} is not a LabDesk backup (no readable "
                              f"manifest)", field="backup") from None
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
        raise ValidationError(f"backup: {path.name} is not a LabDesk backup",
                              field="backup")
    return manifest


def _safe_name(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return (bool(parts) and not PurePosixPath(name).is_absolute() and ".." not in parts
            and (name == DB_NAME or parts[0] in FOLDERS))


def unpack(path: Path, home: Path) -> Path:
    """Unpack the backup at ``path`` into a staging folder beside the new ``home`` and
    return it; every entry's digest is checked on the way.  ``install`` moves it into
    place once the caller has checked the lab in it; ``discard`` removes it."""
    manifest = read_manifest(path)
    home = Path(home)
    if (home / DB_NAME).exists() or (home / "desk.json").exists():
        raise LabError(f"{home} already holds a lab: restore into a new, empty folder")
    if home.is_dir() and any(home.iterdir()):
        raise LabError(f"{home} is not empty: restore into a new, empty folder")
    staging = None
    try:
        home.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=home.parent, prefix=".restore-"))
        with zipfile.ZipFile(path) as zf:
            for name, expected in manifest["files"].items():
                _extract(zf, name, expected, staging)
        keys = staging / "keys"
        if keys.is_dir():
            os.chmod(keys, 0o700)
            for f in keys.iterdir():
                os.chmod(f, 0o600)
    except BaseException as exc:
        if staging is not None:
            discard(staging)
        error = storage_error(exc, f"restoring {path.name}")
        if error is not None:
            raise error from exc
        raise
    return staging


def _extract(zf: zipfile.ZipFile, name: str, expected: str, staging: Path) -> None:
    if not _safe_name(name):
        raise IntegrityError(f"backup: refuses the entry {name!r} (outside the lab's "
                             f"folders)")
    dest = staging / name
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    try:
        with zf.open(name) as src, open(dest, "wb") as out:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except KeyError:
        raise IntegrityError(f"backup: {name} is listed but missing") from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise IntegrityError(f"backup: {name} is damaged ({exc})") from None
    if digest.hexdigest() != expected:
        raise IntegrityError(f"backup: {name} is damaged (its SHA-256 does not match the "
                             f"manifest)")
    if name.startswith("documents/"):
        os.chmod(dest, 0o444)


def install(staging: Path, home: Path) -> None:
    """Put a checked staging folder in place as ``home`` (missing or an empty folder) in
    one rename, so that a crash leaves either the whole restored lab or none."""
    home = Path(home)
    try:
        os.replace(staging, home)  # rename(2) replaces an empty folder atomically
        fsync_dir(home.parent)
    except OSError as exc:
        error = storage_error(exc, f"restoring into {home}")
        if (home / DB_NAME).exists() or (home.is_dir() and any(home.iterdir())):
            discard(staging)
            raise LabError(f"{home} is not empty: restore into a new, empty folder") \
                from None
        discard(staging)
        raise (error or exc) from exc


def discard(staging: Path) -> None:
    """Remove a staging folder, read-only documents included."""
    def make_writable(func, path, _exc):
        os.chmod(path, 0o700)
        func(path)
    shutil.rmtree(staging, onerror=make_writable)
