"""Small valid documents to attach (no pytest: worker processes import this too)."""
from __future__ import annotations

from pathlib import Path


def make_pdf(path: Path, text: str = "Kimberley Process certificate BW-2024-0001") -> Path:
    """A small, valid one-page PDF (reportlab, reproducible bytes for equal text)."""
    from reportlab.pdfgen import canvas
    path = Path(path)
    pdf = canvas.Canvas(str(path), invariant=1)
    pdf.drawString(72, 720, text)
    pdf.save()
    return path


def make_png(path: Path, colour=(200, 30, 30)) -> Path:
    """A small, valid PNG (Pillow)."""
    from PIL import Image
    path = Path(path)
    Image.new("RGB", (16, 16), colour).save(path, format="PNG")
    return path
