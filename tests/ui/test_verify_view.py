"""The Verify page: scanner or pasted text, an opened or dropped image or PDF, verdicts."""
import pypdfium2 as pdfium
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from ui_helpers import login

from labdesk.ui import dialogs


def issued(lab):
    login(lab, "tom")
    return lab.reports(status="issued").items[0]


def forge(token: str) -> str:
    """Change one character of the signature: the claim still reads, the signature fails."""
    head, claim, signature = token.split(".")
    swapped = "A" if signature[10] != "A" else "B"
    return f"{head}.{claim}.{signature[:10]}{swapped}{signature[11:]}"


def drop(view, mime):
    """Drag ``mime`` onto the page and drop it, as a file manager would."""
    centre = view.rect().center()
    enter = QDragEnterEvent(centre, Qt.CopyAction, mime, Qt.LeftButton,
                            Qt.NoModifier)
    QApplication.sendEvent(view, enter)
    assert enter.isAccepted()
    event = QDropEvent(QPointF(centre), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(view, event)
    return event


def file_mime(path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    return mime


def test_scanner_input_shows_a_valid_verdict_and_the_claim(window, lab, qtbot):
    report = issued(lab)
    win = window("tom")
    view = win.show_page("verify")
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)
    assert QApplication.focusWidget() is view.input
    assert view.verdict.objectName() == "Verdict"
    # a scanner types the QR text and presses Enter
    qtbot.keyClicks(view.input, report.qr_text)
    qtbot.keyClick(view.input, Qt.Key_Return)
    assert view.result.status == "valid"
    assert "Valid" in view.verdict.text() and view.verdict_kind == "valid"
    assert "Genuine" in view.summary.text()
    claim = report.claim
    assert view.facts["Report number"].text() == report.number
    assert view.facts["Carat weight"].text() == f"{claim['w']} ct"
    assert view.facts["Date of issue"].text() == claim["d"]
    assert view.facts["Origin"].text() == "Not of Russian origin"
    assert view.facts["Natural or laboratory-grown"].text() in ("Natural",
                                                                "Laboratory-grown")
    assert "(" + claim["mc"] + ")" in view.facts["Mining country"].text()
    assert view.facts["Signing key"].text() == report.kid
    # the field is selected, so the next scan replaces it
    assert view.input.selectedText() == report.qr_text
    assert view.open_report.isVisible()
    qtbot.mouseClick(view.open_report, Qt.LeftButton)
    assert win.stack.currentWidget() is win.views["reports"]
    assert win.views["reports"].current.number == report.number


def test_a_forged_token_is_called_forged(window, lab, qtbot):
    report = issued(lab)
    win = window("tom")
    view = win.show_page("verify")
    view.input.setText(forge(report.token))
    qtbot.mouseClick(view.verify_button, Qt.LeftButton)
    assert view.result.status == "forged"
    assert "Forged" in view.verdict.text() and view.verdict_kind == "bad"
    assert "Not genuine" in view.summary.text()
    assert "signature" in view.problems.text()
    assert not view.open_report.isVisible()
    # rubbish is malformed, and the claim's facts are cleared
    view.input.setText("hello")
    qtbot.keyClick(view.input, Qt.Key_Return)
    assert view.result.status == "malformed" and view.verdict_kind == "bad"
    assert view.facts["Report number"].text() == "—"


def test_revoked_and_superseded_reports(window, lab, qtbot):
    login(lab, "tom")
    revoked = lab.reports(status="revoked").items[0]
    superseded = lab.reports(status="superseded").items[0]
    win = window("tom")
    view = win.show_page("verify")
    view.verify_text(revoked.qr_text)
    assert "Revoked" in view.verdict.text() and view.verdict_kind == "bad"
    assert revoked.withdrawn_reason in view.summary.text()
    view.verify_text(superseded.qr_text)
    assert "Superseded" in view.verdict.text() and view.verdict_kind == "warn"
    assert view.open_successor.isVisible()
    qtbot.mouseClick(view.open_successor, Qt.LeftButton)
    assert win.views["reports"].current.number == superseded.superseded_by


def test_search_box_sends_a_token_to_verify(window, lab, qtbot):
    report = issued(lab)
    win = window("tom")
    win.search.setText(report.token)
    qtbot.keyClick(win.search, Qt.Key_Return)
    view = win.views["verify"]
    assert win.stack.currentWidget() is view
    assert view.result.status == "valid" and view.result.report == report.number


def test_open_a_report_pdf(window, lab, qtbot, monkeypatch):
    report = issued(lab)
    path = lab.report_pdf(report.number)
    monkeypatch.setattr(dialogs, "ask_open_file", lambda parent, title, filters: str(path))
    win = window("tom")
    view = win.show_page("verify")
    qtbot.mouseClick(view.open_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: view.task is None and view.result is not None, timeout=10_000)
    assert view.result.status == "valid" and view.result.report == report.number
    assert view.verdict_kind == "valid"
    assert path.name in view.source.text()
    assert view.input.text() == report.qr_text


def test_drop_a_photo_of_a_report(window, lab, qtbot, tmp_path):
    report = issued(lab)
    document = pdfium.PdfDocument(str(lab.report_pdf(report.number)))
    try:
        photo = tmp_path / "photo.png"
        document[0].render(scale=2).to_pil().save(photo)
    finally:
        document.close()
    win = window("tom")
    view = win.show_page("verify")
    event = drop(view, file_mime(photo))
    assert event.isAccepted()
    qtbot.waitUntil(lambda: view.task is None and view.result is not None, timeout=10_000)
    assert view.result.status == "valid" and view.result.report == report.number
    assert "photo.png" in view.source.text()


def test_dropped_files_without_a_code_say_so(window, lab, qtbot, tmp_path):
    blank = tmp_path / "blank.png"
    Image.new("RGB", (200, 200), "white").save(blank)
    text = tmp_path / "notes.txt"
    text.write_text("not a picture")
    win = window("tom")
    view = win.show_page("verify")
    drop(view, file_mime(blank))
    qtbot.waitUntil(lambda: view.task is None, timeout=10_000)
    assert view.message.kind == "error" and "No QR code" in view.message.text()
    assert view.result is None
    drop(view, file_mime(text))
    qtbot.waitUntil(lambda: view.task is None, timeout=10_000)
    assert view.message.kind == "error"
    assert "neither an image nor a PDF" in view.message.text()


def test_dropped_text_is_verified(window, lab, qtbot):
    report = issued(lab)
    win = window("tom")
    view = win.show_page("verify")
    mime = QMimeData()
    mime.setText(report.qr_text.split("#")[0] + "#" + forge(report.token))
    drop(view, mime)
    assert view.result.status == "forged" and view.verdict_kind == "bad"
