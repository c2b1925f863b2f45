import hashlib
import os

import pytest

from labdesk.errors import IntegrityError, ValidationError
from labdesk.store.documents import DocumentStore, safe_filename

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def store(tmp_path):
    return DocumentStore(tmp_path / "documents")


def test_put_is_content_addressed_read_only_and_idempotent(store, tmp_path):
    src = tmp_path / "scan.pdf"
    src.write_bytes(PDF)
    sha = store.put(src)
    assert sha == hashlib.sha256(PDF).hexdigest()
    path = store.path_for(sha)
    assert path.parent.name == sha[:2] and path.read_bytes() == PDF
    assert oct(path.stat().st_mode & 0o777) == "0o444"
    assert store.put(src) == sha
    assert list(store.all_hashes()) == [sha]
    assert not any((store.root / "tmp").iterdir())


def test_an_edited_document_is_detected_on_read(store, tmp_path):
    src = tmp_path / "scan.pdf"
    src.write_bytes(PDF)
    sha = store.put(src)
    path = store.path_for(sha)
    os.chmod(path, 0o644)
    path.write_bytes(PDF.replace(b"1.4", b"1.7"))
    with pytest.raises(IntegrityError, match="altered"):
        store.read(sha)
    with pytest.raises(IntegrityError, match="altered"):
        store.put(src)          # never silently replaced, even with the right bytes
    path.unlink()
    with pytest.raises(IntegrityError, match="missing"):
        store.verify(sha)


@pytest.mark.parametrize("name, content, words", [
    ("empty.pdf", b"", "empty"),
    ("notes.pdf", b"hello world, not a pdf", "not a PDF or an image"),
    ("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 20 + b"IEND\xaeB`\x82", "named .pdf"),
    ("cut.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n", "truncated"),
    ("cut.jpg", b"\xff\xd8\xff\xe0" + b"1" * 100, "truncated"),
])
def test_bad_files_are_refused_with_one_message(store, tmp_path, name, content, words):
    src = tmp_path / name
    src.write_bytes(content)
    with pytest.raises(ValidationError) as err:
        store.check_file(src, 10_000_000)
    assert words in str(err.value) and err.value.field == "file"


def test_files_over_the_limit_are_refused(store, tmp_path):
    src = tmp_path / "big.pdf"
    src.write_bytes(PDF + b" " * 2000)
    with pytest.raises(ValidationError, match="over the lab's limit"):
        store.check_file(src, 1000)
    with pytest.raises(ValidationError, match="over the lab's limit"):
        store.put(src, max_bytes=1000)
    assert list(store.all_hashes()) == []


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd", "passwd"), ("C:\\scans\\kp.pdf", "kp.pdf"),
    ("a\x00b\x1fc.pdf", "abc.pdf"), (".hidden.pdf", "hidden.pdf"), ("", "document"),
])
def test_safe_filenames(name, expected):
    assert safe_filename(name) == expected


def test_long_names_keep_their_extension():
    name = safe_filename("x" * 300 + ".pdf")
    assert len(name) == 120 and name.endswith(".pdf")
