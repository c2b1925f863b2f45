"""The Diamond Origin Report as a PDF (reportlab).

Carries every item ISO/IEC 17025 clause 7.8.2.1 asks of a report (domain.md section 8):
title, the lab's name and address, a unique number on every page with "page N of M" and
an end mark, the customer, the method, the item and its condition, the dates received,
worked on and issued, "results relate only to the item tested", the results with units,
who authorised the report (their signature's printed name, time and meaning), and the
signed QR code.  The same data gives the same bytes (reportlab's invariant mode).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, Image, KeepTogether,
                                PageTemplate, Paragraph, Spacer, Table, TableStyle)
from xml.sax.saxutils import escape

from labdesk.reports import qr

INK = colors.HexColor("#1d2733")
MUTED = colors.HexColor("#5b6775")
RULE = colors.HexColor("#c9d1da")
ACCENT = colors.HexColor("#0f5c8c")
QR_SIZE = 36 * mm


@dataclass
class ReportData:
    """Everything printed on a report, as text (the facade assembles it)."""
    number: str
    issued_on: str                      # YYYY-MM-DD
    lab_name: str
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


def _styles():
    base = ParagraphStyle("body", fontName="Helvetica", fontSize=8.6, leading=11,
                          textColor=INK)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.2, leading=9,
                                textColor=MUTED),
        "label": ParagraphStyle("label", parent=base, fontSize=7.4, leading=9.5,
                                textColor=MUTED),
        "value": ParagraphStyle("value", parent=base, fontName="Helvetica-Bold"),
        "h2": ParagraphStyle("h2", parent=base, fontName="Helvetica-Bold", fontSize=9.5,
                             leading=12, textColor=ACCENT, spaceBefore=5, spaceAfter=2),
        "title": ParagraphStyle("title", parent=base, fontName="Helvetica-Bold",
                                fontSize=17, leading=21),
        "lab": ParagraphStyle("lab", parent=base, fontName="Helvetica-Bold", fontSize=12,
                              leading=15),
        "finding": ParagraphStyle("finding", parent=base, fontName="Helvetica-Bold",
                                  fontSize=13, leading=16, textColor=ACCENT),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER, fontSize=7.4,
                                 leading=9),
        "end": ParagraphStyle("end", parent=base, alignment=TA_CENTER,
                              fontName="Helvetica-Bold", fontSize=8, textColor=MUTED),
    }


def _p(text: str, style) -> Paragraph:
    return Paragraph(escape(text or "").replace("\n", "<br/>"), style)


class _QRCode(Flowable):
    """The QR code with the report number under it."""

    def __init__(self, text: str, number: str, size: float = QR_SIZE):
        super().__init__()
        self.text, self.number, self.size = text, number, size
        self.width, self.height = size, size + 11

    def draw(self):
        qr.draw(self.canv, self.text, 0, 11, self.size)
        self.canv.setFont("Helvetica-Bold", 8)
        self.canv.setFillColor(INK)
        self.canv.drawCentredString(self.size / 2, 2, self.number)


def _cell(value, style, width: float):
    """A plain string when it fits on one line (cheap to lay out), else a Paragraph that
    wraps; flowables pass through."""
    if isinstance(value, Flowable):
        return value
    text = value or ""
    if "\n" not in text and stringWidth(text, style.fontName, style.fontSize) <= width - 7:
        return text
    return _p(text, style)


def _grid(rows, styles, widths, header=None, columns=None):
    """A ruled table; ``columns`` names each column's style (default "body")."""
    columns = columns or ["body"] * len(widths)
    data = []
    if header:
        data.append([_cell(h, styles["label"], w) for h, w in zip(header, widths)])
    for row in rows:
        data.append([_cell(c, styles[name], w) for c, name, w in zip(row, columns, widths)])
    table = Table(data, colWidths=widths, hAlign="LEFT")
    commands = [("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2.2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2)]
    for index, name in enumerate(columns):
        style = styles[name]
        commands += [("FONT", (index, 0), (index, -1), style.fontName, style.fontSize,
                      style.leading),
                     ("TEXTCOLOR", (index, 0), (index, -1), style.textColor)]
    if header:
        label = styles["label"]
        commands += [("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                     ("FONT", (0, 0), (-1, 0), label.fontName, label.fontSize,
                      label.leading), ("TEXTCOLOR", (0, 0), (-1, 0), label.textColor)]
    table.setStyle(TableStyle(commands))
    return table


def _pairs(pairs, styles, width):
    """Label/value pairs in two columns of two."""
    cells = [(label, value or "—") for label, value in pairs]
    if len(cells) % 2:
        cells.append(("", ""))
    rows = [[*cells[i], *cells[i + 1]] for i in range(0, len(cells), 2)]
    half = width / 2
    return _grid(rows, styles, [half * 0.38, half * 0.62, half * 0.38, half * 0.62],
                 columns=["label", "value", "label", "value"])


def build(data: ReportData) -> bytes:
    """The report's PDF bytes."""
    styles = _styles()
    pagesize = LETTER if data.paper_size == "Letter" else A4
    margin = 14 * mm
    width = pagesize[0] - 2 * margin
    out = io.BytesIO()
    doc = BaseDocTemplate(out, pagesize=pagesize, leftMargin=margin, rightMargin=margin,
                          topMargin=margin, bottomMargin=20 * mm, invariant=1,
                          title=f"Diamond Origin Report {data.number}",
                          author=data.lab_name, subject="Diamond Origin Report",
                          creator="LabDesk")
    frame = Frame(margin, 20 * mm, width, pagesize[1] - margin - 20 * mm, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    def footer(canvas, doc_):
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.line(margin, 15 * mm, pagesize[0] - margin, 15 * mm)
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(MUTED)
        canvas.drawString(margin, 11 * mm, f"Diamond Origin Report {data.number}")
        canvas.drawCentredString(pagesize[0] / 2, 11 * mm,
                                 "May not be reproduced except in full.")
        canvas.restoreState()

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=footer)])
    story = _story(data, styles, width)
    canvas_class = type("ReportCanvas", (_NumberedCanvas,), {"_footer_margin": margin})
    doc.build(story, canvasmaker=canvas_class)
    return out.getvalue()


class _NumberedCanvas(Canvas):
    """Holds each page until the end so the footer can say "Page N of M"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont("Helvetica", 7)
            self.setFillColor(MUTED)
            self.drawRightString(self._pagesize[0] - self._footer_margin, 11 * mm,
                                 f"Page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


def _header(data, styles, width):
    left = [_p(data.lab_name, styles["lab"])]
    if data.lab_address:
        left.append(_p(data.lab_address, styles["small"]))
    if data.accreditation:
        left.append(_p(data.accreditation, styles["small"]))
    right = ""
    if data.logo:
        try:
            from reportlab.lib.utils import ImageReader
            reader = ImageReader(io.BytesIO(data.logo))
            w, h = reader.getSize()
            scale = min(40 * mm / w, 18 * mm / h)
            right = Image(io.BytesIO(data.logo), w * scale, h * scale)
        except Exception:  # a logo that does not load must not stop a report
            right = ""
    table = Table([[left, right]], colWidths=[width - 45 * mm, 45 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("LINEBELOW", (0, 0), (-1, 0), 1.2, ACCENT),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return table


def _story(data: ReportData, styles, width):
    story = [_header(data, styles, width), Spacer(1, 4 * mm)]
    title_rows = [[_p("Diamond Origin Report", styles["title"]),
                   _p(f"Report number  {data.number}\nDate of issue  {data.issued_on}",
                      styles["value"])]]
    title = Table(title_rows, colWidths=[width * 0.58, width * 0.42])
    title.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story += [title, Spacer(1, 2 * mm)]
    if data.supersedes:
        story.append(_p(f"This report supersedes report {data.supersedes}, which is "
                        f"withdrawn.", styles["value"]))

    story.append(_p("Customer and item", styles["h2"]))
    story.append(_pairs([("Customer", data.customer), ("Customer contact",
                                                        data.customer_contact),
                         ("Customer reference", data.customer_ref),
                         ("Submission", data.submission),
                         ("Item received", data.received_at),
                         ("Dates of examination", data.work_dates)], styles, width))

    story.append(_p("The stone", styles["h2"]))
    story.append(_pairs(data.stone + [("Identification", data.identification)],
                        styles, width))

    finding = [_p("Origin finding", styles["h2"]),
               _p(data.origin, styles["finding"])]
    if data.mining_country:
        finding.append(_p(f"Country of mining: {data.mining_country}", styles["value"]))
    if data.statement:
        finding += [Spacer(1, 1.5 * mm), _p(data.statement, styles["body"])]
    qr_block = [_QRCode(data.qr_text, data.number),
                _p("Scan to verify this report's signed claim", styles["center"])]
    block = Table([[finding, qr_block]], colWidths=[width - QR_SIZE - 8 * mm,
                                                    QR_SIZE + 8 * mm])
    block.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("ALIGN", (1, 0), (1, 0), "CENTER"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story.append(block)

    story.append(_p("Evidence relied on", styles["h2"]))
    if data.evidence:
        story.append(_grid(data.evidence, styles,
                           [width * 0.25, width * 0.18, width * 0.27, width * 0.12,
                            width * 0.18],
                           header=["Document", "Reference", "Issuer", "Date",
                                   "Scan SHA-256"]))
    else:
        story.append(_p("No documentary evidence was submitted with this stone.",
                        styles["body"]))
    if data.assessments:
        story.append(_p("Sanctions assessment when the finding was proposed",
                        styles["h2"]))
        story.append(_grid(data.assessments, styles, [width * 0.2, width * 0.8]))

    story.append(_p("Method", styles["h2"]))
    story.append(_p(data.method, styles["body"]))

    signatures = _grid([
        ["Finding proposed by", data.proposed[0], data.proposed[1], "Authorship"],
        ["Authorised by", data.approved[0], data.approved[1],
         "Approval of the origin finding"],
        ["Report issued by", data.issued_by[0], data.issued_by[1], "Issue"],
    ], styles, [width * 0.2, width * 0.28, width * 0.24, width * 0.28],
        header=["Signature", "Printed name", "Date and time (UTC)", "Meaning"])
    story.append(KeepTogether([_p("Signatures", styles["h2"]), signatures]))

    how = ("How to verify: scan the QR code with a phone camera" +
           (f" (it opens {data.verify_url})" if data.verify_url else "") +
           ", or run 'labdesk verify' with the lab's public key. The code carries the "
           "report's facts signed with the lab's Ed25519 key: any change to them, or a "
           "code copied from another report, fails the check.")
    story.append(KeepTogether([
        Spacer(1, 2 * mm), _p(how, styles["small"]),
        _p("The results relate only to the item tested, as received. This report may not "
           "be reproduced except in full without the written approval of the laboratory.",
           styles["small"]),
        Spacer(1, 2 * mm), _p("— End of report —", styles["end"])]))
    return story
