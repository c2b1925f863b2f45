"""The content-addressed document store: ``documents/ab/<sha256>``.

A file is streamed (constant memory, however large) into a temporary file while it is
hashed, fsynced, then renamed into place, so a crash leaves either the whole file or none.
A stored file is never overwritten or deleted; it is verified against its name whenever
it is read.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from labdesk.errors import IntegrityError, ValidationError

CHUNK = 1 << 20
_HEX = re.compile(r"^[0-9a-f]{64}$")

# What a lab attaches: scans and photographs.  Sniffed from the bytes, not the name.
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_EXTENSIONS = {"application/pdf": {".pdf"}, "image/png": {".png"},
               "image/jpeg": {".jpg", ".jpeg", ".jpe", ".jfif"},
               "image/tiff": {".tif", ".tiff"}, "image/gif": {".gif"},
               "image/webp": {".webp"}}


def sniff(head: bytes) -> str | None:
    """The media type the first bytes declare, or None for anything else."""
    for magic, media_type in _SIGNATURES:
        if head.startswith(magic):
            return media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _is_truncated(media_type: str, tail: bytes) -> bool:
    if media_type == "application/pdf":
        return b"%%EOF" not in tail
    if media_type == "image/png":
        return b"IEND" not in tail[-16:]
    if media_type == "image/jpeg":
        return not tail.rstrip(b"\x00\r\n ").endswith(b"\xff\xd9")
    return False


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

    def check_file(self, source: Path, max_bytes: int) -> tuple[int, str]:
        """Size and media type of a file about to be stored; refuses what a lab should not
        keep as evidence (empty, too large, not a document, truncated, misnamed)."""
        source = Path(source)
        name = source.name
        if not source.is_file():
            raise ValidationError(f"file: {source} does not exist or is not a file",
                                  field="file")
        size = source.stat().st_size
        if size == 0:
            raise ValidationError(f"file: {name} is empty", field="file")
        if size > max_bytes:
            raise ValidationError(f"file: {name} is {size / 1e6:.1f} MB, over the lab's "
                                  f"limit of {max_bytes / 1e6:.0f} MB", field="file")
        with source.open("rb") as fh:
            head = fh.read(16)
            fh.seek(max(0, size - 1024))
            tail = fh.read()
        media_type = sniff(head)
        if media_type is None:
            raise ValidationError(f"file: {name} is not a PDF or an image (PNG, JPEG, TIFF, "
                                  f"GIF, WebP)", field="file")
        ext = Path(name).suffix.lower()
        if ext and ext not in _EXTENSIONS[media_type]:
            raise ValidationError(f"file: {name} is named {ext} but holds a "
                                  f"{media_type.split('/')[1].upper()}", field="file")
        if _is_truncated(media_type, tail):
            raise ValidationError(f"file: {name} is a damaged or truncated "
                                  f"{media_type.split('/')[1].upper()}", field="file")
        return size, media_type

    def put(self, source: Path, max_bytes: int | None = None) -> str:
        """Store a copy of ``source``; returns its SHA-256.  Idempotent for equal content."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(exist_ok=True)
        digest = hashlib.sha256()
        written = 0
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="incoming-")
        try:
            with os.fdopen(fd, "wb") as out, Path(source).open("rb") as src:
                while chunk := src.read(CHUNK):
                    written += len(chunk)
                    if max_bytes is not None and written > max_bytes:
                        raise ValidationError(f"file: {Path(source).name} grew over the "
                                              f"lab's limit while it was copied",
                                              field="file")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
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
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
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


def write_atomically(path: Path, data: bytes, mode: int = 0o444) -> str:
    """Write ``data`` to ``path`` through a temporary file, fsynced, then renamed; returns
    the SHA-256 of the bytes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return hashlib.sha256(data).hexdigest()


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows cannot open folders
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
