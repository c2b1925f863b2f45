"""Media types told from the bytes (core/media.py)."""
import pytest

from labdesk.core import media

PNG_END = b"IEND\xaeB`\x82"


@pytest.mark.parametrize("head, media_type", [
    (b"%PDF-1.7\n", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
    (b"\xff\xd8\xff\xe0", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"GIF89a", "image/gif"),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),
    (b"PK\x03\x04", None),
    (b"", None),
])
def test_sniff_reads_the_first_bytes(head, media_type):
    assert media.sniff(head[:media.HEAD_BYTES]) == media_type
    assert media_type is None or media_type in media.EXTENSIONS


@pytest.mark.parametrize("media_type, head, tail, size, truncated", [
    ("application/pdf", b"%PDF", b"trailer<<>>\n%%EOF\n", 100, False),
    ("application/pdf", b"%PDF", b"1 0 obj<<>>endobj\n", 100, True),
    ("image/png", b"\x89PNG", b"data" + PNG_END, 100, False),
    ("image/png", b"\x89PNG", b"data", 100, True),
    ("image/jpeg", b"\xff\xd8\xff", b"data\xff\xd9\r\n", 100, False),
    ("image/jpeg", b"\xff\xd8\xff", b"data", 100, True),
    ("image/gif", b"GIF89a", b"data;", 100, False),
    ("image/gif", b"GIF89a", b"data", 100, True),
    ("image/webp", b"RIFF\x10\x00\x00\x00WEBP", b"", 24, False),
    ("image/webp", b"RIFF\x10\x00\x00\x00WEBP", b"", 23, True),
    ("image/tiff", b"II*\x00", b"", 10, False),  # no end to look for
])
def test_is_truncated_looks_for_the_end_each_format_requires(media_type, head, tail, size,
                                                             truncated):
    assert media.is_truncated(media_type, head, tail, size) is truncated
