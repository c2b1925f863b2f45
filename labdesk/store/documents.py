"""The content-addressed document store: ``documents/ab/<sha256>``.

A file is streamed (constant memory, however large) into a temporary file while it is
hashed, fsynced, then renamed into place, so a crash leaves either the whole file or none.
A stored file is never overwritten or deleted; it is verified against its name whenever
it is read.  A temporary file left by a process that was killed is removed by the next
``put`` (its name carries the writer's process id).

A full or read-only disk is reported as one ``LabError`` naming what failed and why
(``storage_error``), never as an ``OSError``.  What a file holds is told from its bytes
(``labdesk.core.media``).
"""
from __future__ import annotations

import errno
import hashlib
import os
import re
import sqlite3
import tempfile
import unicodedata
from pathlib import Path

from labdesk.core.media import EXTENSIONS, HEAD_BYTES, is_truncated, sniff
from labdesk.errors import IntegrityError, LabError, ValidationError

CHUNK = 1 << 20
_HEX = re.compile(r"^[0-9a-f]{64}$")


def safe_filename(name: str) -> str:
    """A name fit to show and to save as: no folders, no control characters, NFC, short."""
    name = unicodedata.normalize("NFC", str(name))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = name.strip().lstrip(".") or "document"
    stem, dot, ext = name.rpartition(".")
    if len(name) > 120:
        name = (stem[: 120 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 \
            else name[:120]
    return name


class DocumentStore:
    """Files named by their SHA-256 under ``root``."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        if not _HEX.match(sha256 or ""):
            raise ValidationError(f"sha256: {sha256!r} is not a SHA-256 hex digest",
                                  field="sha256")
        return self.root / sha256[:2] / sha256

    def check_file(self, source: Path, max_bytes: int,
                   name: str | None = None) -> tuple[int, str]:
        """Size and media type of a file about to be stored; refuses what a lab should not
        keep as evidence (empty, too large, not a document, truncated, misnamed).

        Only the size and the first and last bytes are read.  ``name`` is the name the
        file goes by (default: its own), whose extension must fit its content."""
        source = Path(source)
        given = source.name if name is None else str(name)
        name = safe_filename(given)
        if not source.is_file():
            raise ValidationError(f"file: {name} does not exist or is not a file",
                                  field="file")
        try:
            size = source.stat().st_size
            if size == 0:
                raise ValidationError(f"file: {name} is empty", field="file")
            if size > max_bytes:
                raise ValidationError(f"file: {name} is {size / 1e6:.1f} MB, over the "
                                      f"lab's limit of {max_bytes / 1e6:.0f} MB",
                                      field="file")
            with source.open("rb") as fh:  # only its first and last bytes are read here
                head = fh.read(HEAD_BYTES)
                fh.seek(max(0, size - 1024))
                tail = fh.read()
        except OSError as exc:
            raise ValidationError(f"file: {name} cannot be read ({exc.strerror or exc})",
                                  field="file") from None
        media_type = sniff(head)
        if media_type is None:
            raise ValidationError(f"file: {name} is not a PDF or an image (PNG, JPEG, TIFF, "
                                  f"GIF, WebP)", field="file")
        ext = Path(name).suffix.lower()  # of the name as it is shown and saved
        if ext and ext not in EXTENSIONS[media_type]:
            raise ValidationError(f"file: {name} is named {ext} but holds a "
                                  f"{media_type.split('/')[1].upper()}", field="file")
        if is_truncated(media_type, head, tail, size):
            raise ValidationError(f"file: {name} is a damaged or truncated "
                                  f"{media_type.split('/')[1].upper()}", field="file")
        return size, media_type

    def put(self, source: Path, max_bytes: int | None = None, check=None) -> str:
        """Store a copy of ``source``; returns its SHA-256.  Idempotent for equal content.

        ``check(copy)``, when given, is called with the path of the complete temporary
        copy before it is put in place and may refuse it (raise): what is checked is then
        exactly what is stored, even if ``source`` changes meanwhile.  ``LabError`` (one
        message) when the disk is full or read-only; nothing is left behind then."""
        source = Path(source)
        name = safe_filename(source.name)

        def read(src) -> bytes:
            try:
                return src.read(CHUNK)
            except OSError as exc:  # the source's disk, not the lab's
                raise ValidationError(f"file: {name} cannot be read "
                                      f"({exc.strerror or exc})", field="file") from None

        def copy(out, digest) -> None:
            written = 0
            try:
                src = source.open("rb")
            except OSError as exc:
                raise ValidationError(f"file: {name} cannot be read "
                                      f"({exc.strerror or exc})", field="file") from None
            with src:
                while chunk := read(src):
                    written += len(chunk)
                    if max_bytes is not None and written > max_bytes:
                        raise ValidationError(f"file: {name} grew over the lab's limit "
                                              f"while it was copied", field="file")
                    digest.update(chunk)
                    out.write(chunk)

        return self._store(copy, f"storing {name}", check)

    def put_bytes(self, data: bytes, what: str = "the document") -> str:
        """Store ``data`` (already in memory, such as a packing list that was read and
        checked from these very bytes); returns its SHA-256."""
        data = bytes(data)

        def copy(out, digest) -> None:
            for start in range(0, len(data), CHUNK):
                chunk = data[start:start + CHUNK]
                digest.update(chunk)
                out.write(chunk)

        return self._store(copy, f"storing {what}")

    def _store(self, copy, action: str, check=None) -> str:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            tmp_dir = self.root / "tmp"
            tmp_dir.mkdir(exist_ok=True)
            _remove_dead_writers_files(tmp_dir, "incoming-")
            fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix=f"incoming-{os.getpid()}-")
        except OSError as exc:
            raise storage_error(exc, action) from exc
        digest = hashlib.sha256()
        try:
            with os.fdopen(fd, "wb") as out:
                copy(out, digest)
                out.flush()
                os.fsync(out.fileno())
            if check is not None:
                check(Path(tmp_name))
            sha = digest.hexdigest()
            final = self.path_for(sha)
            if final.exists():
                self.verify(sha)  # never replace a stored file, even with equal bytes
                os.unlink(tmp_name)
                return sha
            final.parent.mkdir(exist_ok=True)
            os.chmod(tmp_name, 0o444)
            os.replace(tmp_name, final)
            _fsync_dir(final.parent)
            return sha
        except BaseException as exc:
            _unlink_quietly(tmp_name)
            error = storage_error(exc, action)
            if error is not None:
                raise error from exc
            raise

    def verify(self, sha256: str) -> Path:
        """The stored file's path, after checking its bytes still hash to its name."""
        path = self.path_for(sha256)
        if not path.is_file():
            raise IntegrityError(f"document {sha256[:12]} is missing from "
                                 f"{path.parent}")
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != sha256:
            raise IntegrityError(f"document {sha256[:12]} was altered on disk: its content "
                                 f"no longer matches its SHA-256")
        return path

    def read(self, sha256: str) -> bytes:
        """The verified bytes of a stored document (for small files: previews, reports)."""
        return self.verify(sha256).read_bytes()

    def all_hashes(self):
        """Every file name in the store that looks like a SHA-256."""
        if not self.root.is_dir():
            return
        for sub in self.root.iterdir():
            if sub.is_dir() and len(sub.name) == 2:
                for f in sub.iterdir():
                    if _HEX.match(f.name):
                        yield f.name


def write_atomically(path: Path, data: bytes, mode: int = 0o444,
                     action: str | None = None) -> str:
    """Write ``data`` to ``path`` through a temporary file, fsynced, then renamed; returns
    the SHA-256 of the bytes.

    ``LabError`` (one message, naming ``action``, default "writing <name>") when the disk
    is full or read-only, and then neither the temporary file nor a partial ``path`` is
    left.  A temporary file for the same ``path``
    left by a killed process is removed."""
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        prefix = f".{path.name}."
        _remove_dead_writers_files(path.parent, prefix)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{prefix}{os.getpid()}-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException as exc:
        if tmp is not None:
            _unlink_quietly(tmp)
        error = storage_error(exc, action or f"writing {path.name}")
        if error is not None:
            raise error from exc
        raise
    return hashlib.sha256(data).hexdigest()


def storage_error(exc: BaseException, action: str) -> LabError | None:
    """The one clear ``LabError`` for a failure of the disk during ``action`` ("storing
    scan.pdf", "writing the backup"): a full or read-only disk, a folder LabDesk may not
    write to, an I/O error, from the file system or from SQLite.  None for anything else
    (a ``LabError`` already, a bug), which the caller lets through unchanged."""
    if isinstance(exc, LabError):
        return None
    if isinstance(exc, OSError):
        where = f" ({Path(exc.filename).parent})" if exc.filename else ""
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            reason = f"the disk is full{where}; free some space and try again"
        elif exc.errno == errno.EROFS:
            reason = f"the disk is read-only{where}; LabDesk cannot write to it"
        elif exc.errno in (errno.EACCES, errno.EPERM):
            reason = f"LabDesk is not allowed to write there{where}"
        elif exc.errno == errno.EIO:
            reason = f"the disk reported an input/output error{where}; check it"
        elif exc.errno == errno.ENAMETOOLONG:
            reason = "the file name is too long for the disk"
        else:
            reason = f"{exc.strerror or exc}{where}"
    elif isinstance(exc, sqlite3.DatabaseError):
        text = str(exc).lower()
        if "full" in text:
            reason = "the disk is full; free some space and try again"
        elif "readonly" in text or "read-only" in text:
            reason = "the disk or folder is read-only; LabDesk cannot write to it"
        elif "disk i/o" in text:
            reason = "the disk reported an input/output error; check it"
        elif "locked" in text or "busy" in text:
            reason = "another LabDesk window is using the lab's database; try again"
        else:
            return None
    else:
        return None
    return LabError(f"{action} failed: {reason}. Nothing was changed.")


def roll_back_if_left_open(conn: sqlite3.Connection) -> None:
    """Roll back a transaction a failure left open: SQLite may keep it open after a
    COMMIT that failed (a full disk), and the next write would join it and never be
    committed.  (Belongs with ``connection.transaction``, which should call it.)"""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:  # SQLite had rolled it back already
            pass


def _unlink_quietly(name) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[a-z0-9_]{8}$")


def remove_dead_writers_temporary_files(folder: Path) -> int:
    """Remove the hidden temporary files ``write_atomically`` left in ``folder`` when its
    process was killed (their writer's process id is gone); returns how many."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        found = _TEMPORARY.match(entry.name)
        if found and entry.is_file(follow_symlinks=False) \
                and not _pid_alive(int(found["pid"])):
            _unlink_quietly(entry.path)
            removed += 1
    return removed


def _remove_dead_writers_files(folder: Path, prefix: str) -> None:
    """Remove ``prefix<pid>-*`` temporary files whose writer process is gone (killed in
    the middle of a write).  A live writer's files, and any other file, are left alone."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(prefix)]
    except OSError:
        return
    for entry in entries:
        pid_text = entry.name[len(prefix):].split("-", 1)[0]
        if pid_text.isdigit() and not _pid_alive(int(pid_text)):
            _unlink_quietly(entry.path)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows cannot open folders
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
