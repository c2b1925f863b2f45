"""The receipt for stones returned to the client, as a PDF (reportlab) for the collector
to sign: the lab's letterhead, the receipt's number and the moment of the hand-over, the
client, who collected the stones and the identity document seen, each stone with its
weight and the report that goes with it (or "returned ungraded"), the count and total
weight, the staff member who handed them over (signed electronically, password
re-entered), and lines for both to sign on paper.

The same return gives the same bytes (reportlab's invariant mode, dated by the
hand-over), so a receipt printed again is the receipt printed first.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer,
                                Table, TableStyle)

INK = colors.HexColor("#1d2733")
MUTED = colors.HexColor("#5b6775")
RULE = colors.HexColor("#c9d1da")
ACCENT = colors.HexColor("#0f5c8c")
SHADE = colors.HexColor("#eef2f6")
MARGIN = 18 * mm

_BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=9, leading=12,
                       textColor=INK)
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=7.5, leading=9.5,
                        textColor=MUTED)
_LAB = ParagraphStyle("lab", parent=_BODY, fontName="Helvetica-Bold", fontSize=13,
                      leading=16)
_TITLE = ParagraphStyle("title", parent=_BODY, fontName="Helvetica-Bold", fontSize=16,
                        leading=20)
_FACT = ParagraphStyle("fact", parent=_BODY, fontName="Helvetica-Bold", alignment=2)
_HEAD = ParagraphStyle("head", parent=_BODY, fontName="Helvetica-Bold", fontSize=8,
                       leading=10, textColor=MUTED)
_CELL = ParagraphStyle("cell", parent=_BODY, fontSize=8.6, leading=11)
_CELL_RIGHT = ParagraphStyle("cellr", parent=_CELL, alignment=2)
_H2 = ParagraphStyle("h2", parent=_BODY, fontName="Helvetica-Bold", fontSize=10,
                     leading=13, textColor=ACCENT, spaceBefore=8, spaceAfter=3)


@dataclass
class ReceiptStone:
    number: str
    client_ref: str
    weight: str                   # '1.234'
    report: str                   # 'LD26-000001', or the words for an ungraded stone


@dataclass
class ReceiptData:
    """Everything printed on a receipt, as text (the facade assembles it)."""
    number: str
    returned_at: str              # UTC ISO-8601: the PDF's date
    returned_on: str              # as a person reads it
    lab_name: str
    lab_address: str = ""
    accreditation: str = ""
    logo: bytes | None = None
    paper_size: str = "A4"
    client: str = ""
    submissions: str = ""
    collected_by: str = ""
    id_document: str = ""
    note: str = ""
    staff: str = ""               # the staff member's printed name
    signed: str = ""              # their electronic signature in words
    total_weight: str = ""
    stones: list[ReceiptStone] = field(default_factory=list)


def _p(text: str, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(escape(text or "").replace("\n", "<br/>"), style)


def _logo(logo: bytes | None):
    if not logo:
        return None
    try:
        reader = ImageReader(io.BytesIO(logo))
        w, h = reader.getSize()
        scale = min(40 * mm / w, 18 * mm / h)
        return Image(io.BytesIO(logo), width=w * scale, height=h * scale)
    except Exception:  # a logo that does not load must not stop a receipt
        return None


def build(data: ReceiptData) -> bytes:
    """The receipt's PDF bytes."""
    pagesize = LETTER if data.paper_size == "Letter" else A4
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=pagesize, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN + 6 * mm,
                            title=f"Receipt {data.number}: stones returned to the client",
                            author=data.lab_name, subject="Stones returned to the client",
                            creator="LabDesk", invariant=1)
    width = doc.width - 12  # the frame's own padding, 6 points each side
    story = []
    letterhead = [_p(data.lab_name, _LAB)]
    if data.lab_address:
        letterhead.append(_p(data.lab_address, _SMALL))
    if data.accreditation:
        letterhead.append(_p(data.accreditation, _SMALL))
    logo = _logo(data.logo)
    head = Table([[letterhead, logo or ""]], colWidths=[width - 45 * mm, 45 * mm])
    head.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("LINEBELOW", (0, 0), (-1, 0), 1.2, ACCENT), ("BOTTOMPADDING", (0, 0), (-1, 0), 6)]))
    story += [head, Spacer(1, 5 * mm)]
    title = Table([[_p("Receipt for stones returned", _TITLE),
                    [_p(f"Receipt {data.number}", _FACT), _p(data.returned_on, _FACT)]]],
                  colWidths=[width * 0.6, width * 0.4])
    title.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story += [title, Spacer(1, 4 * mm)]

    facts = [("Client", data.client), ("Submission", data.submissions),
             ("Collected by", data.collected_by),
             ("Identity document seen", data.id_document or "none recorded"),
             ("Handed over by", f"{data.staff} ({data.signed})")]
    if data.note:
        facts.append(("Note", data.note))
    grid = Table([[_p(label, _HEAD), _p(value)] for label, value in facts],
                 colWidths=[42 * mm, width - 42 * mm])
    grid.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE), ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    story += [grid, Paragraph(f"Stones returned ({len(data.stones)})", _H2)]

    rows = [[_p("#", _HEAD), _p("Stone", _HEAD), _p("Client reference", _HEAD),
             _p("Weight (ct)", ParagraphStyle("hr", parent=_HEAD, alignment=2)),
             _p("Report", _HEAD)]]
    for index, stone in enumerate(data.stones, 1):
        rows.append([_p(str(index), _CELL), _p(stone.number, _CELL),
                     _p(stone.client_ref or "—", _CELL), _p(stone.weight, _CELL_RIGHT),
                     _p(stone.report, _CELL)])
    rows.append([_p("", _CELL), _p("Total", _HEAD), _p("", _CELL),
                 _p(data.total_weight, ParagraphStyle("tot", parent=_CELL_RIGHT,
                                                      fontName="Helvetica-Bold")),
                 _p("", _CELL)])
    columns = [9 * mm, 28 * mm, 40 * mm, 24 * mm]
    table = Table(rows, colWidths=columns + [width - sum(columns)], repeatRows=1)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 1), (-1, -2), 0.3, RULE),
        ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
        ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, SHADE]),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
    story += [table, Spacer(1, 6 * mm)]

    story.append(_p("The collector confirms by signing below that the stones listed were "
                    "received in the condition in which they were submitted, and that the "
                    "lab's custody of them ends with this hand-over.", _BODY))
    story.append(Spacer(1, 10 * mm))
    line = "_" * 38
    signatures = Table([
        [_p(line), _p(line)],
        [_p("Signature of the collector", _HEAD), _p("Signature for the lab", _HEAD)],
        [_p(f"Name: {data.collected_by}", _CELL), _p(f"Name: {data.staff}", _CELL)],
        [_p("Date: ______________________", _CELL), _p(f"Date: {data.returned_on}", _CELL)],
    ], colWidths=[width / 2, width / 2])
    signatures.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                                    ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(KeepTogether([signatures]))

    def footer(canvas, doc_):
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        left, right = MARGIN + 6, pagesize[0] - MARGIN - 6   # as the frame's content
        canvas.line(left, MARGIN, right, MARGIN)
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(left, MARGIN - 10, f"Receipt {data.number} · {data.lab_name}")
        canvas.drawRightString(right, MARGIN - 10, f"Page {doc_.page}")
        canvas.restoreState()

    stamp = pdf_date(data.returned_at)

    def dated(canvas, doc_):
        canvas.setDateFormatter(lambda *_: stamp)
        footer(canvas, doc_)

    doc.build(story, onFirstPage=dated, onLaterPages=footer)
    return out.getvalue()


def pdf_date(moment: str) -> str:
    """'2026-11-29T10:15:02.123Z' as a PDF date in UTC, 'D:20261129101502Z'."""
    found = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)", moment)
    return "D:" + "".join(found.groups()) + "Z" if found else "D:20000101000000Z"
