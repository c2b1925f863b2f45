"""Intake labels on every stock a lab uses (issue 17, part 5): the label printers' rolls
(one label a page, the page exactly the label) and the A4 and Letter sheets (a grid).

Each sheet is rendered as a label printer prints it (203 and 300 dpi, thresholded to
black and white like a thermal head), every label's QR code is decoded, and the text is
read back with poppler's pdftotext: the stone number whole, and every word inside its
own label."""
from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape

import pypdfium2 as pdfium
import pytest
import zxingcpp
from click.testing import CliRunner
from PIL import Image
from reportlab.lib.units import inch, mm

from labdesk.cli import main
from labdesk.core.settings import DEFAULT_SETTINGS, LABEL_SIZES, label_size, parse_setting
from labdesk.errors import PermissionDenied, ValidationError
from labdesk.reports import labels
from support.homes import PASSWORDS, login_as

pytestmark = pytest.mark.skipif(not (shutil.which("pdftoppm") and shutil.which("pdftotext")),
                                reason="poppler-utils (pdftoppm, pdftotext) is needed")

LAB_NAME = "Antwerp Gemmological Laboratory of Excellence and Research"
#: Page sizes in points: rolls are one label, sheets the paper.
PAGES = {"62x29mm": (62 * mm, 29 * mm), "2x1in": (2 * inch, 1 * inch),
         "2.25x1.25in": (2.25 * inch, 1.25 * inch), "A4": (210 * mm, 297 * mm),
         "Letter": (8.5 * inch, 11 * inch)}
ROLLS = ("62x29mm", "2x1in", "2.25x1.25in")
DPIS = (203, 300)


def sample(count: int) -> list[labels.Label]:
    """``count`` labels, long values among them (a long reference, a long client)."""
    refs = ("PL-1", "A-VERY-LONG-CLIENT-REFERENCE-1234567890", "", "Ü-ß/7")
    clients = ("Gaborone Polished (Pty) Ltd", "X",
               "Antwerp World Diamond Traders and Polishers Cooperative NV")
    return [labels.Label(number=f"D{1000 + n:07d}", client_ref=refs[n % len(refs)],
                         weight=("0.40", "12.345", "1.00", "101.250")[n % 4],
                         client=clients[n % len(clients)], received="2026-03-14")
            for n in range(count)]


def count_for(size: str) -> int:
    """Enough labels for two pages and a part: a roll's third label, a sheet's
    second page."""
    return 3 if size in ROLLS else labels.stock(size).per_page + 5


def written(tmp_path, size: str, items: list[labels.Label]):
    path = tmp_path / f"labels-{size}.pdf"
    path.write_bytes(labels.build(items, LAB_NAME, size))
    return path


def page_sizes(path) -> list[tuple[float, float]]:
    document = pdfium.PdfDocument(str(path))
    try:
        return [document[i].get_size() for i in range(len(document))]
    finally:
        document.close()


def on_pages(size: str, items: list) -> list[list]:
    per = labels.stock(size).per_page
    return [items[i:i + per] for i in range(0, len(items), per)]


def rendered(path, dpi: int, out_dir) -> list[Image.Image]:
    """Each page as a label printer prints it: ``dpi`` dots an inch, each dot black or
    white."""
    prefix = out_dir / f"{path.stem}-{dpi}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(path), str(prefix)],
                   check=True)
    pages = sorted(out_dir.glob(f"{prefix.name}-*.png"),
                   key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return [Image.open(p).point(lambda v: 255 if v >= 128 else 0).convert("L")
            for p in pages]


def words(path) -> list[list[tuple[str, float, float, float, float]]]:
    """pdftotext's words on each page: (text, x0, y0, x1, y1) in points, y down."""
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        pages.append([(unescape(m.group(5)), *map(float, m.group(1, 2, 3, 4)))
                      for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" '
                                           r'xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                                           page)])
    return pages


# ---------------------------------------------------------------------- the stocks
def test_every_label_size_the_settings_allow_is_laid_out():
    assert set(labels.STOCKS) == set(LABEL_SIZES) == set(PAGES)


@pytest.mark.parametrize("size", list(PAGES))
def test_each_size_has_its_page_size_and_page_count(tmp_path, size):
    items = sample(count_for(size))
    path = written(tmp_path, size, items)
    sizes = page_sizes(path)
    assert len(sizes) == len(on_pages(size, items)) == (3 if size in ROLLS else 2)
    for width, height in sizes:
        assert width == pytest.approx(PAGES[size][0], abs=0.01)
        assert height == pytest.approx(PAGES[size][1], abs=0.01)


@pytest.mark.parametrize("size", list(PAGES))
def test_every_label_lies_on_its_page(size):
    """The grid fits the paper: every label (and a roll's one label) is wholly on the
    page, and no two labels overlap."""
    stock = labels.stock(size)
    page_w, page_h = stock.page
    boxes = []
    for index in range(stock.per_page):
        x, y = stock.slot(index)
        w, h = stock.label
        assert 0 <= x and x + w <= page_w + 0.01 and 0 <= y and y + h <= page_h + 0.01
        boxes.append((x, y, x + w, y + h))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] + 0.01 or b[2] <= a[0] + 0.01 or \
                a[3] <= b[1] + 0.01 or b[3] <= a[1] + 0.01


# ---------------------------------------------------------------------- QR codes
@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("size", list(PAGES))
def test_every_labels_qr_code_decodes_at_label_printer_resolution(tmp_path, size, dpi):
    items = sample(count_for(size))
    path = written(tmp_path, size, items)
    images = rendered(path, dpi, tmp_path)
    expected = on_pages(size, items)
    assert len(images) == len(expected)
    for image, page, page_words in zip(images, expected, words(path)):
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        assert sorted(f.text for f in found) == sorted(label.number for label in page)
        for code in found:   # no word is printed over a code
            corners = [code.position.top_left, code.position.top_right,
                       code.position.bottom_left, code.position.bottom_right]
            left, right = (f(c.x for c in corners) * 72 / dpi for f in (min, max))
            top, bottom = (f(c.y for c in corners) * 72 / dpi for f in (min, max))
            for text, x0, y0, x1, y1 in page_words:
                assert x1 <= left or right <= x0 or y1 <= top or bottom <= y0, \
                    f"{text!r} over the QR code of {code.text}"


# ---------------------------------------------------------------------- the text
@pytest.mark.parametrize("size", list(PAGES))
def test_the_text_is_whole_and_inside_its_label(tmp_path, size):
    """pdftotext finds each stone number whole, the weight and reference (a long one
    shortened with an ellipsis, never cut by the label's edge), and every word lies in
    its own label."""
    stock = labels.stock(size)
    items = sample(count_for(size))
    path = written(tmp_path, size, items)
    for page, page_words in zip(on_pages(size, items), words(path)):
        by_slot: dict[int, list[str]] = {}
        for text, x0, y0, x1, y1 in page_words:
            slot = None
            for index in range(len(page)):
                x, y = stock.slot(index)
                top = stock.page[1] - y - stock.label[1]   # pdftotext measures from the top
                if x <= x0 and x1 <= x + stock.label[0] and top <= y0 and \
                        y1 <= top + stock.label[1]:
                    slot = index
            assert slot is not None, f"{text!r} ({x0:.1f}, {y0:.1f}) outside every label"
            by_slot.setdefault(slot, []).append(text)
        for index, label in enumerate(page):
            found = by_slot[index]
            assert label.number in found, (size, label.number, found)
            assert f"{label.weight}" in found and "ct" in found
            line = " ".join(found)
            ref = label.client_ref or "—"
            assert f"Ref: {ref}" in line or (
                "…" in line and f"Ref: {ref[:8]}" in line), (size, line)
            assert "Laboratory" in line or "Antwerp" in line   # the lab, from the foot


def test_a_long_stone_number_is_never_shortened(tmp_path):
    """The number is what the envelope is found by: on the narrowest label a longer
    number's type shrinks instead."""
    items = [labels.Label("D123456789012", "R", "1.00", "C", "2026-03-14")]
    path = written(tmp_path, "2x1in", items)
    assert "D123456789012" in [w[0] for w in words(path)[0]]


def test_an_unknown_size_is_refused():
    with pytest.raises(ValidationError) as caught:
        labels.build(sample(1), LAB_NAME, "4x6in")
    assert caught.value.field == "size" and "62x29mm" in str(caught.value)


# ---------------------------------------------------------------------- the setting
def test_the_label_size_setting_is_checked_and_follows_the_paper_by_default():
    assert DEFAULT_SETTINGS["label_size"] is None
    assert label_size({"paper_size": "Letter", "label_size": None}) == "Letter"
    assert label_size({"paper_size": "A4", "label_size": "2x1in"}) == "2x1in"
    assert parse_setting("label_size", " 62 x 29 MM ") == "62x29mm"
    assert parse_setting("label_size", "letter") == "Letter"
    assert parse_setting("label_size", "") is None
    with pytest.raises(ValidationError) as caught:
        parse_setting("label_size", "4x6in")
    assert caught.value.field == "label_size"


def test_the_lab_prints_on_its_label_size_and_an_admin_sets_it(lab, sub, tmp_path):
    numbers = [s.number for s in sub.stones]
    default = lab.labels_pdf(numbers, tmp_path / "default.pdf")
    assert page_sizes(default) == [pytest.approx(PAGES["A4"], abs=0.01)]
    with pytest.raises(PermissionDenied):       # a technician may not set it
        lab.update_settings(label_size="62x29mm")
    login_as(lab, "admin")
    before = lab.audit_events(action="settings.set").total
    assert lab.update_settings(label_size="62x29mm")["label_size"] == "62x29mm"
    assert lab.audit_events(action="settings.set").total == before + 1
    roll = lab.labels_pdf(numbers, tmp_path / "roll.pdf")
    assert page_sizes(roll) == [pytest.approx(PAGES["62x29mm"], abs=0.01)] * 3
    one_off = lab.labels_pdf(numbers, tmp_path / "letter.pdf", size="Letter")
    assert page_sizes(one_off) == [pytest.approx(PAGES["Letter"], abs=0.01)]
    with pytest.raises(ValidationError):
        lab.labels_pdf(numbers, tmp_path / "bad.pdf", size="A5")
    assert not (tmp_path / "bad.pdf").exists()


def test_labdesk_labels_takes_a_size(lab, sub, tmp_path):
    numbers = [s.number for s in sub.stones]
    home = str(lab.home)
    lab.close()
    runner = CliRunner(env={"LABDESK_PASSWORD": PASSWORDS["tech"]})
    out = tmp_path / "cli.pdf"
    result = runner.invoke(main, ["labels", "--home", home, "--user", "tech", *numbers,
                                  "-o", str(out), "--size", "2.25x1.25in"])
    assert result.exit_code == 0, result.output
    assert page_sizes(out) == [pytest.approx(PAGES["2.25x1.25in"], abs=0.01)] * 3
    default = tmp_path / "default.pdf"
    result = runner.invoke(main, ["labels", "--home", home, "--user", "tech", *numbers,
                                  "-o", str(default)])
    assert result.exit_code == 0 and page_sizes(default) == [
        pytest.approx(PAGES["A4"], abs=0.01)]
    bad = runner.invoke(main, ["labels", "--home", home, "--user", "tech", *numbers,
                               "-o", str(tmp_path / "bad.pdf"), "--size", "4x6in"])
    assert bad.exit_code == 2 and "not a label size" in bad.output
    assert not (tmp_path / "bad.pdf").exists()
