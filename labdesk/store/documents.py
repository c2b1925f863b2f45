"""The content-addressed document store: ``documents/ab/<sha256>``.

A file is streamed (constant memory, however large) into a temporary file while it is
hashed, fsynced, then renamed into place, so a crash leaves either the whole file or none.
A stored file is never overwritten or deleted; it is verified against its name whenever
it is read.  A temporary file left by a process that was killed is removed by the next
``put`` (its name carries the writer's process id).

A full or read-only disk is reported as one ``LabError`` naming what failed and why
(``labdesk.errors.storage_error``), never as an ``OSError``.  What a file holds is told
from its bytes (``labdesk.core.media``); durable writes of other files: ``store.disk``.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from labdesk.core.media import EXTENSIONS, HEAD_BYTES, is_truncated, sniff
from labdesk.errors import IntegrityError, ValidationError, storage_error
from labdesk.store.disk import fsync_dir, remove_dead_writers_files, unlink_quietly

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
            remove_dead_writers_files(tmp_dir, "incoming-")
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
            fsync_dir(final.parent)
            return sha
        except BaseException as exc:
            unlink_quietly(tmp_name)
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
