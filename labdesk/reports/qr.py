"""QR codes for reports and labels, drawn as vectors in reportlab.

qrcode's automatic mask choice tries all eight masks and costs about 20 ms a code; a
fixed mask is a valid QR code too (ISO/IEC 18004 allows any of the eight) and costs a
tenth of that.  The tests decode every code we draw with zxing-cpp, so a mask that read
badly would show.  The version is computed from the data's length (one byte-mode
segment), which spares qrcode's own search.
"""
from __future__ import annotations

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.util import BIT_LIMIT_TABLE

MASK = 4
BORDER = 4  # the quiet zone the standard asks for, in modules


def _version_for(data: bytes, error: int = ERROR_CORRECT_M) -> int:
    for version in range(1, 41):
        count_bits = 8 if version < 10 else 16
        if 4 + count_bits + 8 * len(data) <= BIT_LIMIT_TABLE[error][version]:
            return version
    raise ValueError(f"{len(data)} bytes do not fit in a QR code")


def matrix(text: str, error: int = ERROR_CORRECT_M) -> list[list[bool]]:
    """The modules of the QR code for ``text`` (without the quiet zone)."""
    data = text.encode("utf-8")
    code = qrcode.QRCode(version=_version_for(data, error), error_correction=error,
                         border=0, mask_pattern=MASK)
    code.add_data(data, optimize=0)
    code.make(fit=False)
    return code.get_matrix()


def draw(canvas, text: str, x: float, y: float, size: float) -> None:
    """Draw the QR code for ``text`` with its lower-left corner at (x, y), ``size``
    points wide including the quiet zone.

    The modules are written straight into the page as PDF path operators in module
    units (one ``re`` per run of dark modules, one fill): a thousand reportlab ``rect``
    calls would cost more than the rest of the report.
    """
    modules = matrix(text)
    n = len(modules) + 2 * BORDER
    unit = size / n
    ops = [f"q 1 g {x:.3f} {y:.3f} {size:.3f} {size:.3f} re f",
           f"0 g {unit:.5f} 0 0 {unit:.5f} {x:.3f} {y:.3f} cm"]
    for r, row in enumerate(modules):
        line = n - BORDER - 1 - r
        c, width = 0, len(row)
        while c < width:
            if row[c]:
                start = c
                while c < width and row[c]:
                    c += 1
                ops.append(f"{start + BORDER} {line} {c - start} 1 re")
            else:
                c += 1
    ops.append("f Q")
    canvas.addLiteral("\n".join(ops))


def png(text: str, scale: int = 8) -> bytes:
    """The QR code as PNG bytes (for the GUI and the verify page's tests)."""
    import io
    from PIL import Image
    modules = matrix(text)
    n = len(modules) + 2 * BORDER
    img = Image.new("1", (n, n), 1)
    pixels = img.load()
    for r, row in enumerate(modules):
        for c, dark in enumerate(row):
            if dark:
                pixels[c + BORDER, r + BORDER] = 0
    img = img.resize((n * scale, n * scale), Image.NEAREST)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()
