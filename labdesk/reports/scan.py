"""Finding report QR codes in pictures: a photo or scan (PNG, JPEG...) or a report PDF,
rendered with pdfium and decoded with zxing-cpp."""
from __future__ import annotations

from pathlib import Path

from labdesk.core.media import HEAD_BYTES, sniff
from labdesk.errors import ValidationError

MAX_BYTES = 50_000_000
RENDER_DPI = 150
MAX_PAGES = 20


def _decode_image(image) -> list[str]:
    import zxingcpp
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [r.text for r in results if r.text]


def decode_file(path) -> list[str]:
    """The text of every QR code in an image or PDF file, page by page.

    ``ValidationError`` for a file that is missing, too large, or neither an image nor a
    PDF, or that cannot be read.
    """
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"file: {path} does not exist", field="file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ValidationError(f"file: {path.name} is {size / 1e6:.0f} MB; a scan or report "
                              f"is under {MAX_BYTES / 1e6:.0f} MB", field="file")
    with path.open("rb") as fh:
        kind = sniff(fh.read(HEAD_BYTES))
    if kind == "application/pdf":
        return _decode_pdf(path)
    if kind is None:
        raise ValidationError(f"file: {path.name} is neither an image nor a PDF",
                              field="file")
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(path) as img:
            img.load()
            return _decode_image(img.convert("L"))
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ValidationError(f"file: {path.name} cannot be read as an image ({exc})",
                              field="file") from None


def _decode_pdf(path: Path) -> list[str]:
    import pypdfium2 as pdfium
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise ValidationError(f"file: {path.name} is a damaged PDF ({exc})",
                              field="file") from None
    texts: list[str] = []
    try:
        for index in range(min(len(document), MAX_PAGES)):
            page = document[index]
            bitmap = page.render(scale=RENDER_DPI / 72, grayscale=True)
            texts += _decode_image(bitmap.to_pil())
    finally:
        document.close()
    return texts
