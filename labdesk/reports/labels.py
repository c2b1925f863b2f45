"""Intake labels: envelope labels, each with the stone's number, the client's reference,
the weight and a QR code of the stone number (for the barcode scanner).

Two kinds of stock (the sizes are ``labdesk.core.settings.LABEL_SIZES``):

- **Rolls** for a label printer (Brother QL's 62 x 29 mm DK labels, Zebra and Dymo 2 x 1 in
  and 2.25 x 1.25 in labels): one label per page, the page exactly the label, so the
  printer's driver feeds one label per page.
- **Sheets** for an office printer: a grid of labels on A4 (3 x 8 labels of 70 x 37 mm) or
  Letter (3 x 10 labels of 2.625 x 1 in, the common address-label sheet), each label where
  the stock's die-cut puts it.

Every label is laid out for its size: the QR code is as tall as the label allows, the
stone number is never shortened (its type shrinks to fit instead), the other lines are
shortened with an ellipsis and, on a short label, the least needed are left out.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.units import inch, mm
from reportlab.pdfgen.canvas import Canvas

from labdesk.errors import ValidationError
from labdesk.reports import qr


@dataclass(frozen=True)
class Label:
    number: str
    client_ref: str
    weight: str
    client: str
    received: str


@dataclass(frozen=True)
class Stock:
    """One kind of label stock, in points: the page, the label, and the grid of labels
    on the page (one column and one row for a roll)."""
    key: str
    page: tuple[float, float]
    label: tuple[float, float]
    columns: int = 1
    rows: int = 1
    left: float = 0.0          # the first column's left edge
    top: float = 0.0           # the first row's top edge, from the top of the page
    pitch: tuple[float, float] = (0.0, 0.0)   # from one label to the next (x, y)
    pad: float = 1.5 * mm      # blank margin inside each label

    @property
    def roll(self) -> bool:
        return self.columns * self.rows == 1

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def slot(self, index: int) -> tuple[float, float]:
        """The lower-left corner of the ``index``-th label on its page."""
        column, row = index % self.columns, index // self.columns
        x = self.left + column * self.pitch[0]
        y = self.page[1] - self.top - row * self.pitch[1] - self.label[1]
        return x, y


def _roll(key: str, width: float, height: float) -> Stock:
    return Stock(key, (width, height), (width, height))


def _sheet(key: str, page: tuple[float, float], label: tuple[float, float], columns: int,
           rows: int, left: float, top: float, pitch: tuple[float, float]) -> Stock:
    return Stock(key, page, label, columns, rows, left, top, pitch, pad=2.5 * mm)


_A4 = (210 * mm, 297 * mm)
_LETTER = (8.5 * inch, 11 * inch)
STOCKS = {
    # 3 x 8 labels of 70 x 37 mm filling the width, 0.5 mm top and bottom
    "A4": _sheet("A4", _A4, (70 * mm, 37 * mm), 3, 8, 0.0, 0.5 * mm, (70 * mm, 37 * mm)),
    # 3 x 10 labels of 2.625 x 1 in: 0.1875 in left, 0.5 in top, 0.125 in between columns
    "Letter": _sheet("Letter", _LETTER, (2.625 * inch, 1 * inch), 3, 10, 0.1875 * inch,
                     0.5 * inch, (2.75 * inch, 1 * inch)),
    "62x29mm": _roll("62x29mm", 62 * mm, 29 * mm),
    "2x1in": _roll("2x1in", 2 * inch, 1 * inch),
    "2.25x1.25in": _roll("2.25x1.25in", 2.25 * inch, 1.25 * inch),
}


def stock(size: str) -> Stock:
    """The stock for a label size (a ``LABEL_SIZES`` key); ``ValidationError`` else."""
    try:
        return STOCKS[size]
    except KeyError:
        raise ValidationError(f"size: {size!r} is not a label size (known: "
                              f"{', '.join(STOCKS)})", field="size") from None


def _fit(canvas, text: str, font: str, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` points."""
    if canvas.stringWidth(text, font, size) <= width:
        return text
    while text and canvas.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def build(labels: list[Label], lab_name: str, size: str = "A4") -> bytes:
    """The labels as a PDF on ``size`` stock: one page per label on a roll, a grid of
    labels per page on a sheet."""
    sheet = stock(size)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=sheet.page, invariant=1)
    canvas.setTitle(f"Intake labels, {lab_name}")
    canvas.setSubject(f"{len(labels)} intake labels, {size}")
    for index, label in enumerate(labels):
        if index and index % sheet.per_page == 0:
            canvas.showPage()
        x, y = sheet.slot(index % sheet.per_page)
        _draw(canvas, label, lab_name, sheet, x, y)
    canvas.save()
    return out.getvalue()


def _draw(canvas, label: Label, lab_name: str, sheet: Stock, x: float, y: float) -> None:
    width, height = sheet.label
    pad = sheet.pad
    if not sheet.roll:  # a faint outline to cut or peel along; a roll is die-cut
        canvas.setLineWidth(0.2)
        canvas.setStrokeGray(0.8)
        canvas.rect(x, y, width, height, stroke=1, fill=0)
    # the QR code's quiet zone is white already: it may take the label's margin
    code = min(height - pad, width * 0.42)
    qr.draw(canvas, label.number, x + pad / 2, y + (height - code) / 2, code)
    text_x = x + pad / 2 + code + 0.5 * mm
    text_w = x + width - pad - text_x
    top, bottom = y + height - pad, y + pad

    # the stone number, whole: its type shrinks when the label is narrow
    bold = min(12.0, height / 7.0,
               text_w / canvas.stringWidth(label.number, "Helvetica-Bold", 1))
    small = min(8.0, height / 10.5)
    lead = small * 1.2
    foot = max(5.0, small - 1.5)
    canvas.setFillGray(0)
    canvas.setFont("Helvetica-Bold", bold)
    baseline = top - bold * 0.75
    canvas.drawString(text_x, baseline, label.number)

    # the other lines, the most needed first, as many as the label's height holds
    lines = [f"{label.weight} ct", f"Ref: {label.client_ref or '—'}", label.client,
             f"Received {label.received}"]
    room = (baseline - bold * 0.25) - (bottom + foot * 1.2)
    lines = lines[:max(0, int(room // lead))]
    canvas.setFont("Helvetica", small)
    for i, line in enumerate(lines):
        canvas.drawString(text_x, baseline - bold * 0.25 - (i + 1) * lead + small * 0.2,
                          _fit(canvas, line, "Helvetica", small, text_w))
    canvas.setFont("Helvetica", foot)
    canvas.setFillGray(0.35)
    canvas.drawString(text_x, bottom + foot * 0.2,
                      _fit(canvas, lab_name, "Helvetica", foot, text_w))
