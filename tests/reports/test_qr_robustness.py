"""The report's QR code survives what happens to paper (issue 16, item 8): a 150-dpi
scan or photo that is a little out of focus (a Gaussian blur of one pixel, and of one and
a half), and a photocopy (a 300-dpi render saved as JPEG at quality 40, then
thresholded to black and white).  Issued through the Lab, with a realistic long verify
URL and without one (the bare token), rendered by pdfium and by poppler, read by
zxing-cpp; what is read verifies."""
import io
import shutil
import subprocess

import pypdfium2
import pytest
import zxingcpp
from PIL import Image, ImageFilter
from qrcode.constants import ERROR_CORRECT_L, ERROR_CORRECT_M
from reportlab.lib.units import mm

from labdesk.reports import pdf, qr
from support.homes import login_as
from support.labs import approve_stone, receive_stones

LONG_NAME = "Antwerp Diamond Origin Laboratory and Gemmological Institute BVBA"
LONG_URL = "https://verify.antwerp-diamond-origin-laboratory.example/reports/verify/"


def issued(lab, verify_url: str):
    login_as(lab, "admin")
    lab.update_settings(lab_name=LONG_NAME, verify_url=verify_url)
    sub = receive_stones(lab)
    stone = sub.stones[0].number
    approve_stone(lab, stone)
    report = lab.issue_report(stone)
    if verify_url:
        assert report.qr_text == f"{verify_url}#{report.token}"
    else:
        assert report.qr_text == report.token
    return report


def first_page(path, dpi: int, renderer: str, folder=None) -> Image.Image:
    """The first page in grey at ``dpi`` (poppler writes its PNG into ``folder``)."""
    if renderer == "pdfium":
        document = pypdfium2.PdfDocument(str(path))
        try:
            return document[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        finally:
            document.close()
    prefix = folder / f"page-{dpi}"
    subprocess.run(["pdftoppm", "-png", "-gray", "-singlefile", "-r", str(dpi), "-f", "1",
                    "-l", "1", str(path), str(prefix)], check=True)
    with Image.open(f"{prefix}.png") as image:
        return image.convert("L")


def read(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image,
                                                    formats=zxingcpp.BarcodeFormat.QRCode)]


def photocopy(image: Image.Image) -> Image.Image:
    """Saved as JPEG at quality 40, read back and thresholded at mid-grey."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=40)
    buffer.seek(0)
    return Image.open(buffer).convert("L").point(lambda p: 255 if p >= 128 else 0)


RENDERERS = ["pdfium", pytest.param("poppler", marks=pytest.mark.skipif(
    not shutil.which("pdftoppm"), reason="poppler-utils is not installed"))]


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("verify_url", [LONG_URL, ""], ids=["long-url", "bare-token"])
def test_the_report_code_reads_blurred_and_photocopied(lab, verify_url, renderer,
                                                       tmp_path):
    report = issued(lab, verify_url)
    at_150 = first_page(report.pdf_path, 150, renderer, tmp_path)
    for radius in (1, 1.5):
        blurred = at_150.filter(ImageFilter.GaussianBlur(radius))
        assert read(blurred) == [report.qr_text], f"150 dpi, blur {radius} px"
    copied = photocopy(first_page(report.pdf_path, 300, renderer, tmp_path))
    assert copied.getcolors() and {c for _, c in copied.getcolors()} <= {0, 255}
    [text] = read(copied)
    assert text == report.qr_text
    verdict = lab.verify(text)
    assert verdict.valid and verdict.status == "valid" and verdict.report == report.number


def test_the_modules_are_printed_large_enough(lab):
    """0.6 mm a module (3.5 pixels at 150 dpi) for the long URL's code at level M, and a
    code that still fits beside the finding."""
    report = issued(lab, LONG_URL)
    error, size = pdf.qr_geometry(report.qr_text)
    assert error == ERROR_CORRECT_M
    modules = qr.side(report.qr_text, error)
    assert size / modules == pytest.approx(0.6 * mm)
    assert 40 * mm < size <= pdf.QR_LARGEST
    # a short text keeps the smallest size, its modules larger still
    error, size = pdf.qr_geometry("LD1.x.y")
    assert (error, size) == (ERROR_CORRECT_M, pdf.QR_SMALLEST)


def test_a_text_too_long_for_level_m_falls_back_to_l_and_still_reads(tmp_path):
    token = "LD1." + "e" * 300 + "." + "s" * 86
    url = "https://verify.example.org/" + "a-long-path/" * 12
    text = f"{url}#{token}"
    error, size = pdf.qr_geometry(text)
    assert error == ERROR_CORRECT_L and size <= pdf.QR_LARGEST
    assert size / qr.side(text, error) >= 0.55 * mm
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf.build(pdf.ReportData(number="LD26-000001", issued_on="2026-11-29",
                                              lab_name="X", qr_text=text)))
    at_150 = first_page(path, 150, "pdfium")
    assert read(at_150.filter(ImageFilter.GaussianBlur(1))) == [text]
