"""The Reports page shows, prints and saves a revoked report with its withdrawal stamped
across every page; an issued report as it was issued (issue 16, item 19)."""
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QLabel
from ui_helpers import password

from labdesk.ui import dialogs
from labdesk.ui.views import reports

REASON = "Stone later found to be treated."


def is_red(rgb) -> bool:
    r, g, b = rgb[:3]
    return r > 150 and g < 90 and b < 90


def preview_tops(qtbot, view) -> list[tuple]:
    """The colour at the top middle of each page the preview shows."""
    qtbot.wait(10)  # the pages of the report shown before are deleted
    labels = [w for w in view.preview.widget().findChildren(QLabel)
              if w.accessibleName().startswith("Page ") and w.pixmap() is not None]
    tops = []
    for label in labels:
        image = label.pixmap().toImage()
        colour = image.pixelColor(image.width() // 2, 4)
        tops.append((colour.red(), colour.green(), colour.blue()))
    return tops


def pdf_tops(path) -> list[tuple]:
    document = pdfium.PdfDocument(str(path))
    try:
        tops = []
        for index in range(len(document)):
            image = document[index].render(scale=1).to_pil().convert("RGB")
            tops.append(image.getpixel((image.width // 2, 4)))
        return tops
    finally:
        document.close()


def test_a_revoked_report_is_shown_printed_and_saved_stamped(window, lab, qtbot, tmp_path,
                                                            monkeypatch):
    monkeypatch.setattr(dialogs, "ask_reason", lambda parent, title, prompt: REASON)
    monkeypatch.setattr(dialogs, "ask_password", lambda *a, **k: password("sue"))
    printed = tmp_path / "printed.pdf"

    def ask_print(parent, printer):
        printer.setOutputFormat(QPrinter.PdfFormat)
        printer.setOutputFileName(str(printed))
        return True
    monkeypatch.setattr(reports, "ask_print", ask_print)
    saved = tmp_path / "saved.pdf"
    monkeypatch.setattr(dialogs, "ask_save_file", lambda *a: str(saved))

    win = window("sue")
    view = win.show_page("reports")
    number = lab.reports(status="issued").items[-1].number
    view.select_report(number)
    # issued: shown as issued, no stamp
    assert view.preview.pages >= 1
    assert not any(is_red(top) for top in preview_tops(qtbot, view))

    qtbot.mouseClick(view.revoke_button, Qt.LeftButton)
    report = lab.report(number)
    assert report.status == "revoked"
    original = Path(report.pdf_path).read_bytes()
    words = f"REVOKED on {report.withdrawn_at[:10]}: {REASON}"

    # shown: the preview, drawn again after the revocation, has the red band on every page
    tops = preview_tops(qtbot, view)
    assert tops and len(tops) == view.preview.pages and all(is_red(t) for t in tops)

    # printed: every printed page carries it
    qtbot.mouseClick(view.print_button, Qt.LeftButton)
    assert printed.is_file() and all(is_red(t) for t in pdf_tops(printed))

    # saved: every page says it in words
    qtbot.mouseClick(view.save_button, Qt.LeftButton)
    text = subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = [" ".join(page.split()) for page in text.split("\f")[:-1]]
    assert pages and all(words in page for page in pages)

    # the archive keeps the PDF as issued
    assert Path(report.pdf_path).read_bytes() == original
    assert lab.report_pdf(number, original=True).read_bytes() == original
    assert words.encode() not in original
