"""The Diamond Origin Report as a PDF (reportlab).

Carries every item ISO/IEC 17025 clause 7.8.2.1 asks of a report (domain.md section 8):
title, the lab's name and address, a unique number on every page with "page N of M" and
an end mark, the customer, the method, the item and its condition, the dates received,
worked on and issued, "results relate only to the item tested", the results with units,
who authorised the report (their signature's printed name, time and meaning), and the
signed QR code.  The same data gives the same bytes (reportlab's invariant mode).

The page is drawn straight on a reportlab ``Canvas``: platypus (Tables of Paragraphs)
cost about three times as much for the same page.  Building a report takes two passes:

1. *layout*: the content becomes a list of units (a heading, a table row, a line of a
   paragraph, the origin finding beside its QR code...), each a height and the text,
   rules and pictures it draws relative to its top; units are then placed on pages,
   top to bottom, breaking to a new page when the next unit (with the units it must be
   kept with) would pass the bottom margin;
2. *drawing*: knowing the number of pages, each page's rules, pictures and text (one
   text object a page) are drawn, with the footer "Page N of M".

Text is wrapped here (``_wrap``, with the fonts' ``stringWidth``): at spaces, and a word
wider than its column is broken between characters, so long values wrap and are never
clipped.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from functools import partial

from qrcode.constants import ERROR_CORRECT_L, ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfgen.canvas import Canvas

from labdesk.reports import qr

INK = colors.HexColor("#1d2733")
MUTED = colors.HexColor("#5b6775")
RULE = colors.HexColor("#c9d1da")
ACCENT = colors.HexColor("#0f5c8c")
# The report's QR code (issue 16, item 8).  Its modules are printed 0.6 mm wide whatever
# the text's length, so the code grows with the verify URL instead of its modules
# shrinking: 0.6 mm is 3.5 pixels at 150 dpi, and zxing-cpp reads the code after a
# 150-dpi render blurred by 1.5 pixels (1 pixel needs 0.46 mm, 1.5 pixels 0.56 mm) and
# after a 300-dpi photocopy (JPEG at quality 40, thresholded); see
# tests/reports/test_qr_robustness.py.  Error correction M (15 % of the codewords may be
# lost): a report is handled, folded, stamped and photographed under shop lights, where L
# (7 %) forgives little, while Q or H would make a 400-character code 58 or 65 mm wide.
# Blur is a matter of module size, not of the level: L, M and Q all need about 0.46 mm.
# Codes are 46 mm (a bare token) to 51 mm (a 70-character verify URL) wide.  A text too
# long for M within QR_LARGEST (a verify URL of more than about 170 characters) falls
# back to L; longer still, the modules shrink to fit.
QR_MODULE = 0.6 * mm
QR_SMALLEST = 32 * mm       # at least 30 mm: phones read it at arm's length
QR_LARGEST = 56 * mm


@dataclass
class ReportData:
    """Everything printed on a report, as text (the facade assembles it)."""
    number: str
    issued_on: str                      # YYYY-MM-DD
    lab_name: str
    issued_at: str = ""                 # the moment of issue, UTC ISO-8601 (the PDF's date)
    lab_address: str = ""
    accreditation: str = ""
    logo: bytes | None = None
    paper_size: str = "A4"
    customer: str = ""
    customer_contact: str = ""
    customer_ref: str = ""
    submission: str = ""
    received_at: str = ""
    work_dates: str = ""
    stone: list[tuple[str, str]] = field(default_factory=list)   # (label, value)
    identification: str = ""
    origin: str = ""
    mining_country: str = ""
    statement: str = ""
    evidence: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    assessments: list[tuple[str, str]] = field(default_factory=list)
    proposed: tuple[str, str] = ("", "")        # (name, time)
    approved: tuple[str, str, str] = ("", "", "")  # (name, time, comment)
    issued_by: tuple[str, str] = ("", "")
    qr_text: str = ""
    verify_url: str = ""
    supersedes: str = ""
    method: str = ""


# -- the page's geometry and type ---------------------------------------------------------

MARGIN = 14 * mm            # left, right and top
BOTTOM = 20 * mm            # the body stops here; the footer sits below
FOOTER_RULE = 15 * mm
FOOTER_TEXT = 11 * mm
PAD = 1.8                   # a table cell's top and bottom padding
CELL_PAD = 3                # a table cell's left and right padding


class _Style:
    """A font, its size, leading and colour; ``width(text)`` is the text's width.

    Widths are remembered (``widths``, a few thousand at most): the labels, headings,
    the method and the closing text are the same words on every report."""
    __slots__ = ("font", "size", "leading", "color", "widths", "_measure")

    def __init__(self, font: str, size: float, leading: float, color):
        self.font, self.size, self.leading, self.color = font, size, leading, color
        self.widths: dict[str, float] = {}
        self._measure = partial(getFont(font).stringWidth, size=size)

    def width(self, text: str) -> float:
        wide = self.widths.get(text)
        if wide is None:
            if len(self.widths) >= 4096:
                self.widths.clear()
            wide = self.widths[text] = self._measure(text)
        return wide


BODY = _Style("Helvetica", 8.6, 11, INK)
SMALL = _Style("Helvetica", 7.2, 9, MUTED)
LABEL = _Style("Helvetica", 7.4, 9.5, MUTED)
VALUE = _Style("Helvetica-Bold", 8.6, 11, INK)
H2 = _Style("Helvetica-Bold", 9.5, 12, ACCENT)
H2_BEFORE, H2_AFTER = 5, 2
TITLE = _Style("Helvetica-Bold", 17, 21, INK)
LAB = _Style("Helvetica-Bold", 12, 15, INK)
FINDING = _Style("Helvetica-Bold", 13, 16, ACCENT)
CAPTION = _Style("Helvetica", 7.4, 9, INK)
NUMBER = _Style("Helvetica-Bold", 8, 9.6, INK)      # the report number under the QR code
END = _Style("Helvetica-Bold", 8, 11, MUTED)
FOOTER = _Style("Helvetica", 7, 8.4, MUTED)


def _wrap(text: str, style: _Style, width: float) -> list[str]:
    """``text`` as lines no wider than ``width``: runs of white space are one space, a
    newline starts a line, and a word wider than the column is broken between
    characters (as platypus' Paragraph does)."""
    measure = style.width
    space = measure(" ")
    lines: list[str] = []
    for part in (text or "").split("\n"):
        line: list[str] = []
        used = 0.0
        for word in part.split():
            wide = measure(word)
            if line and used + space + wide <= width:
                line.append(word)
                used += space + wide
                continue
            if line:
                lines.append(" ".join(line))
            if wide > width:
                pieces = _break_word(word, measure, width)
                lines.extend(pieces[:-1])
                word = pieces[-1]
                wide = measure(word)
            line, used = [word], wide
        lines.append(" ".join(line))
    return lines


def _break_word(word: str, measure, width: float) -> list[str]:
    pieces, current, used = [], "", 0.0
    for char in word:
        wide = measure(char)
        if current and used + wide > width:
            pieces.append(current)
            current, used = "", 0.0
        current += char
        used += wide
    pieces.append(current)
    return pieces


# -- layout: units ----------------------------------------------------------------------

class _Unit:
    """Something placed on a page as one piece, ``h`` points tall.

    ``texts`` are (style, x, dy, text) with ``dy`` the baseline below the unit's top;
    ``rules`` (line width, colour, x1, x2, dy) horizontal lines; ``pictures`` ("qr",
    text, x, dy, size, error level) or ("image", reader, x, dy, w, h) with ``dy`` their
    lower edge.
    ``keep``: on the same page as the next unit.  ``space``: vertical space, dropped
    at the top of a page.  ``extent``: how far below its top the unit draws when that
    is more than ``h`` (the QR code beside the finding: the units after it flow beside
    it until a ``clear`` unit, which moves below it).  ``header``: the table header
    drawn again above this row when the row starts a new page.
    """
    __slots__ = ("h", "texts", "rules", "pictures", "keep", "space", "extent", "clear",
                 "header")

    def __init__(self, h: float, texts=None, rules=None, pictures=None, keep=False,
                 space=False):
        self.h = h
        self.texts = texts if texts is not None else []
        self.rules = rules if rules is not None else []
        self.pictures = pictures if pictures is not None else []
        self.keep, self.space = keep, space
        self.extent = 0.0
        self.clear = False
        self.header = None


def _space(h: float, keep: bool = False) -> _Unit:
    return _Unit(h, keep=keep, space=True)


def _heading(text: str, x: float, width: float) -> list[_Unit]:
    """A section heading: space before it (not at the top of a page), and kept with
    what follows."""
    lines = _wrap(text, H2, width)
    texts = [(H2, x, -(H2.size + i * H2.leading), line) for i, line in enumerate(lines)]
    return [_space(H2_BEFORE, keep=True),
            _Unit(len(lines) * H2.leading + H2_AFTER, texts, keep=True)]


def _paragraph(text: str, style: _Style, x: float, width: float,
               align: str = "left") -> list[_Unit]:
    """One unit a line, so a paragraph can break across pages (never leaving its first
    line alone at the bottom of one)."""
    units = []
    for line in _wrap(text, style, width):
        if align == "center":
            at = x + (width - style.width(line)) / 2
        else:
            at = x
        units.append(_Unit(style.leading, [(style, at, -style.size, line)]))
    if len(units) > 1:
        units[0].keep = True
    return units


def _cell_lines(value: str, style: _Style, width: float) -> list[str]:
    text = value or ""
    if "\n" not in text and style.width(text) <= width:
        return [text]
    return _wrap(text, style, width)


def _row(values, styles, widths, x: float, rule: tuple, area: float) -> list[_Unit]:
    """A table row (text at the top of each cell, a rule below).  A row taller than half
    a page (hardly ever) is cut into pieces of an eighth of a page, which flow on like
    a paragraph's lines (so a heading or a table header is never left alone above
    it)."""
    cells = []
    at = x
    for value, style, wide in zip(values, styles, widths):
        cells.append((style, at + CELL_PAD, _cell_lines(value, style, wide - 2 * CELL_PAD)))
        at += wide
    right = at
    height = max(len(lines) * style.leading for style, _, lines in cells) + 2 * PAD
    if height <= area / 2:
        pieces = [cells]
    else:
        pieces = []
        while any(lines for _, _, lines in cells):
            counts = [max(1, int(area / 8 // s.leading)) for s, _, _ in cells]
            pieces.append([(s, cx, lines[:n]) for (s, cx, lines), n in zip(cells, counts)])
            cells = [(s, cx, lines[n:]) for (s, cx, lines), n in zip(cells, counts)]
    units = []
    for index, piece in enumerate(pieces):
        first, last = index == 0, index == len(pieces) - 1
        top = PAD if first else 0.0
        texts = []
        tallest = 0.0
        for style, cx, lines in piece:
            tallest = max(tallest, len(lines) * style.leading)
            for i, line in enumerate(lines):
                if line:
                    texts.append((style, cx, -(top + style.size + i * style.leading), line))
        h = top + max(tallest, min(s.leading for s, _, _ in piece)) + (PAD if last else 0.0)
        units.append(_Unit(h, texts, [(rule[0], rule[1], x, right, -h)] if last else []))
    return units


def _grid(rows, widths, x: float, area: float, styles=None, header=None) -> list[_Unit]:
    """A ruled table: a thin rule under each row, a dark one under the header (which
    is drawn again at the top of a page the table continues on)."""
    styles = styles or [BODY] * len(widths)
    units = []
    head = None
    if header:
        head = _row(header, [LABEL] * len(widths), widths, x, (0.8, INK), area)[0]
        head.keep = True
        units.append(head)
    for values in rows:
        for unit in _row(values, styles, widths, x, (0.3, RULE), area):
            unit.header = head
            units.append(unit)
    return units


def _pairs(pairs, x: float, width: float, area: float) -> list[_Unit]:
    """Label/value pairs in two columns of two."""
    cells = [(label, value or "—") for label, value in pairs]
    if len(cells) % 2:
        cells.append(("", ""))
    rows = [(*cells[i], *cells[i + 1]) for i in range(0, len(cells), 2)]
    half = width / 2
    return _grid(rows, [half * 0.38, half * 0.62, half * 0.38, half * 0.62], x, area,
                 styles=[LABEL, VALUE, LABEL, VALUE])


def _lab_header(data: ReportData, x: float, width: float) -> _Unit:
    """The lab's name, address and accreditation, the logo at the right, a blue rule."""
    texts = []
    y = -3.0  # the top padding of the table this used to be
    column = width - 45 * mm
    for text, style in ((data.lab_name, LAB), (data.lab_address, SMALL),
                        (data.accreditation, SMALL)):
        if not text and style is SMALL:
            continue
        for line in _wrap(text, style, column):
            texts.append((style, x, y - style.size, line))
            y -= style.leading
    left = -3.0 - y
    pictures = []
    logo_h = 0.0
    logo = _logo(data.logo) if data.logo else None
    if logo is not None:
        reader, w, h = logo
        scale = min(40 * mm / w, 18 * mm / h)
        logo_w, logo_h = w * scale, h * scale
        pictures.append(("image", reader, x + width - logo_w, -3.0 - logo_h, logo_w,
                         logo_h))
    h = max(left, logo_h) + 3 + 6
    return _Unit(h, texts, [(1.2, ACCENT, x, x + width, -h)], pictures)


_LOGOS: dict[bytes, tuple | None] = {}


def _logo(logo: bytes):
    """(ImageReader, width, height) of the lab's logo, or None when it does not load (a
    logo that does not load must not stop a report).  The decoded logo is kept: it is
    the same on every report of the lab."""
    if logo in _LOGOS:
        return _LOGOS[logo]
    try:
        reader = ImageReader(io.BytesIO(logo))
        w, h = reader.getSize()
        reader.getRGBData()  # decoded now: a broken logo fails here, not mid-page
        found = (reader, w, h) if w > 0 and h > 0 else None
    except Exception:
        found = None
    if len(_LOGOS) >= 4:
        _LOGOS.clear()
    _LOGOS[logo] = found
    return found


def _title(data: ReportData, x: float, width: float) -> _Unit:
    """"Diamond Origin Report", and the number and date of issue at the right, both
    centred on the row's middle."""
    left_w, right_w = width * 0.58, width * 0.42
    title = _wrap("Diamond Origin Report", TITLE, left_w)
    facts = _wrap(f"Report number {data.number}", VALUE, right_w) + \
        _wrap(f"Date of issue {data.issued_on}", VALUE, right_w)
    tall_left, tall_right = len(title) * TITLE.leading, len(facts) * VALUE.leading
    h = max(tall_left, tall_right) + 6
    texts = []
    for lines, style, at, tall in ((title, TITLE, x, tall_left),
                                   (facts, VALUE, x + left_w, tall_right)):
        top = -(h - tall) / 2
        for i, line in enumerate(lines):
            texts.append((style, at, top - style.size - i * style.leading, line))
    return _Unit(h, texts)


def qr_geometry(text: str) -> tuple[int, float]:
    """The report's QR code for ``text``: its error correction level and its printed
    size in points, quiet zone included (see QR_MODULE)."""
    for error in (ERROR_CORRECT_M, ERROR_CORRECT_L):
        size = qr.side(text, error) * QR_MODULE
        if size <= QR_LARGEST:
            return error, max(size, QR_SMALLEST)
    return ERROR_CORRECT_L, QR_LARGEST


def _finding(data: ReportData, x: float, width: float) -> list[_Unit]:
    """The origin finding (heading, finding, country of mining, statement) with the QR
    code, the report number and "Scan to verify…" beside it.  The statement flows a
    line at a time, so a long one continues on the next page."""
    error, size = qr_geometry(data.qr_text)
    column = width - size - 8 * mm
    texts = []
    y = -3.0
    for line in _wrap("Origin finding", H2, column):
        texts.append((H2, x, y - H2.size, line))
        y -= H2.leading
    y -= H2_AFTER
    for line in _wrap(data.origin, FINDING, column):
        texts.append((FINDING, x, y - FINDING.size, line))
        y -= FINDING.leading
    if data.mining_country:
        for line in _wrap(f"Country of mining: {data.mining_country}", VALUE, column):
            texts.append((VALUE, x, y - VALUE.size, line))
            y -= VALUE.leading
    if data.statement:
        y -= 1.5 * mm
    # the QR code, centred in its column, the number under it, then the caption
    right_x = x + column
    right_w = size + 8 * mm
    qr_x = right_x + (right_w - size) / 2
    pictures = [("qr", data.qr_text, qr_x, -3.0 - size, size, error)]
    texts.append((NUMBER, qr_x + (size - NUMBER.width(data.number)) / 2,
                  -3.0 - size - 9, data.number))
    r = -3.0 - size - 11
    for line in _wrap("Scan to verify this report's signed claim", CAPTION, right_w):
        texts.append((CAPTION, right_x + (right_w - CAPTION.width(line)) / 2,
                      r - CAPTION.size, line))
        r -= CAPTION.leading
    block = _Unit(-y, texts, pictures=pictures, keep=True)
    block.extent = -r
    units = [block]
    if data.statement:
        units += _paragraph(data.statement, BODY, x, column)
    end = _Unit(3)
    end.clear = True
    units.append(end)
    return units


def _units(data: ReportData, width: float, area: float) -> list[_Unit]:
    """The report's content, top to bottom."""
    x = MARGIN
    units = [_lab_header(data, x, width), _space(4 * mm), _title(data, x, width),
             _space(2 * mm)]
    if data.supersedes:
        units += _paragraph(f"This report supersedes report {data.supersedes}, which is "
                            f"withdrawn.", VALUE, x, width)

    units += _heading("Customer and item", x, width)
    units += _pairs([("Customer", data.customer),
                     ("Customer contact", data.customer_contact),
                     ("Customer reference", data.customer_ref),
                     ("Submission", data.submission),
                     ("Item received", data.received_at),
                     ("Dates of examination", data.work_dates)], x, width, area)

    units += _heading("The stone", x, width)
    units += _pairs(list(data.stone) + [("Identification", data.identification)],
                    x, width, area)

    units += _finding(data, x, width)

    units += _heading("Evidence relied on", x, width)
    if data.evidence:
        units += _grid(data.evidence,
                       [width * 0.21, width * 0.14, width * 0.18, width * 0.10,
                        width * 0.37], x, area,
                       header=["Document", "Reference", "Issuer", "Date", "Scan SHA-256"])
    else:
        units += _paragraph("No documentary evidence was submitted with this stone.",
                            BODY, x, width)
    if data.assessments:
        units += _heading("Sanctions assessment when the finding was proposed", x, width)
        units += _grid(data.assessments, [width * 0.2, width * 0.8], x, area)

    units += _heading("Method", x, width)
    units += _paragraph(data.method, BODY, x, width)

    # the signatures stay together on one page, and so does the closing text
    signatures = _heading("Signatures", x, width)
    signatures += _grid([
        ("Finding proposed by", data.proposed[0], data.proposed[1], "Authorship"),
        ("Authorised by", data.approved[0], data.approved[1],
         "Approval of the origin finding" +
         (f": \u201c{data.approved[2]}\u201d" if data.approved[2] else "")),
        ("Report issued by", data.issued_by[0], data.issued_by[1], "Issue"),
    ], [width * 0.2, width * 0.28, width * 0.24, width * 0.28], x, area,
        header=["Signature", "Printed name", "Date and time (UTC)", "Meaning"])
    if sum(unit.h for unit in signatures) <= area:
        for unit in signatures[:-1]:
            unit.keep = True
    units += signatures
    closing = []
    how = ("How to verify: scan the QR code with a phone camera" +
           (f" (it opens {data.verify_url})" if data.verify_url else "") +
           ", or run 'labdesk verify' with the lab's public key. The code carries the "
           "report's facts signed with the lab's Ed25519 key: any change to them, or a "
           "code copied from another report, fails the check.")
    closing.append(_space(2 * mm))
    closing += _paragraph(how, SMALL, x, width)
    closing += _paragraph("The results relate only to the item tested, as received. This "
                          "report may not be reproduced except in full without the "
                          "written approval of the laboratory.", SMALL, x, width)
    closing.append(_space(2 * mm))
    closing += _paragraph("— End of report —", END, x, width, align="center")
    if sum(unit.h for unit in closing) <= area:
        for unit in closing[:-1]:
            unit.keep = True
    units += closing
    return units


# -- layout: pages ----------------------------------------------------------------------

class _Page:
    __slots__ = ("texts", "rules", "pictures")

    def __init__(self):
        self.texts, self.rules, self.pictures = [], [], []


def _paginate(units: list[_Unit], top: float, bottom: float) -> list[_Page]:
    """Place the units on pages, top to bottom."""
    area = top - bottom
    pages = [_Page()]
    page = pages[0]
    y = top
    floor = top           # the lowest point drawn by a unit with an extent
    at_top = True
    count = len(units)

    def place(unit: _Unit, y: float) -> None:
        for style, x, dy, text in unit.texts:
            page.texts.append((style, x, y + dy, text))
        for width, colour, x1, x2, dy in unit.rules:
            page.rules.append((width, colour, x1, x2, y + dy))
        for picture in unit.pictures:
            page.pictures.append((*picture[:3], y + picture[3], *picture[4:]))

    for i, unit in enumerate(units):
        if unit.space and at_top:
            continue
        if unit.clear:
            y = min(y, floor) - unit.h
            continue
        need = max(unit.h, unit.extent)
        chain, j = need, i
        while units[j].keep and j + 1 < count:  # the units it is kept with
            j += 1
            chain += units[j].h
        if chain > area:                          # cannot all go on one page
            chain = need + (units[i + 1].h if unit.keep and i + 1 < count else 0)
        if chain > y - bottom and not at_top:
            page = _Page()
            pages.append(page)
            y, floor, at_top = top, top, True
            if unit.space:
                continue
            if unit.header is not None:
                place(unit.header, y)
                y -= unit.header.h
        place(unit, y)
        if unit.extent:
            floor = min(floor, y - unit.extent)
        y -= unit.h
        at_top = False
    return pages


# -- drawing ----------------------------------------------------------------------------

def build(data: ReportData) -> bytes:
    """The report's PDF bytes."""
    pagesize = LETTER if data.paper_size == "Letter" else A4
    page_w, page_h = pagesize
    width = page_w - 2 * MARGIN
    top = page_h - MARGIN
    pages = _paginate(_units(data, width, top - BOTTOM), top, BOTTOM)

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=pagesize, invariant=1)
    # invariant mode dates every PDF 1 January 2000; the document properties' creation
    # (and modification) date is the report's issue, which is part of its data
    stamp = pdf_date(data.issued_at or data.issued_on)
    canvas.setDateFormatter(lambda *_: stamp)
    canvas.setTitle(f"Diamond Origin Report {data.number}")
    canvas.setAuthor(data.lab_name)
    canvas.setSubject("Diamond Origin Report")
    canvas.setCreator("LabDesk")
    total = len(pages)
    left_text = f"Diamond Origin Report {data.number}"
    centre_text = "May not be reproduced except in full."
    centre_x = page_w / 2 - FOOTER.width(centre_text) / 2
    for number, page in enumerate(pages, 1):
        page_text = f"Page {number} of {total}"
        canvas.setStrokeColor(RULE)          # the footer's rule: 1 pt, butt ends
        canvas.line(MARGIN, FOOTER_RULE, page_w - MARGIN, FOOTER_RULE)
        page.texts += [
            (FOOTER, MARGIN, FOOTER_TEXT, left_text),
            (FOOTER, centre_x, FOOTER_TEXT, centre_text),
            (FOOTER, page_w - MARGIN - FOOTER.width(page_text),
             FOOTER_TEXT, page_text)]
        _draw(canvas, page)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def pdf_date(moment: str) -> str:
    """'2026-11-29T10:15:02.123Z' (or '2026-11-29') as a PDF date in UTC,
    'D:20261129101502Z'."""
    found = re.match(r"(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d):(\d\d))?", moment)
    if found is None:
        raise ValueError(f"{moment!r} is not a date or a moment of issue")
    return "D:" + "".join(part or "00" for part in found.groups()) + "Z"


def _draw(canvas: Canvas, page: _Page) -> None:
    """A page's rules (round ends, as platypus tables draw them), pictures and text."""
    if page.rules:
        canvas.setLineCap(1)
    width = colour = None
    for line_width, line_colour, x1, x2, y in page.rules:
        if line_width != width:
            canvas.setLineWidth(line_width)
            width = line_width
        if line_colour is not colour:
            canvas.setStrokeColor(line_colour)
            colour = line_colour
        canvas.line(x1, y, x2, y)
    for picture in page.pictures:
        if picture[0] == "qr":
            _, text, x, y, size, error = picture
            qr.draw(canvas, text, x, y, size, error)
        else:
            _, reader, x, y, w, h = picture
            canvas.drawImage(reader, x, y, w, h, mask="auto")
    # one text object for the page; a line right under the previous one in the same
    # style (a paragraph's next line) needs no new origin: T* moves down by the leading
    text = canvas.beginText()
    style_now = colour = None
    x_now = y_now = None
    for style, x, y, line in page.texts:
        if style is not style_now:
            if style_now is None or style.font != style_now.font or \
                    style.size != style_now.size or style.leading != style_now.leading:
                text.setFont(style.font, style.size, style.leading)
            if style.color is not colour:
                text.setFillColor(style.color)
                colour = style.color
            style_now = style
            x_now = None
        if x != x_now or abs(y_now - style.leading - y) > 0.001:
            text.setTextOrigin(x, y)
        text.textLine(line)
        x_now, y_now = x, y
    canvas.drawText(text)
