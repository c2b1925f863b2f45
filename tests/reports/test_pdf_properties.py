"""The report PDF's document properties (issue 16, item 12): its creation date is the
report's issue, not reportlab's invariant 1 January 2000, and the same data still gives
the same bytes.  Read with poppler's pdfinfo, as a viewer's Properties dialog shows it,
and from the Info dictionary itself."""
import dataclasses
import re
import subprocess

import pytest

from labdesk.reports import pdf
from support.homes import login_as
from support.labs import approve_stone, receive_stones

DATA = pdf.ReportData(number="LD26-000042", issued_on="2026-11-29",
                      issued_at="2026-11-29T10:15:02.123456Z", lab_name="Test Gem Lab",
                      qr_text="LD1.eyJ0ZXN0IjoxfQ.c2lnbmF0dXJl")


def pdfinfo(path) -> dict:
    out = subprocess.run(["pdfinfo", "-isodates", str(path)], capture_output=True,
                         text=True, check=True).stdout
    pairs = (line.split(":", 1) for line in out.splitlines() if ":" in line)
    return {key: value.strip() for key, value in pairs}


def info_dates(data: bytes) -> tuple[str, str]:
    """(CreationDate, ModDate) as written in the Info dictionary."""
    [created] = re.findall(rb"/CreationDate \((D:[^)]*)\)", data)
    [modified] = re.findall(rb"/ModDate \((D:[^)]*)\)", data)
    return created.decode(), modified.decode()


def test_the_creation_date_is_the_moment_of_issue(tmp_path):
    data = pdf.build(DATA)
    assert info_dates(data) == ("D:20261129101502Z", "D:20261129101502Z")
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    info = pdfinfo(path)
    assert info["CreationDate"] == "2026-11-29T10:15:02Z"
    assert info["ModDate"] == "2026-11-29T10:15:02Z"


def test_the_same_data_gives_the_same_bytes_and_another_issue_another_date():
    assert pdf.build(DATA) == pdf.build(dataclasses.replace(DATA))
    later = pdf.build(dataclasses.replace(DATA, issued_on="2027-01-04",
                                          issued_at="2027-01-04T08:00:59Z"))
    assert info_dates(later) == ("D:20270104080059Z", "D:20270104080059Z")


def test_without_a_moment_the_issue_date_at_midnight_utc():
    data = pdf.build(dataclasses.replace(DATA, issued_at=""))
    assert info_dates(data)[0] == "D:20261129000000Z"


@pytest.mark.parametrize("moment", ["", "29/11/2026", "2026-11"])
def test_a_moment_that_is_not_a_date_is_refused(moment):
    with pytest.raises(ValueError, match="is not a date"):
        pdf.pdf_date(moment)


def test_an_issued_report_is_dated_when_it_was_issued(lab):
    sub = receive_stones(lab)
    stone = sub.stones[0].number
    approve_stone(lab, stone)
    login_as(lab, "sup1")
    report = lab.issue_report(stone)
    info = pdfinfo(report.pdf_path)
    assert info["CreationDate"] == report.issued_at[:19] + "Z"
    assert not info["CreationDate"].startswith("2000-01-01")
