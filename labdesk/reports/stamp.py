"""The withdrawal stamp: a revoked or superseded report, as LabDesk shows, prints or saves
it, carries "REVOKED on DATE: reason" (or "SUPERSEDED by NUMBER on DATE: reason") across
every page, so that a paper copy made after the withdrawal says so (issue 16, item 19).

The stamped copy is derived data: the archived original keeps its bytes (its SHA-256 is
in the report's record, and ``check()``, backups and verification read it).  The copy is
the original with one more content stream on each page: the stamp, drawn with reportlab
on a page of the same size and laid over the original page as a form XObject by pdfium.
The original pages' content streams, fonts, document properties and QR codes are kept as
they are, so the copy's text and code still read, and the stamp's text is real text
(``pdftotext`` finds it).

    notice = withdrawal("revoked", "2026-12-01T09:30:00Z", "colour misgraded")
    copy = stamp(original_pdf_bytes, notice)
"""
from __future__ import annotations

import hashlib
import io
import math
import re
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from labdesk.errors import IntegrityError

#: Bumped when the stamp's look changes, so that cached copies are made again.
VERSION = 1

RED = colors.HexColor("#b3261e")
FONT = "Helvetica-Bold"
BANNER_SIZE, BANNER_LEADING, BANNER_LINES = 9, 11, 3
MARGIN = 14 * mm


@dataclass(frozen=True)
class Withdrawal:
    """What the stamp says: ``word`` large across the page, ``detail`` under it, and
    ``text`` (the whole sentence, with the reason) in the banner at the top."""
    word: str        # REVOKED | SUPERSEDED
    detail: str      # "on 2026-12-01" | "by LD26-000124 on 2026-12-03"
    text: str        # "REVOKED on 2026-12-01: the colour was misgraded"


def withdrawal(status: str, withdrawn_at: str | None, reason: str | None,
               successor: str | None = None,
               successor_issued_at: str | None = None) -> Withdrawal | None:
    """The stamp of a report in ``status``; None for a report that stands (issued)."""
    reason = " ".join((reason or "").split())
    if status == "revoked":
        detail = f"on {(withdrawn_at or '')[:10]}"
        word = "REVOKED"
        text = f"{word} {detail}: {reason}" if reason else f"{word} {detail}"
    elif status == "superseded":
        word = "SUPERSEDED"
        if successor:
            detail = f"by {successor} on {(successor_issued_at or withdrawn_at or '')[:10]}"
            text = f"{word} {detail}" + (f": {reason}" if reason else "")
        else:
            detail = f"on {(withdrawn_at or '')[:10]}"
            text = f"{word} {detail}" + (f": {reason}" if reason else "") + \
                " (a corrected report is pending)"
    else:
        return None
    return Withdrawal(word=word, detail=detail, text=text)


def cache_key(original_sha256: str, notice: Withdrawal) -> str:
    """A name for the stamped copy of one original under one notice (16 hex digits)."""
    return hashlib.sha256(f"{VERSION}\n{original_sha256}\n{notice.word}\n{notice.detail}\n"
                          f"{notice.text}".encode()).hexdigest()[:16]


def stamp(original: bytes, notice: Withdrawal) -> bytes:
    """``original`` (a PDF) with ``notice`` stamped across every page.  The same
    original and notice give the same bytes.  ``IntegrityError`` when the original cannot
    be read as a PDF."""
    import pypdfium2 as pdfium
    try:
        document = pdfium.PdfDocument(original)
    except pdfium.PdfiumError as exc:
        raise IntegrityError(f"the report's PDF cannot be read to stamp it ({exc})") from None
    try:
        sizes = [document.get_page_size(index) for index in range(len(document))]
        overlay = pdfium.PdfDocument(_overlay(sizes, notice))
        try:
            for index in range(len(document)):
                page = document[index]
                try:
                    form = overlay.page_as_xobject(index, document)
                    page.insert_obj(form.as_pageobject())
                    page.gen_content()  # the stamp is one new content stream
                finally:
                    page.close()
        finally:
            overlay.close()
        out = io.BytesIO()
        document.save(out)
    finally:
        document.close()
    return _fixed_id(out.getvalue(), original, notice)


def _fixed_id(data: bytes, original: bytes, notice: Withdrawal) -> bytes:
    """pdfium gives every file it saves a random /ID; this one is derived from the
    original and the notice (same length, so the cross-reference offsets hold)."""
    digest = hashlib.md5(original + notice.text.encode(), usedforsecurity=False)
    hexid = digest.hexdigest().upper().encode()
    return re.sub(rb"/ID\s*\[\s*<[0-9A-Fa-f]{32}>\s*<[0-9A-Fa-f]{32}>\s*\]",
                  lambda m: re.sub(rb"<[0-9A-Fa-f]{32}>", b"<" + hexid + b">", m.group(0)),
                  data, count=1)


def _overlay(sizes: list[tuple[float, float]], notice: Withdrawal) -> bytes:
    """One page of stamp for each page size."""
    out = io.BytesIO()
    canvas = Canvas(out, invariant=1)
    for width, height in sizes:
        canvas.setPageSize((width, height))
        _diagonal(canvas, width, height, notice)
        _banner(canvas, width, height, notice)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _diagonal(canvas: Canvas, width: float, height: float, notice: Withdrawal) -> None:
    """The word, large and translucent from the lower left to the upper right, the
    detail under it."""
    diagonal = math.hypot(width, height)
    size = min(110.0, 0.62 * diagonal / stringWidth(notice.word, FONT, 1))
    detail_size = min(22.0, 0.55 * diagonal / stringWidth(notice.detail, FONT, 1))
    canvas.saveState()
    canvas.translate(width / 2, height / 2)
    canvas.rotate(math.degrees(math.atan2(height, width)))
    canvas.setFillColor(RED)
    canvas.setFillAlpha(0.22)
    canvas.setFont(FONT, size)
    canvas.drawCentredString(0, -0.1 * size, notice.word)
    canvas.setFillAlpha(0.45)
    canvas.setFont(FONT, detail_size)
    canvas.drawCentredString(0, -0.1 * size - 1.4 * detail_size, notice.detail)
    canvas.restoreState()


def _banner(canvas: Canvas, width: float, height: float, notice: Withdrawal) -> None:
    """The whole sentence in white on a red band across the top of the page (in the
    top margin for up to three lines)."""
    column = width - 2 * MARGIN
    lines = simpleSplit(notice.text, FONT, BANNER_SIZE, column)
    if len(lines) > BANNER_LINES:
        lines = lines[:BANNER_LINES]
        last = lines[-1]
        while last and stringWidth(last + " …", FONT, BANNER_SIZE) > column:
            last = last[:-1]
        lines[-1] = last.rstrip() + " …"
    pad = 4.0
    band = len(lines) * BANNER_LEADING + 2 * pad
    canvas.saveState()
    canvas.setFillColor(RED)
    canvas.setFillAlpha(0.92)
    canvas.rect(0, height - band, width, band, stroke=0, fill=1)
    canvas.setFillAlpha(1)
    canvas.setFillColor(colors.white)
    text = canvas.beginText(MARGIN, height - pad - BANNER_SIZE)
    text.setFont(FONT, BANNER_SIZE, BANNER_LEADING)
    for line in lines:
        text.textLine(line)
    canvas.drawText(text)
    canvas.restoreState()
