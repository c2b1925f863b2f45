"""The Reports page: issue, preview, print, save, revoke and reissue reports."""
from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from ui_helpers import login, password

from labdesk.ui import dialogs
from labdesk.ui.views import reports


def select_ready(qtbot, view, *numbers):
    """Click (Ctrl+click for more) the rows of ``numbers`` on the Ready to issue tab."""
    view.tabs.setCurrentWidget(view.ready_tab)
    view.ready.clearSelection()
    for index, number in enumerate(numbers):
        row = next(r for r in range(view.ready.rowCount())
                   if view.ready.item(r, 0).text() == number)
        rect = view.ready.visualItemRect(view.ready.item(row, 0))
        qtbot.mouseClick(view.ready.viewport(), Qt.LeftButton,
                         Qt.ControlModifier if index else Qt.NoModifier, rect.center())
    assert view.selected_stones() == sorted(numbers)


def pdf_pages(path) -> int:
    document = pdfium.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()


def test_issue_a_report_and_preview_it(window, lab, qtbot):
    win = window("sue")
    view = win.show_page("reports")
    approved = [s.number for s in lab.stones(state="approved").items]
    assert view.ready.rowCount() == len(approved) == 6
    assert view.tabs.tabText(1) == "Ready to issue (6)"
    number = approved[0]
    select_ready(qtbot, view, number)
    assert view.issue_button.isEnabled()
    qtbot.mouseClick(view.issue_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: view.task is None, timeout=10_000)
    assert lab.stone(number).state == "reported"
    report = lab.reports(stone_no=number).items[0]
    assert view.tabs.currentWidget() is view.reports_tab
    assert view.current.number == report.number
    assert view.preview.pages >= 1
    assert report.number in view.heading.text()
    assert view.message.kind == "info" and report.number in view.message.text()
    assert view.ready.rowCount() == 5 and view.tabs.tabText(1) == "Ready to issue (5)"
    assert report.number in [r.number for r in view.model.rows]


def test_issue_several_reports_at_once(window, lab, qtbot):
    win = window("sue")
    view = win.show_page("reports")
    numbers = [s.number for s in lab.stones(state="approved").items][:3]
    select_ready(qtbot, view, *numbers)
    assert view.issue_button.text() == "Issue 3 reports"
    view.issue_button.setFocus()
    qtbot.keyClick(view.issue_button, Qt.Key_Space)
    qtbot.waitUntil(lambda: view.task is None, timeout=15_000)
    assert [lab.stone(n).state for n in numbers] == ["reported"] * 3
    assert view.ready.rowCount() == 3
    assert all(n in view.message.text() for n in numbers)


def test_print_pdf_renders_every_page_into_a_printer(lab, tmp_path, qapp):
    login(lab, "tom")
    report = lab.reports(status="issued").items[0]
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    pages = reports.print_pdf(lab.report_pdf(report.number), printer)
    assert pages == pdf_pages(report.pdf_path) >= 1
    assert out.is_file() and pdf_pages(out) == pages


def test_print_button_uses_the_print_dialog(window, lab, qtbot, tmp_path, monkeypatch):
    out = tmp_path / "via-dialog.pdf"
    shown = []

    def ask_print(parent, printer):
        shown.append(printer.docName())
        printer.setOutputFormat(QPrinter.PdfFormat)
        printer.setOutputFileName(str(out))
        return True
    monkeypatch.setattr(reports, "ask_print", ask_print)
    win = window("tom")
    view = win.show_page("reports")
    number = view.current.number
    qtbot.mouseClick(view.print_button, Qt.LeftButton)
    assert shown == [number]
    assert out.is_file() and pdf_pages(out) >= 1
    assert view.message.kind == "info" and str(out) in view.message.text()
    # cancelling the dialog prints nothing
    out.unlink()
    monkeypatch.setattr(reports, "ask_print", lambda parent, printer: False)
    qtbot.mouseClick(view.print_button, Qt.LeftButton)
    assert not out.exists()


def test_save_as_writes_a_verified_copy(window, lab, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "copy"
    monkeypatch.setattr(dialogs, "ask_save_file",
                        lambda parent, title, suggested, filters: str(target))
    win = window("tom")
    view = win.show_page("reports")
    number = view.current.number
    qtbot.mouseClick(view.save_button, Qt.LeftButton)
    saved = Path(str(target) + ".pdf")
    assert saved.read_bytes() == Path(lab.report(number).pdf_path).read_bytes()
    assert "saved" in view.message.text()


def test_supervisor_revokes_a_report(window, lab, qtbot, monkeypatch):
    asked = []
    monkeypatch.setattr(dialogs, "ask_reason",
                        lambda parent, title, prompt: "Stone later found to be treated.")
    monkeypatch.setattr(dialogs, "ask_password",
                        lambda parent, signer, meaning, subject:
                        asked.append((signer, meaning, subject)) or password("sue"))
    win = window("sue")
    view = win.show_page("reports")
    number = lab.reports(status="issued").items[-1].number
    view.select_report(number)
    assert view.current.number == number
    assert view.revoke_button.isEnabled()
    qtbot.mouseClick(view.revoke_button, Qt.LeftButton)
    assert asked == [("Sue Marchetti", "Revocation of the report", f"report {number}")]
    assert lab.report(number).status == "revoked"
    assert lab.report(number).withdrawn_reason == "Stone later found to be treated."
    row = view.model.row_of(number)
    assert view.model.index(row, 2).data() == "Revoked"
    assert "Revoked" in view.heading.text()
    assert not view.revoke_button.isEnabled()
    assert "only an issued report" in view.revoke_button.toolTip()
    assert lab.verify(lab.report(number).qr_text).status == "revoked"


def test_technician_may_not_revoke(window, lab, qtbot):
    win = window("tom")
    view = win.show_page("reports")
    assert view.current.status == "issued"
    assert not view.revoke_button.isEnabled()
    assert "only a supervisor may revoke" in view.revoke_button.toolTip().lower()


def test_wrong_password_does_not_revoke(window, lab, qtbot, monkeypatch):
    monkeypatch.setattr(dialogs, "ask_reason", lambda *a: "Clerical error in weight.")
    monkeypatch.setattr(dialogs, "ask_password", lambda *a, **k: "wrong")
    win = window("sam")
    view = win.show_page("reports")
    number = view.current.number
    qtbot.mouseClick(view.revoke_button, Qt.LeftButton)
    assert view.message.kind == "error" and "password" in view.message.text()
    assert lab.report(number).status == "issued"


def test_search_box_opens_a_report_whatever_the_filter(window, lab, qtbot):
    win = window("tom")
    view = win.show_page("reports")
    view.status.setCurrentIndex(view.status.findData("revoked"))
    assert all(r.status == "revoked" for r in view.model.rows)
    number = lab.reports(status="issued").items[0].number
    qtbot.keyClicks(win.search, number.lower())
    qtbot.keyClick(win.search, Qt.Key_Return)
    assert win.stack.currentWidget() is view
    assert view.current.number == number
    assert view.status.currentData() is None
    assert view.table.currentIndex().row() == view.model.row_of(number)


def test_reissue_after_reopening_supersedes_the_old_report(window, lab, qtbot):
    login(lab, "sue")
    old = lab.reports(status="issued").items[-1]
    lab.reopen(old.stone, "Colour regraded after a second look.")
    login(lab, "tom")
    lab.update_stone(old.stone, colour="H")
    lab.propose_finding(old.stone, "non_russian", old.claim.get("mc"),
                        statement="Unchanged evidence; colour corrected.")
    login(lab, "sam")
    lab.approve(old.stone, password=password("sam"))
    win = window("sue")
    view = win.show_page("reports")
    row = next(r for r in range(view.ready.rowCount())
               if view.ready.item(r, 0).text() == old.stone)
    assert view.ready.item(row, 8).text() == f"Reissue: replaces {old.number}"
    select_ready(qtbot, view, old.stone)
    qtbot.mouseClick(view.issue_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: view.task is None, timeout=10_000)
    new = view.current
    assert new.stone == old.stone and new.number != old.number
    assert new.supersedes == old.number
    assert lab.report(old.number).superseded_by == new.number
    assert "Replaces " + old.number in view.details.text()
