"""A revoked or superseded report, as LabDesk shows, prints or saves it, carries its
withdrawal across every page; the archived original keeps its bytes (issue 16, item 19)."""
import hashlib
import subprocess
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp

from labdesk.reports import stamp
from support.homes import PASSWORDS, login_as
from support.labs import approve_stone, receive_stones

LONG_STATEMENT = ("The parcel arrived sealed with its single-origin Kimberley Process "
                  "certificate from Botswana; the client's invoice carries the System of "
                  "Warranties statement and the provenance platform links this polished "
                  "stone to rough from the Jwaneng mine. ") * 7
REASON = "Clarity misgraded: a feather reaches the girdle."


def flat(text: str) -> str:
    return " ".join(text.split())


def page_texts(path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return [flat(page) for page in out.split("\f")[:-1]]


def sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def issue(lab, statement: str = LONG_STATEMENT, documents: int = 12):
    """A report issued by a supervisor (of two pages: a long statement and many
    documents), with the bytes of its PDF as issued."""
    sub = receive_stones(lab)
    stone = sub.stones[0].number
    login_as(lab, "tech")
    for index in range(documents):
        lab.add_evidence(stone, "sow_invoice", reference=f"INV-{index:04d}",
                         seller="Okavango Polished", issued_on="2026-10-01",
                         sow_statement=True)
    lab.propose_finding(stone, "non_russian", "BW", statement=statement)
    login_as(lab, "sup1")
    lab.approve(stone, "checked", password=PASSWORDS["sup1"])
    report = lab.issue_report(stone)
    return report, Path(report.pdf_path).read_bytes()


def revoke(lab, number, reason=REASON):
    login_as(lab, "sup2")
    return lab.revoke_report(number, reason, password=PASSWORDS["sup2"])


def test_a_revoked_reports_pdf_is_stamped_on_every_page(lab, tmp_path):
    report, issued = issue(lab)
    assert len(page_texts(report.pdf_path)) == 2
    assert lab.report_pdf(report.number) == report.pdf_path  # issued: the original
    assert not (lab.home / "cache").exists()
    revoked = revoke(lab, report.number)
    words = f"REVOKED on {revoked.withdrawn_at[:10]}: {REASON}"

    shown = lab.report_pdf(report.number)
    assert shown != report.pdf_path
    assert shown.parent == lab.home / "cache" / "stamped"
    pages = page_texts(shown)
    assert len(pages) == 2
    for page in pages:
        assert words in page
    assert f"Report number {report.number}" in pages[0]  # the report is all still there
    assert "End of report" in pages[1]

    saved = lab.report_pdf(report.number, tmp_path / "saved.pdf")
    assert saved.read_bytes() == shown.read_bytes()
    assert all(words in page for page in page_texts(saved))

    # the archive keeps the original, byte for byte, verifiable by its SHA-256
    assert Path(report.pdf_path).read_bytes() == issued
    assert sha(report.pdf_path) == lab.report(report.number).pdf_sha256
    original = lab.report_pdf(report.number, original=True)
    assert original == report.pdf_path and original.read_bytes() == issued
    copy = lab.report_pdf(report.number, tmp_path / "original.pdf", original=True)
    assert copy.read_bytes() == issued
    assert not any(words in page for page in page_texts(copy))
    assert lab.check().ok


def test_the_stamped_copy_still_reads_and_verifies_as_revoked(lab):
    report, _ = issue(lab, "Single-origin KP certificate from Botswana.", 0)
    revoke(lab, report.number)
    document = pypdfium2.PdfDocument(str(lab.report_pdf(report.number)))
    try:
        image = document[0].render(scale=150 / 72, grayscale=True).to_pil()
        metadata = document.get_metadata_dict()
    finally:
        document.close()
    [found] = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert found.text == report.qr_text
    assert lab.verify(found.text).status == "revoked"
    assert metadata["Title"] == f"Diamond Origin Report {report.number}"


def test_a_superseded_report_names_its_successor(lab):
    report, issued = issue(lab, "Single-origin KP certificate from Botswana.", 0)
    login_as(lab, "sup1")
    lab.reopen(report.stone, "Colour regraded after a second look.",
               password=PASSWORDS["sup1"])
    withdrawn = lab.report(report.number)
    pending = page_texts(lab.report_pdf(report.number))
    assert (f"SUPERSEDED on {withdrawn.withdrawn_at[:10]}: Colour regraded after a "
            f"second look. (a corrected report is pending)") in pending[0]
    approve_stone(lab, report.stone)
    login_as(lab, "sup1")
    successor = lab.issue_report(report.stone)
    shown = lab.report_pdf(report.number)
    [page] = page_texts(shown)
    assert (f"SUPERSEDED by {successor.number} on {successor.issued_at[:10]}: Colour "
            f"regraded after a second look.") in page
    # the copy made while the correction was pending is gone from the cache
    assert [p.name for p in shown.parent.iterdir()] == [shown.name]
    # the successor stands: its own PDF, unstamped
    assert lab.report_pdf(successor.number) == successor.pdf_path
    assert "SUPERSEDED" not in page_texts(successor.pdf_path)[0]
    assert Path(report.pdf_path).read_bytes() == issued


def test_a_cached_copy_altered_on_disk_is_made_again(lab):
    report, _ = issue(lab, "Single-origin KP certificate from Botswana.", 0)
    revoke(lab, report.number)
    shown = lab.report_pdf(report.number)
    good = shown.read_bytes()
    shown.chmod(0o644)
    shown.write_bytes(good.replace(b"REVOKED", b"REVIEWED"))
    again = lab.report_pdf(report.number)
    assert again.read_bytes() == good


def test_the_stamp_is_the_same_bytes_for_the_same_original_and_notice(lab):
    report, issued = issue(lab, "Single-origin KP certificate from Botswana.", 0)
    notice = stamp.withdrawal("revoked", "2026-12-01T09:30:00Z", REASON)
    assert stamp.stamp(issued, notice) == stamp.stamp(issued, notice)
    other = stamp.withdrawal("revoked", "2026-12-02T09:30:00Z", REASON)
    assert stamp.cache_key("a" * 64, notice) != stamp.cache_key("a" * 64, other)


@pytest.mark.parametrize("status, args, text", [
    ("issued", (None, None), None),
    ("revoked", ("2026-12-01T09:30:00Z", "  a  typo\n"), "REVOKED on 2026-12-01: a typo"),
    ("superseded", ("2026-12-01T09:30:00Z", "recut", "LD26-000124", "2026-12-03T10:00:00Z"),
     "SUPERSEDED by LD26-000124 on 2026-12-03: recut"),
    ("superseded", ("2026-12-01T09:30:00Z", "recut"),
     "SUPERSEDED on 2026-12-01: recut (a corrected report is pending)"),
])
def test_what_the_stamp_says(status, args, text):
    notice = stamp.withdrawal(status, *args)
    assert (notice.text if notice else None) == text


def test_a_pdf_that_cannot_be_read_is_an_integrity_error():
    from labdesk.errors import IntegrityError
    notice = stamp.withdrawal("revoked", "2026-12-01T09:30:00Z", REASON)
    with pytest.raises(IntegrityError, match="cannot be read to stamp it"):
        stamp.stamp(b"%PDF-1.4 not really", notice)


def test_the_command_line_writes_the_stamped_copy_or_the_original(lab, tmp_path):
    from click.testing import CliRunner

    from labdesk.cli import main
    report, issued = issue(lab, "Single-origin KP certificate from Botswana.", 0)
    revoked = revoke(lab, report.number)
    lab.close()
    runner = CliRunner(env={"LABDESK_USER": "sup1", "LABDESK_PASSWORD": PASSWORDS["sup1"]})
    stamped, original = tmp_path / "stamped.pdf", tmp_path / "original.pdf"
    for target, extra in ((stamped, []), (original, ["--original"])):
        result = runner.invoke(main, ["report", "pdf", "--home", str(lab.home),
                                      report.number, "-o", str(target), *extra])
        assert result.exit_code == 0, result.output
    assert original.read_bytes() == issued
    [page] = page_texts(stamped)
    assert f"REVOKED on {revoked.withdrawn_at[:10]}: {REASON}" in page
