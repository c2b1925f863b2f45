"""Media types of what a lab attaches (scans and photographs), told from the bytes, not
the name: which type a file's first bytes declare, the names that type goes by, and
whether its last bytes show it was cut short."""
from __future__ import annotations

_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)

# The extensions a file of each media type may be named with.
EXTENSIONS = {"application/pdf": {".pdf"}, "image/png": {".png"},
              "image/jpeg": {".jpg", ".jpeg", ".jpe", ".jfif"},
              "image/tiff": {".tif", ".tiff"}, "image/gif": {".gif"},
              "image/webp": {".webp"}}

HEAD_BYTES = 16  # what ``sniff`` needs of a file's start


def sniff(head: bytes) -> str | None:
    """The media type the first bytes declare, or None for anything else."""
    for magic, media_type in _SIGNATURES:
        if head.startswith(magic):
            return media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


_PNG_END = b"IEND\xaeB`\x82"  # the IEND chunk's type and its (constant) CRC


def is_truncated(media_type: str, head: bytes, tail: bytes, size: int) -> bool:
    """Whether a file of ``media_type`` and ``size`` bytes, starting with ``head`` and
    ending with ``tail`` (its last kilobyte), lacks the end its format requires."""
    if media_type == "application/pdf":
        return b"%%EOF" not in tail
    if media_type == "image/png":
        return _PNG_END not in tail[-24:]
    if media_type == "image/jpeg":
        return not tail.rstrip(b"\x00\r\n ").endswith(b"\xff\xd9")
    if media_type == "image/gif":
        return not tail.rstrip(b"\x00\r\n ").endswith(b";")
    if media_type == "image/webp":  # RIFF: the header says how long the file is
        return size < int.from_bytes(head[4:8], "little") + 8
    return False
