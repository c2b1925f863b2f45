"""The client's compliance pack for one submission: a PDF on the lab's letterhead and
an XLSX, one line per stone, and the check that a pack PDF is the lab's and unaltered.

The pack is built from its *content* (``PackContent``'s dict): every line it prints, as
text.  The content's canonical bytes (``claims.canonical_bytes``) are what the signed
digest (``pack_claims``, ``LDP1.``) names by SHA-256; the PDF carries them as its
attachment ``pack.json`` and the token in its QR code.  The PDF is drawn from the
content alone by a fixed layout (``LAYOUT``), so a verifier

1. checks the QR code's token against the lab's public keys,
2. checks that ``pack.json`` hashes to the token's ``h`` and names its submission,
3. draws the pack again from ``pack.json`` and compares every page's text (pdfium's
   text, whitespace folded) with the PDF's: a changed weight, finding, report number
   or outcome, a line added or taken away, or a page missing, is an altered copy.

(No Qt here: ``labdesk verify`` runs it without a display.)
"""
from __future__ import annotations

import io
import json
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (Flowable, Image, Paragraph, SimpleDocTemplate, Spacer, Table,
                                TableStyle)

from labdesk.core.records import Verification
from labdesk.reports import pack_claims, qr
from labdesk.reports.claims import canonical_bytes
from labdesk.reports.pdf import ACCENT, INK, MUTED, RULE, pdf_date, qr_geometry
from labdesk.reports.sheets import write as write_sheet

LAYOUT = 1
ATTACHMENT = "pack.json"
JURISDICTIONS = ("EU", "US", "UK")
ROWS_PER_TABLE = 40      # a long table is split into tables this long (platypus splits
#                          one long table in time that grows with its square)

_BASE = dict(fontName="Helvetica", textColor=INK)
CELL = ParagraphStyle("cell", fontSize=7, leading=8.4, **_BASE)
HEAD = ParagraphStyle("head", fontSize=7, leading=8.4, fontName="Helvetica-Bold",
                      textColor=MUTED)
HASH = ParagraphStyle("hash", fontSize=6.3, leading=7.6, fontName="Courier",
                      textColor=INK, wordWrap="CJK")
LAB = ParagraphStyle("lab", fontSize=12, leading=15, fontName="Helvetica-Bold",
                     textColor=INK)
SMALL = ParagraphStyle("small", fontSize=7.2, leading=9, fontName="Helvetica",
                       textColor=MUTED)
TITLE = ParagraphStyle("title", fontSize=17, leading=21, fontName="Helvetica-Bold",
                       textColor=INK)
FACTS = ParagraphStyle("facts", fontSize=8.6, leading=11, **_BASE)
H2 = ParagraphStyle("h2", fontSize=9.5, leading=12, fontName="Helvetica-Bold",
                    textColor=ACCENT, spaceBefore=8, spaceAfter=3)
MARGIN = 12 * mm

STONE_HEADER = ("Stone", "Client ref", "Carat", "Identification", "Finding",
                "Mining country", "Report", *JURISDICTIONS, "Evidence relied on")


def stone_line(stone: dict) -> list[str]:
    """A stone's line of the PDF table, as text."""
    report = f"{stone['report']} ({stone['report_status']})" if stone["report"] else \
        "not issued"
    return [stone["number"], stone["client_ref"], stone["weight"], stone["identification"],
            stone["finding"], stone["mining_country"], report,
            *(stone["outcomes"].get(j, "") for j in JURISDICTIONS),
            ", ".join(stone["evidence"]) or "none"]


def _cells(values, style=CELL) -> list:
    return [Paragraph(escape(str(v)), style) for v in values]


def _table(rows: list[list], widths: list[float], header: list[str]) -> Table:
    table = Table([_cells(header, HEAD), *rows], colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5), ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 1.6), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6)]))
    return table


def _letterhead(content: dict, token: str, logo: bytes | None, width: float) -> Table:
    lab = content["lab"]
    left = [Paragraph(escape(lab["name"]), LAB)]
    for line in (lab.get("address"), lab.get("accreditation")):
        if line:
            left.append(Paragraph(escape(line), SMALL))
    left += [Spacer(1, 6), Paragraph("Compliance pack", TITLE), Spacer(1, 2)]
    facts = [f"Submission {content['submission']}", f"Client {content['client']}"]
    if content.get("reference"):
        facts.append(f"Client reference {content['reference']}")
    facts += [f"Received {content['received']}", f"{len(content['stones'])} stones"]
    left.append(Paragraph(escape(" · ".join(facts)), FACTS))
    left.append(Paragraph(escape(
        f"Outcomes assessed on {content['on']} under " +
        ", ".join(content["rulesets"]) + "."), FACTS))
    left.append(Paragraph(escape(
        f"Made {content['made_at'][:10]} {content['made_at'][11:16]} UTC by "
        f"{content['made_by']}. A report's status is as it "
        f"stood then; each report's own QR code says whether it stands today."), SMALL))
    right = []
    if logo:
        try:
            picture = Image(io.BytesIO(logo))
            scale = min(38 * mm / picture.imageWidth, 16 * mm / picture.imageHeight)
            picture.drawWidth = picture.imageWidth * scale
            picture.drawHeight = picture.imageHeight * scale
            right.append(picture)
        except Exception:  # a logo that does not load must not stop a pack
            right = []
    code = _QrFlowable(token)
    side = code.side
    right.append(code)
    right.append(Paragraph("Signed digest of this pack. Check it with labdesk verify "
                           "PACK.pdf", SMALL))
    table = Table([[left, right]], colWidths=[width - side - 6 * mm, side + 6 * mm])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("LINEBELOW", (0, 0), (-1, 0), 1.2, ACCENT)]))
    return table


class _QrFlowable(Flowable):
    """The pack's QR code, its modules as wide as a report's (``pdf.qr_geometry``, at
    level M), drawn as an image XObject: PDF tools that rewrite a page's content keep
    it (they drop an inline image), so an edited copy still shows its digest and is
    refused for its text, not for a missing code."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text
        self.side = qr_geometry(text)[1]

    def wrap(self, *_):
        return self.side, self.side

    def draw(self):
        picture = ImageReader(io.BytesIO(qr.png(self.text, scale=4)))
        self.canv.drawImage(picture, 0, 0, self.side, self.side)


def _numbered(footer: str, stamp: str):
    """A canvas class that writes "<footer> · Page N of M" once it knows M, and dates
    the PDF ``stamp`` (invariant mode would date it 1 January 2000)."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.setDateFormatter(lambda *_: stamp)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                width, _ = self._pagesize
                self.setStrokeColor(RULE)
                self.line(MARGIN, 9 * mm, width - MARGIN, 9 * mm)
                self.setFont("Helvetica", 7)
                self.setFillColor(MUTED)
                self.drawString(MARGIN, 6 * mm, footer)
                self.drawRightString(width - MARGIN, 6 * mm, f"Page {number} of {total}")
                super().showPage()
            super().save()

    return NumberedCanvas


def build_pdf(content: dict, token: str, logo: bytes | None = None) -> bytes:
    """The pack's PDF (without its attachment: ``build`` adds it)."""
    size = landscape(LETTER if content.get("paper_size") == "Letter" else A4)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=size, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=13 * mm, invariant=1,
                            title=f"Compliance pack {content['submission']}",
                            author=content["lab"]["name"], subject="Compliance pack",
                            creator="LabDesk")
    width = size[0] - 2 * MARGIN
    story = [_letterhead(content, token, logo, width), Spacer(1, 4),
             Paragraph("Stones", H2)]
    header = list(STONE_HEADER)
    for j, ruleset in zip(JURISDICTIONS, content["rulesets"]):
        header[header.index(j)] = ruleset
    fractions = (0.075, 0.075, 0.05, 0.085, 0.11, 0.075, 0.12, 0.07, 0.07, 0.07, 0.2)
    widths = [width * f for f in fractions]
    lines = [_cells(stone_line(s)) for s in content["stones"]]
    for start in range(0, max(len(lines), 1), ROWS_PER_TABLE):
        story.append(_table(lines[start:start + ROWS_PER_TABLE], widths, header))
    story.append(Paragraph("Evidence relied on", H2))
    ev_header = ["Ref", "Kind", "Reference", "Issuer", "Covers", "Document", "SHA-256"]
    ev_fractions = (0.04, 0.12, 0.12, 0.13, 0.09, 0.15, 0.35)
    ev_widths = [width * f for f in ev_fractions]
    ev_rows = []
    for ev in content["evidence"]:
        documents = ev["documents"] or [{"filename": "no document", "sha256": ""}]
        for index, doc_ in enumerate(documents):
            first = index == 0
            values = [ev["ref"] if first else "", ev["kind"] if first else "",
                      ev["reference"] if first else "", ev["issuer"] if first else "",
                      ev["covers"] if first else "", doc_["filename"]]
            ev_rows.append(_cells(values) + [Paragraph(doc_["sha256"], HASH)])
    if not ev_rows:
        ev_rows.append(_cells(["", "none recorded", "", "", "", "", ""]))
    for start in range(0, len(ev_rows), ROWS_PER_TABLE):
        story.append(_table(ev_rows[start:start + ROWS_PER_TABLE], ev_widths, ev_header))
    story += [Spacer(1, 8), Paragraph(
        "End of pack. Outcomes: clear (may enter that market), insufficient (more "
        "evidence needed), prohibited. The QR code holds the lab's signed digest of every "
        "line above; a copy whose lines differ from it is refused as altered.", SMALL)]
    stamp = pdf_date(content["made_at"])
    doc.build(story, canvasmaker=_numbered(
        f"Compliance pack {content['submission']} · {content['lab']['name']} · "
        f"{content['on']}", stamp))
    return out.getvalue()


def build(content: dict, token: str, logo: bytes | None = None) -> bytes:
    """The pack's PDF with its content attached as ``pack.json``."""
    import pypdfium2 as pdfium
    document = pdfium.PdfDocument(build_pdf(content, token, logo))
    try:
        attachment = document.new_attachment(ATTACHMENT)
        attachment.set_data(canonical_bytes(content))
        out = io.BytesIO()
        document.save(out)
    finally:
        document.close()
    return out.getvalue()


XLSX_HEADER = ("Stone", "Client ref", "Carat", "Identification", "Finding",
               "Mining country", "Report", "Report status",
               *(f"{j} {what}" for j in JURISDICTIONS for what in ("outcome", "ruleset")),
               "Evidence relied on", "Evidence references", "Documents (SHA-256)")


def xlsx_rows(content: dict):
    evidence = {ev["ref"]: ev for ev in content["evidence"]}
    for stone in content["stones"]:
        used = [evidence[ref] for ref in stone["evidence"] if ref in evidence]
        yield [stone["number"], stone["client_ref"], float(stone["weight"] or 0),
               stone["identification"], stone["finding"], stone["mining_country"],
               stone["report"], stone["report_status"],
               *(value for j in JURISDICTIONS for value in
                 (stone["outcomes"].get(j, ""), stone["rulesets"].get(j, ""))),
               "; ".join(f"{ev['ref']} {ev['kind']}" for ev in used),
               "; ".join(ev["reference"] for ev in used if ev["reference"]),
               "; ".join(f"{d['filename']} {d['sha256']}" for ev in used
                         for d in ev["documents"])]


def write_xlsx(path, content: dict) -> int:
    return write_sheet(path, list(XLSX_HEADER), xlsx_rows(content),
                       sheet=content["submission"])


# -- verifying a pack PDF ---------------------------------------------------------------

def page_texts(data: bytes) -> list[str]:
    """Each page's text as pdfium reads it, whitespace folded to single spaces."""
    import pypdfium2 as pdfium
    document = pdfium.PdfDocument(data)
    try:
        texts = []
        for index in range(len(document)):
            page = document[index]
            texts.append(" ".join(page.get_textpage().get_text_range().split()))
        return texts
    finally:
        document.close()


def attached_content(data: bytes) -> bytes | None:
    import pypdfium2 as pdfium
    document = pdfium.PdfDocument(data)
    try:
        for index in range(document.count_attachments()):
            attachment = document.get_attachment(index)
            if attachment.get_name() == ATTACHMENT:
                return bytes(attachment.get_data())
        return None
    finally:
        document.close()


def verify_pdf(path, public_keys: dict, token: str | None = None) -> Verification:
    """Whether the PDF at ``path`` is a pack the lab signed, unaltered.  ``token``: the
    text of its QR code, when already read.  ``status``: valid | altered | forged |
    malformed | unknown_key.  Never raises for the file's contents."""
    from labdesk.reports.scan import decode_file
    import pypdfium2 as pdfium
    path = Path(path)
    if token is None:
        tokens = [t for t in decode_file(path) if pack_claims.is_pack_token(t)]
        if not tokens:
            return Verification(valid=False, status="malformed", claim={}, problems=(
                f"no LabDesk pack digest (a QR code starting LDP1.) in {path.name}",))
        token = tokens[0]
    parsed = pack_claims.check(token, public_keys)
    if not parsed.valid:
        return Verification(valid=False, status=parsed.status, claim=parsed.claim,
                            problems=tuple(parsed.problems))
    body = parsed.claim
    data = path.read_bytes()
    try:
        content_bytes = attached_content(data)
        texts = page_texts(data)
    except pdfium.PdfiumError as exc:
        return Verification(valid=False, status="malformed", claim=body,
                            problems=(f"the PDF cannot be read ({exc})",))

    def altered(problem: str) -> Verification:
        return Verification(valid=False, status="altered", claim=body, problems=(
            f"the digest is the lab's, but this copy of the pack was altered: {problem}",))

    if content_bytes is None:
        return altered(f"it lacks the pack's content ({ATTACHMENT})")
    if pack_claims.digest(content_bytes) != body["h"]:
        return altered("its content differs from what the lab signed")
    try:
        content = json.loads(content_bytes)
        expected = page_texts(build_pdf(content, token))
    except (ValueError, KeyError, TypeError) as exc:
        return altered(f"its content cannot be read ({exc})")
    if content.get("submission") != body["sub"] or \
            str(len(content.get("stones", []))) != body["n"]:
        return altered("its content names another submission or count of stones")
    if len(texts) != len(expected):
        return altered(f"it has {len(texts)} pages where the lab's pack has "
                       f"{len(expected)}")
    for number, (seen, wanted) in enumerate(zip(texts, expected), 1):
        if seen != wanted:
            return altered(f"page {number} reads differently from the pack the lab "
                           f"signed ({_first_difference(seen, wanted)})")
    return Verification(valid=True, status="valid", claim=body)


def _first_difference(seen: str, wanted: str) -> str:
    a, b = seen.split(" "), wanted.split(" ")
    for index, (x, y) in enumerate(zip(a, b)):
        if x != y:
            near = " ".join(b[max(0, index - 3):index + 3])
            return f"'{x}' where the lab's reads '{y}', near '{near}'"
    return "text added or taken away at the end"

