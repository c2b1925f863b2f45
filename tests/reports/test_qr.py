"""The QR codes LabDesk computes are the ones qrcode computes (codewords and modules, for
every version), and the codes it draws decode."""
import io
import random

import pytest
import qrcode
from qrcode import util
from qrcode.constants import (ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M,
                              ERROR_CORRECT_Q)

from labdesk.reports import qr

LEVELS = (ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q, ERROR_CORRECT_H)


def _qrcode_own(data: bytes, version: int, error: int) -> list[int]:
    return util.create_data(version, error, [util.QRData(data, mode=util.MODE_8BIT_BYTE)])


def _qrcode_matrix(data: bytes, version: int, error: int, mask: int) -> list[str]:
    """qrcode's own matrix (its codewords, its placement) of one byte-mode segment, as
    rows of "0" and "1"."""
    code = qrcode.QRCode(version=version, error_correction=error, border=0,
                         mask_pattern=mask)
    code.add_data(util.QRData(data, mode=util.MODE_8BIT_BYTE))
    code.make(fit=False)
    return ["".join("1" if module else "0" for module in row) for row in code.get_matrix()]


def _most(version: int, error: int) -> int:
    """The most bytes a version holds in one byte-mode segment."""
    count_bits = 8 if version < 10 else 16
    return (util.BIT_LIMIT_TABLE[error][version] - 4 - count_bits) // 8


@pytest.mark.parametrize("error", LEVELS)
def test_codewords_are_qrcodes_own_for_every_version(error):
    rng = random.Random(error)
    for version in range(1, 41):
        most = _most(version, error)
        for size in {1, most // 2, most}:  # with padding, and filling the code
            data = rng.randbytes(size)
            assert list(qr.codewords(data, version, error)) == \
                _qrcode_own(data, version, error), (version, size)


def test_data_too_long_for_the_version_is_refused():
    with pytest.raises(ValueError, match="do not fit in a version 1 QR code"):
        qr.codewords(b"x" * 15, 1, ERROR_CORRECT_M)


def test_the_version_is_the_smallest_that_holds_the_data():
    for version in range(1, 41):
        most = _most(version, ERROR_CORRECT_M)
        assert qr.version_for(b"x" * most) == version
        if version < 40:
            assert qr.version_for(b"x" * (most + 1)) == version + 1
    with pytest.raises(ValueError, match="do not fit in a QR code"):
        qr.version_for(b"x" * (_most(40, ERROR_CORRECT_M) + 1))


def test_the_matrix_is_the_one_qrcode_draws_with_the_same_mask():
    text = "https://verify.example/#LD1." + "A" * 300 + ".sig"
    data = text.encode()
    expected = _qrcode_matrix(data, qr.version_for(data), ERROR_CORRECT_M, qr.MASK)
    assert qr.modules(data) == expected
    assert qr.matrix(text) == [[module == "1" for module in row] for row in expected]


@pytest.mark.parametrize("mask", [qr.MASK, 0, 7])
@pytest.mark.parametrize("error", LEVELS)
def test_the_modules_are_qrcodes_own_for_every_version(error, mask):
    rng = random.Random(mask * 4 + error)
    for version in range(1, 41):
        data = rng.randbytes(rng.randint(1, _most(version, error)))
        assert qr.modules(data, version, error, mask) == \
            _qrcode_matrix(data, version, error, mask), version


def test_a_png_decodes_to_its_text():
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image
    text = "LD1.payload-with-every-char_~!é." + "z" * 200
    image = Image.open(io.BytesIO(qr.png(text)))
    [found] = zxingcpp.read_barcodes(image)
    assert found.text == text


def _page(texts, size):
    """A PDF page with each text's code drawn ``size`` points wide, side by side."""
    from reportlab.pdfgen.canvas import Canvas
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(len(texts) * (size + 20) + 20, size + 40), invariant=1)
    for index, text in enumerate(texts):
        qr.draw(canvas, text, 20 + index * (size + 20), 20, size)
    canvas.save()
    return out.getvalue()


# a label's stone number, a report's token with and without the lab's verify URL, and a
# long URL (version 1 to about 25)
TEXTS = ["D0000042", "LD1." + "x" * 120 + ".sig",
         "https://verify.example.org/lab/#LD1." + "e" * 250 + "." + "s" * 86,
         "https://verify.example.org/a-very-long-path/" + "p" * 700]


@pytest.mark.parametrize("text", TEXTS, ids=["label", "token", "report", "long"])
def test_a_drawn_code_decodes_in_poppler_and_pdfium(text, tmp_path):
    """The code as a report draws it (32 mm, on a page), rendered at 150 dpi by poppler
    (pdftoppm) and by pdfium (the GUI's renderer), then read by zxing-cpp."""
    zxingcpp = pytest.importorskip("zxingcpp")
    import shutil
    import subprocess
    import pypdfium2
    from PIL import Image
    size = 32 * 72 / 25.4
    if len(text) > 500:
        size *= 2  # version 25 at 32 mm is finer than a phone (or 150 dpi) reads
    path = tmp_path / "code.pdf"
    path.write_bytes(_page([text], size))
    document = pypdfium2.PdfDocument(str(path))
    image = document[0].render(scale=150 / 72).to_pil()
    assert [found.text for found in zxingcpp.read_barcodes(image)] == [text]
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "150", str(path), str(tmp_path / "p")],
                       check=True)
        image = Image.open(next(tmp_path.glob("p*.png")))
        assert [found.text for found in zxingcpp.read_barcodes(image)] == [text]


def test_a_drawn_code_is_its_modules_at_any_resolution():
    """Rendered at 4 pixels a module (no smoothing), the page shows exactly the modules,
    and a white quiet zone of four modules around them."""
    import pypdfium2
    text = "LD1." + "x" * 120 + ".sig"
    rows = qr.modules(text.encode())
    n = len(rows) + 2 * qr.BORDER
    document = pypdfium2.PdfDocument(_page([text], n))  # one point a module
    image = document[0].render(scale=4).to_pil().convert("L")
    for r in range(n):
        for c in range(n):
            inside = qr.BORDER <= r < n - qr.BORDER and qr.BORDER <= c < n - qr.BORDER
            dark = inside and rows[r - qr.BORDER][c - qr.BORDER] == "1"
            # the centre of the module's 4 x 4 pixels; the page's top is 20 points above
            pixel = image.getpixel((4 * (20 + c) + 2, 4 * (20 + r) + 2))
            assert (pixel < 64) if dark else (pixel > 192), (r, c, pixel)


def test_the_same_text_draws_the_same_bytes():
    assert _page(TEXTS, 90) == _page(TEXTS, 90)
