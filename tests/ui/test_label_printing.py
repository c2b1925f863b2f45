"""Intake labels through the print dialog (issue 17, part 5): the admin chooses the label
stock in Settings (audited), and the Intake page prints on it, each page the roll's label
or the sheet, to the printer chosen in the dialog (here a PDF file printer, offscreen)."""
from __future__ import annotations

import subprocess

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from reportlab.lib.units import inch, mm

from labdesk.core.settings import LABEL_SIZES
from labdesk.ui.views import intake as intake_module
from ui_helpers import login

CLIENT = "Antwerp Brilliant Trading NV"
PAGES = {"62x29mm": (62 * mm, 29 * mm), "2x1in": (2 * inch, 1 * inch),
         "2.25x1.25in": (2.25 * inch, 1.25 * inch), "Letter": (8.5 * inch, 11 * inch),
         "A4": (210 * mm, 297 * mm)}


def page_sizes(path) -> list[tuple[float, float]]:
    document = pdfium.PdfDocument(str(path))
    try:
        return [document[i].get_size() for i in range(len(document))]
    finally:
        document.close()


def set_label_size(lab, size):
    login(lab, "ada")
    lab.update_settings(label_size=size)


def received(window, qtbot, count=3):
    win = window("tom")
    view = win.show_page("intake")
    with qtbot.waitActive(win):   # shortcuts (Ctrl+S, Ctrl+P) need an active window
        win.activateWindow()
    view.client.setText(CLIENT)
    view.grid.paste("".join(f"P-{n}\t0.{40 + n}\n" for n in range(count)))
    qtbot.keyClick(view.grid, Qt.Key_S, Qt.ControlModifier)
    qtbot.waitUntil(lambda: not view.busy and view.labels_button.isEnabled(),
                    timeout=10_000)
    return view


def print_to(out, shown):
    """An ``ask_print`` that chooses a PDF file printer, noting what the dialog showed."""
    def ask_print(parent, printer):
        shown.append((printer.docName(), printer.pageLayout().pageSize().name(),
                      printer.pageLayout().fullRectPoints().size().toTuple()))
        printer.setOutputFormat(QPrinter.PdfFormat)
        printer.setOutputFileName(str(out))
        return True
    return ask_print


@pytest.mark.parametrize("size", ["62x29mm", "2x1in", "2.25x1.25in", "Letter"])
def test_labels_print_on_the_chosen_stock(window, lab, qtbot, tmp_path, monkeypatch, size):
    set_label_size(lab, size)
    view = received(window, qtbot)
    out, shown = tmp_path / "printed.pdf", []
    monkeypatch.setattr(intake_module, "ask_print", print_to(out, shown))
    qtbot.mouseClick(view.labels_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not view.busy and bool(shown), timeout=10_000)
    # the dialog opened on a page of the stock's size, named in words
    [(doc, page_name, page_points)] = shown
    assert doc == f"{view.last_submission} intake labels"
    assert page_points == (round(PAGES[size][0]), round(PAGES[size][1]))
    if size != "Letter":
        assert page_name == LABEL_SIZES[size]
    # a roll: one page a label; a sheet: one page for three labels; each page the stock's
    sizes = page_sizes(out)
    assert len(sizes) == (1 if size == "Letter" else 3)
    for width, height in sizes:
        assert width == pytest.approx(PAGES[size][0], abs=1)
        assert height == pytest.approx(PAGES[size][1], abs=1)
    # what came out of the printer scans: every stone's QR code, at a label printer's 203 dpi
    subprocess.run(["pdftoppm", "-r", "203", "-gray", "-png", str(out),
                    str(tmp_path / "printed")], check=True)
    found = []
    for png in sorted(tmp_path.glob("printed-*.png")):
        image = Image.open(png).point(lambda v: 255 if v >= 128 else 0).convert("L")
        found += [code.text for code in zxingcpp.read_barcodes(image)]
    assert sorted(found) == sorted(view.last_numbers)
    assert view.message.kind == "info"
    assert "Printed the intake labels for 3 stones" in view.message.text()
    assert LABEL_SIZES[size] in view.message.text() and str(out) in view.message.text()


def test_cancelling_the_print_dialog_prints_nothing_and_leaves_no_file(
        window, lab, qtbot, tmp_path, monkeypatch):
    set_label_size(lab, "2x1in")
    view = received(window, qtbot, count=2)
    printers = []

    def cancel(parent, printer):
        printers.append(printer)
        return False
    monkeypatch.setattr(intake_module, "ask_print", cancel)
    made = []
    real = intake_module.label_printer
    monkeypatch.setattr(intake_module, "label_printer",
                        lambda path, *a: made.append(path) or real(path, *a))
    qtbot.keyClick(view.grid, Qt.Key_P, Qt.ControlModifier)   # Ctrl+P prints too
    qtbot.waitUntil(lambda: not view.busy and bool(printers), timeout=10_000)
    assert view.message.text() == "Nothing was printed."
    assert made and not made[0].exists() and not made[0].parent.exists()


def test_the_admin_chooses_the_label_size_in_settings(window, lab, qtbot, tmp_path):
    win = window("ada")
    view = win.show_page("settings")
    combo = view.label_size
    assert combo.isEnabled() and combo.accessibleName() == "Intake label size"
    paper = lab.settings()["paper_size"]
    assert combo.currentData() == paper      # until chosen, labels follow the paper
    # saving another field leaves the label size following the paper
    view.accreditation.setText("ISO/IEC 17025, BELAC 999-TEST")
    assert view.save()
    assert lab.settings()["label_size"] is None
    assert "intake label size" not in view.message.text()
    before = lab.audit_events(action="settings.set").total
    combo.setCurrentIndex(combo.findData("62x29mm"))
    assert view.save()
    assert lab.settings()["label_size"] == "62x29mm"
    assert lab.audit_events(action="settings.set").total == before + 1
    assert view.message.text() == "Saved the intake label size."
    view.grab().save(str(tmp_path / "settings-label-size.png"))
    assert (tmp_path / "settings-label-size.png").stat().st_size > 0
    # the page shows the stored choice when it is read again
    combo.setCurrentIndex(0)
    view.load_profile()
    assert combo.currentText() == LABEL_SIZES["62x29mm"]


def test_the_label_size_cannot_be_changed_by_a_technician(window, lab, qtbot):
    from labdesk.ui.views.settings import SettingsView
    win = window("tom")
    view = SettingsView(lab, win)
    qtbot.addWidget(view)
    view.refresh()
    assert not view.label_size.isEnabled()
    assert "Only an admin" in view.label_size.toolTip()
