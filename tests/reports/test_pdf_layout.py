"""The report's page layout: text flows onto further pages, every page has its footer,
nothing overlaps or leaves the page, a logo is drawn (pdftotext reads the PDF back)."""
import dataclasses
import io
import re
import subprocess
from html import unescape

import pytest
import zxingcpp
from PIL import Image

from labdesk.reports import pdf

NUMBER = "LD26-000042"
STATEMENT = ("The parcel arrived sealed with its single-origin Kimberley Process "
             "certificate from Botswana; the client's invoice carries the System of "
             "Warranties statement and the provenance platform links this polished "
             "stone to rough from the Jwaneng mine. ")
HEADINGS = ("Customer and item", "The stone", "Origin finding", "Evidence relied on",
            "Sanctions assessment when the finding was proposed", "Method", "Signatures")


def report_data(**changes) -> pdf.ReportData:
    data = pdf.ReportData(
        number=NUMBER, issued_on="2026-11-29", lab_name="Antwerp Origin Laboratory",
        lab_address="Pelikaanstraat 62\n2018 Antwerpen\nBelgium",
        accreditation="ISO/IEC 17025 accredited, BELAC 999-TEST",
        customer="Gaborone Polished (Pty) Ltd",
        customer_contact="Plot 113, Gaborone, Botswana, +267 390 0000",
        customer_ref="GP-1032", submission="SUB-000004",
        received_at="2026-11-21 12:15 UTC", work_dates="2026-11-21 to 2026-11-29",
        stone=[("Shape and cutting style", "Round brilliant"),
               ("Measurements", "6.41 - 6.45 x 3.95 mm"), ("Carat weight", "1.02 ct"),
               ("Colour grade", "F"), ("Clarity grade", "VS1"), ("Cut grade", "Excellent"),
               ("Polish", "Excellent"), ("Symmetry", "Very good"),
               ("Fluorescence", "None"), ("Inscription", "None")],
        identification="Natural", origin="Not of Russian origin",
        mining_country="Botswana (BW)", statement=STATEMENT,
        evidence=[("Kimberley Process certificate (parcel)", "BW0012345",
                   "Botswana KP Authority", "2026-10-01", "12bd5bd24e61")],
        assessments=[("EU", "clear; not in scope on 2026-11-29 under ruleset EU 2026.1")],
        proposed=("Tom Technician", "2026-11-29 10:15 UTC"),
        approved=("Sue Supervisor", "2026-11-29 11:02 UTC", "checked"),
        issued_by=("Sue Supervisor", "2026-11-29 11:05 UTC"),
        qr_text="https://verify.example.org/lab/#LD1.eyJ0ZXN0IjoxfQ.c2lnbmF0dXJl",
        verify_url="https://verify.example.org/lab/", method="Weighed and graded.")
    return dataclasses.replace(data, **changes)


def write(tmp_path, data, name="report.pdf"):
    path = tmp_path / name
    path.write_bytes(pdf.build(data))
    return path


def page_texts(path) -> list[str]:
    """Each page's text (pdftotext -layout; pages are separated by form feeds)."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return out.split("\f")[:-1]


def page_words(path):
    """Per page: (width, height, [(x0, y0, x1, y1, word)]) from pdftotext -bbox."""
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = []
    for width, height, body in re.findall(
            r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.DOTALL):
        width, height = float(width), float(height)
        words = [(float(a), float(b), float(c), float(d), unescape(w)) for a, b, c, d, w in
                 re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                            r'yMax="([\d.]+)">(.*?)</word>', body)]
        pages.append((width, height, words))
    return pages


def flat(text: str) -> str:
    return " ".join(text.split())


def assert_tidy(path):
    """No word leaves the margins (14 mm at the sides and top, 20 mm at the bottom, where
    only the footer is) or overlaps another word."""
    mm = 72 / 25.4
    margin = 14 * mm - 0.5
    pages = page_words(path)
    assert pages and len(pages) == len(page_texts(path))
    for number, (width, height, words) in enumerate(pages, 1):
        assert words, f"page {number} is empty"
        for x0, y0, x1, y1, word in words:
            assert margin <= x0 and x1 <= width - margin, (number, word, x0, x1)
            in_body = margin <= y0 and y1 <= height - 20 * mm + 2
            in_footer = height - 15 * mm <= y0 and y1 <= height - 10 * mm
            assert in_body or in_footer, (number, word, y0, y1)
        boxes = sorted(words)
        for i, (ax0, ay0, ax1, ay1, a) in enumerate(boxes):
            for bx0, by0, bx1, by1, b in boxes[i + 1:]:
                if bx0 >= ax1:
                    break
                # text boxes include the descent: lines 11 pt apart touch by ~0.1 pt
                overlap_x = min(ax1, bx1) - max(ax0, bx0)
                overlap_y = min(ay1, by1) - max(ay0, by0)
                assert overlap_x <= 0.5 or overlap_y <= 1.0, (number, a, b)


def test_a_short_report_has_everything_and_is_tidy(tmp_path):
    path = write(tmp_path, report_data())
    pages = page_texts(path)
    text = flat(" ".join(pages))
    for needed in ("Diamond Origin Report", "Antwerp Origin Laboratory",
                   "Pelikaanstraat 62", "ISO/IEC 17025", f"Report number {NUMBER}",
                   "Date of issue 2026-11-29",
                   *HEADINGS, "Not of Russian origin", "Country of mining: Botswana (BW)",
                   "Scan to verify this report's signed claim", "Printed name",
                   "Date and time (UTC)", "Approval of the origin finding", "How to verify",
                   "relate only to the item tested", "— End of report —",
                   "May not be reproduced except in full.", "Scan SHA-256"):
        assert needed in text, needed
    assert flat(STATEMENT) in text
    assert_tidy(path)


def test_a_very_long_statement_flows_onto_a_second_page(tmp_path):
    path = write(tmp_path, report_data(statement=STATEMENT * 12))
    pages = page_texts(path)
    assert len(pages) == 2
    assert "Page 1 of 2" in pages[0] and "Page 2 of 2" in pages[1]
    assert "End of report" in pages[1] and "End of report" not in pages[0]
    # every word of the statement is printed, none twice
    reading = subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                             text=True, check=True).stdout  # reading order, not -layout
    assert flat(reading).count("Jwaneng mine") == 12
    assert_tidy(path)
    # the QR code stays readable on the first page
    picture = tmp_path / "page"
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(path),
                    str(picture)], check=True)
    found = zxingcpp.read_barcodes(Image.open(next(tmp_path.glob("page*.png"))))
    assert [r.text for r in found] == [report_data().qr_text]


def test_every_page_has_the_report_number_in_its_footer(tmp_path):
    evidence = [("Kimberley Process certificate (parcel)", f"BW00{i:05d}",
                 "Botswana Kimberley Process Authority, Ministry of Minerals and Energy",
                 "2026-10-01", "0a1b2c3d4e5f, 112233445566") for i in range(60)]
    path = write(tmp_path, report_data(statement=STATEMENT * 20, evidence=evidence))
    pages = page_texts(path)
    assert len(pages) >= 3
    for number, text in enumerate(pages, 1):
        footer = text.strip().splitlines()[-1]
        assert f"Diamond Origin Report {NUMBER}" in footer, number
        assert "May not be reproduced except in full." in footer, number
        assert f"Page {number} of {len(pages)}" in footer, number
    all_text = flat(" ".join(pages))
    assert all(f"BW00{i:05d}" in all_text for i in range(60))
    assert "End of report" in pages[-1]
    assert_tidy(path)


def test_headings_are_not_left_alone_and_the_signatures_stay_with_the_end(tmp_path):
    # statements of many lengths move the page break through every part of the page
    for repeat in range(14):
        path = write(tmp_path, report_data(statement=STATEMENT * repeat,
                                           evidence=report_data().evidence * 6),
                     f"r{repeat}.pdf")
        pages = page_texts(path)
        for number, text in enumerate(pages, 1):
            lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
            body = lines[:-1]  # the last line is the footer
            assert body and body[-1] not in HEADINGS, (repeat, number, body[-1:])
        signed = [n for n, text in enumerate(pages) if "Printed name" in text]
        ended = [n for n, text in enumerate(pages) if "End of report" in text]
        # the signatures stay together on one page, the end mark is on the last
        assert len(signed) == 1 and ended == [len(pages) - 1], repeat
        assert signed[0] >= len(pages) - 2, repeat


def test_long_values_wrap_inside_their_columns(tmp_path):
    long_word = "BW" + "0123456789" * 6  # no space to break at
    data = report_data(
        customer="Société Anonyme des Diamantaires Réunis d'Anvers et de Ramat Gan "
                 "(Holding)",
        lab_name="Antwerp Origin Laboratory for Diamonds and Coloured Gemstones of the "
                 "Kingdom of Belgium",
        evidence=[("Kimberley Process certificate (parcel)", long_word,
                   ("Botswana Kimberley Process Authority, Ministry of Minerals and "
                    "Energy, Gaborone"), "2026-10-01", "0a1b2c3d4e5f, 112233445566")],
        approved=("Sue Marchetti-Okonkwo van der Berghe de la Tour d'Auvergne",
                  "2026-11-29 11:02 UTC", ""))
    path = write(tmp_path, data)
    text = "".join(flat(page) for page in page_texts(path))
    assert "(Holding)" in text and "Gemstones of the" in text and "Auvergne" in text
    assert "Gaborone" in text
    # the unbreakable reference is split over lines, every character kept
    (_, _, words), = page_words(path)
    pieces = sorted((y0, word) for x0, y0, x1, y1, word in words
                    if word.startswith(("BW0", "0", "1", "2", "3", "4", "5", "6", "7", "8",
                                        "9")) and word in long_word and len(word) > 4)
    assert len(pieces) > 1 and "".join(word for _, word in pieces) == long_word
    assert_tidy(path)


def test_a_logo_is_drawn(tmp_path):
    logo = io.BytesIO()
    Image.new("RGB", (120, 40), (15, 92, 140)).save(logo, "PNG")
    with_logo = pdf.build(report_data(logo=logo.getvalue()))
    assert b"/Subtype /Image" in with_logo
    assert b"/Subtype /Image" not in pdf.build(report_data())
    assert pdf.build(report_data(logo=logo.getvalue())) == with_logo
    path = tmp_path / "logo.pdf"
    path.write_bytes(with_logo)
    assert_tidy(path)


def test_a_logo_that_does_not_load_is_left_out(tmp_path):
    data = report_data(logo=b"not an image")
    assert b"/Subtype /Image" not in pdf.build(data)


@pytest.mark.parametrize("paper, size", [("A4", (595.28, 841.89)), ("Letter", (612, 792))])
def test_paper_size(tmp_path, paper, size):
    path = write(tmp_path, report_data(paper_size=paper, statement=STATEMENT * 4))
    pages = page_words(path)
    assert all((round(w, 2), round(h, 2)) == size for w, h, _ in pages)
    assert_tidy(path)


def test_nothing_optional_is_printed_when_absent(tmp_path):
    data = report_data(lab_address="", accreditation="", mining_country="", statement="",
                       evidence=[], assessments=[], supersedes="", verify_url="")
    text = flat(" ".join(page_texts(write(tmp_path, data))))
    assert "No documentary evidence was submitted with this stone." in text
    assert "Sanctions assessment" not in text and "Country of mining" not in text
    assert "supersedes" not in text and "End of report" in text


def test_a_superseding_report_says_so(tmp_path):
    path = write(tmp_path, report_data(supersedes="LD26-000001"))
    text = flat(" ".join(page_texts(path)))
    assert "This report supersedes report LD26-000001, which is withdrawn." in text


def test_the_report_prints_each_scans_whole_digest_and_the_approvers_comment(tmp_path):
    """Issue 16, items 12 and 20: the README promises the SHA-256 of each scan, and the
    approval is printed with the approver's comment."""
    import tempfile
    from pathlib import Path

    from labdesk.demo import DEMO_USERS, build_demo
    lab = build_demo(Path(tempfile.mkdtemp(dir=tmp_path)) / "lab")
    try:
        lab.login("sue", DEMO_USERS["sue"][2])
        report = next(r for r in lab.reports(status="issued", limit=50).items
                      if any(e.attachments for e in lab.stone_detail(r.stone).evidence))
        finding = lab.finding(report.stone)
        digests = [a.sha256 for e in lab.stone_detail(report.stone).evidence
                   for a in e.attachments if e.id in finding.evidence_ids]
        pdf = lab.report_pdf(report.number, tmp_path / "r.pdf")
    finally:
        lab.close()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                          text=True).stdout
    # a digest wraps over two lines of its cell: join the runs of hex digits in order
    hex_runs = "".join(w for w in text.split() if re.fullmatch(r"[0-9a-f]{8,64}", w))
    assert digests and all(d in hex_runs for d in digests)
    assert finding.decision_comment and " ".join(finding.decision_comment.split()) in \
        " ".join(text.split())
