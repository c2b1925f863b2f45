"""Intake labels: a sheet of envelope labels, each with the stone's number, the client's
reference, the weight and a QR code of the stone number (for the barcode scanner)."""
from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from labdesk.reports import qr

COLUMNS, ROWS = 3, 8            # 24 labels of 70 x 37 mm on A4 (a common stock sheet)
LABEL_W, LABEL_H = 70 * mm, 37 * mm


@dataclass(frozen=True)
class Label:
    number: str
    client_ref: str
    weight: str
    client: str
    received: str


def _fit(canvas, text: str, font: str, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` points."""
    if canvas.stringWidth(text, font, size) <= width:
        return text
    while text and canvas.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def build(labels: list[Label], lab_name: str, paper_size: str = "A4") -> bytes:
    pagesize = LETTER if paper_size == "Letter" else A4
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=pagesize, invariant=1)
    canvas.setTitle(f"Intake labels, {lab_name}")
    left = (pagesize[0] - COLUMNS * LABEL_W) / 2
    top = pagesize[1] - (pagesize[1] - ROWS * LABEL_H) / 2
    per_page = COLUMNS * ROWS
    for index, label in enumerate(labels):
        if index and index % per_page == 0:
            canvas.showPage()
        slot = index % per_page
        x = left + (slot % COLUMNS) * LABEL_W
        y = top - (slot // COLUMNS + 1) * LABEL_H
        _draw(canvas, label, lab_name, x, y)
    canvas.save()
    return out.getvalue()


def _draw(canvas, label: Label, lab_name: str, x: float, y: float) -> None:
    pad = 3 * mm
    size = LABEL_H - 2 * pad
    canvas.setLineWidth(0.2)
    canvas.setStrokeGray(0.8)
    canvas.rect(x, y, LABEL_W, LABEL_H, stroke=1, fill=0)
    qr.draw(canvas, label.number, x + pad - 1 * mm, y + pad, size)
    text_x = x + pad + size + 1 * mm
    width = LABEL_W - (text_x - x) - pad
    canvas.setFillGray(0)
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(text_x, y + LABEL_H - pad - 10, label.number)
    canvas.setFont("Helvetica", 8)
    lines = [f"{label.weight} ct", f"Ref: {label.client_ref or '—'}", label.client,
             f"Received {label.received}"]
    for i, line in enumerate(lines):
        canvas.drawString(text_x, y + LABEL_H - pad - 23 - i * 10,
                          _fit(canvas, line, "Helvetica", 8, width))
    canvas.setFont("Helvetica", 6)
    canvas.setFillGray(0.4)
    canvas.drawString(text_x, y + pad, _fit(canvas, lab_name, "Helvetica", 6, width))
