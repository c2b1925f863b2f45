"""The Stone page: facts, evidence and documents, assessment, finding, history."""
from PySide6.QtCore import QDate, QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from labdesk.core import grading
from labdesk.core.evidence import KIND_FIELDS
from labdesk.ui import dialogs
from ui_helpers import login, password


def _open(window, lab, username="tom", state="received", number=None):
    win = window(username)
    if number is None:
        number = lab.stones(state=state, limit=1).items[0].number
    win.open_stone(number)
    view = win.stone_view
    assert win.stack.currentWidget() is view and view.number == number
    return win, view, number


def _history_texts(view):
    table = view.history_table
    return [" | ".join(table.item(r, c).text() for c in range(table.columnCount()))
            for r in range(table.rowCount())]


def _drag_enter(mime):
    """A drag entering with ``mime``: PySide6 6.12 takes a QPointF (QPoint deprecated),
    older versions a QPoint only."""
    try:
        return QDragEnterEvent(QPointF(20, 20), Qt.CopyAction, mime, Qt.LeftButton,
                               Qt.NoModifier)
    except TypeError:
        return QDragEnterEvent(QPoint(20, 20), Qt.CopyAction, mime, Qt.LeftButton,
                               Qt.NoModifier)


def _pdf(path):
    from reportlab.pdfgen import canvas
    c = canvas.Canvas(str(path))
    c.drawString(72, 720, "Kimberley Process certificate BW-TEST-1")
    c.showPage()
    c.save()
    return path


def _png(path, colour=(200, 30, 30)):
    from PIL import Image
    Image.new("RGB", (120, 80), colour).save(path, "PNG")
    return path


def test_header_and_tabs_show_the_stone(window, lab):
    win, view, number = _open(window, lab)
    stone = lab.stone(number)
    header = view.header.text()
    for part in (number, stone.client, stone.weight, "Received"):
        assert part in header
    assert not view.banner.isVisible()
    assert [view.tabs.tabText(i).replace("&", "") for i in range(view.tabs.count())] == \
        ["Facts", "Evidence  documents", "Assessment", "Finding", "History", "Custody"]
    assert view.facts["colour"].text() == stone.colour
    assert view.facts["shape"].currentData() == stone.shape
    assert view.facts["shape"].currentText() == grading.label(stone.shape)


def test_change_colour_and_save_is_recorded_in_history(window, lab, qtbot):
    win, view, number = _open(window, lab)
    old = lab.stone(number).colour
    new = "G" if old != "G" else "H"
    assert not view.save_button.isEnabled()          # nothing changed yet
    view.facts["colour"].selectAll()
    qtbot.keyClicks(view.facts["colour"], new)
    assert view.save_button.isEnabled()
    qtbot.mouseClick(view.save_button, Qt.LeftButton)
    assert lab.stone(number).colour == new
    assert view.message.kind == "info" and f"{old} → {new}" in view.message.text()
    assert not view.save_button.isEnabled()
    view.tabs.setCurrentIndex(4)
    newest = _history_texts(view)[0]
    assert "Grading facts changed" in newest and f"Colour: {old} → {new}" in newest
    assert "Tom Becker (tom)" in newest


def test_history_names_the_intake_event_a_stone_was_recorded_in(window, lab):
    from ui_helpers import login
    login(lab, "tom")
    sub = lab.receive("Big Parcel NV", [{"weight": "0.31", "client_ref": f"BP-{i}"}
                                        for i in range(1200)])
    win = window("tom")
    win.open_stone(sub.stones[1100].number)
    view = win.stone_view
    view.tabs.setCurrentIndex(4)
    received = [t for t in _history_texts(view) if "Stone received" in t]
    assert len(received) == 1
    assert "added: 0.310 ct\none of 200 stones recorded in this event" in received[0]


def activate(qtbot, win):
    """Keyboard shortcuts reach the active window only."""
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)


def test_ctrl_s_saves_the_facts(window, lab, qtbot):
    win, view, number = _open(window, lab)
    activate(qtbot, win)
    assert win.current_key() == "stone"   # activating the window keeps the stone shown
    view.facts["inscription"].setText("GIA 1234")
    view.facts["inscription"].setFocus()
    qtbot.keyClick(view.facts["inscription"], Qt.Key_S, Qt.ControlModifier)
    assert lab.stone(number).inscription == "GIA 1234"


def test_bad_weight_names_the_field_and_changes_nothing(window, lab, qtbot):
    win, view, number = _open(window, lab)
    before = lab.stone(number)
    view.facts["weight"].setText("heavy")
    view.facts["colour"].setText("Z" if before.colour != "Z" else "Y")
    qtbot.mouseClick(view.save_button, Qt.LeftButton)
    assert view.message.kind == "error"
    assert "weight" in view.message.text().lower()
    assert view.facts["weight"].property("invalid") is True
    after = lab.stone(number)
    assert (after.weight, after.colour, after.updated_at) == \
        (before.weight, before.colour, before.updated_at)
    view.facts["weight"].setText(before.weight)      # fixed: the save goes through
    qtbot.mouseClick(view.save_button, Qt.LeftButton)
    assert view.message.kind == "info"
    assert lab.stone(number).colour != before.colour


def test_growth_method_is_cleared_for_a_natural_stone(window, lab, qtbot):
    win, view, number = _open(window, lab)
    ident, growth = view.facts["identification"], view.facts["growth_method"]
    ident.setCurrentIndex(ident.findData("laboratory_grown"))
    assert growth.isEnabled()
    growth.setCurrentIndex(growth.findData("CVD"))
    ident.setCurrentIndex(ident.findData("natural"))
    assert growth.currentData() is None and not growth.isEnabled()


def test_add_kp_certificate_through_the_form(window, lab, qtbot):
    win, view, number = _open(window, lab)
    count = len(lab.stone_detail(number).evidence)
    view.tabs.setCurrentIndex(1)
    qtbot.mouseClick(view.add_button, Qt.LeftButton)
    form = view.form
    assert form.evidence is None and form.kind.isEnabled()
    form.kind.setCurrentIndex(form.kind.findData("kp_certificate"))
    assert set(form.widgets) == set(KIND_FIELDS["kp_certificate"])
    form.target.setCurrentIndex(0)                   # this stone
    qtbot.keyClicks(form.widgets["reference"], "BW2026999")
    qtbot.keyClicks(form.widgets["issuing_country"], "bw")
    form.widgets["issued_on"].set_value("2026-01-15")
    qtbot.keyClicks(form.widgets["origin_countries"], "BW")
    form.widgets["origin_type"].setCurrentIndex(
        form.widgets["origin_type"].findData("single"))
    qtbot.keyClicks(form.widgets["weight"], "2.5")
    assert form.widgets["expires_on"].value() is None     # a date left empty
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    assert view.message.kind == "info", view.message.text()
    evidence = lab.stone_detail(number).evidence
    assert len(evidence) == count + 1
    added = next(e for e in evidence if e.reference == "BW2026999")
    assert added.kind == "kp_certificate" and added.level == "stone"
    assert added.issuing_country == "BW" and added.origin_countries == ["BW"]
    assert str(added.issued_on) == "2026-01-15" and added.expires_on is None
    assert added.weight == "2.500"
    # the new evidence is selected and shown in the list in words
    assert view.selected_evidence().id == added.id
    kinds = [view.evidence_table.item(r, 0).text()
             for r in range(view.evidence_table.rowCount())]
    assert "Kimberley Process certificate" in kinds


def test_evidence_form_errors_name_the_field(window, lab, qtbot):
    win, view, number = _open(window, lab)
    view.add_evidence("kp_certificate")
    form = view.form
    qtbot.keyClicks(form.widgets["reference"], "X1")
    qtbot.keyClicks(form.widgets["origin_countries"], "BW, XX")
    before = len(lab.stone_detail(number).evidence)
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    assert view.message.kind == "error"
    assert "Countries of origin" in view.message.text()
    assert form.widgets["origin_countries"].property("invalid") is True
    assert len(lab.stone_detail(number).evidence) == before


def test_edit_evidence_saves_only_changed_fields(window, lab, qtbot):
    win, view, number = _open(window, lab)
    view.tabs.setCurrentIndex(1)
    own = next(r for r in range(view.evidence_table.rowCount())
               if view.evidence_table.item(r, 2).text() == "this stone")
    view.evidence_table.selectRow(own)
    ev = view.selected_evidence()
    form = view.form
    assert form.evidence.id == ev.id and not form.kind.isEnabled()
    assert not form.save_button.isEnabled()          # nothing changed yet
    form.widgets["issuer"].setText("Edited issuer")
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    assert lab.evidence(ev.id).issuer == "Edited issuer"
    assert lab.evidence(ev.id).reference == ev.reference


def _select_own_evidence(view):
    view.tabs.setCurrentIndex(1)
    own = next(r for r in range(view.evidence_table.rowCount())
               if view.evidence_table.item(r, 2).text() == "this stone")
    view.evidence_table.selectRow(own)
    return view.selected_evidence()


def test_attach_pdf_shows_sha256_integrity_and_preview(window, lab, qtbot, tmp_path,
                                                       monkeypatch):
    win, view, number = _open(window, lab)
    ev = _select_own_evidence(view)
    pdf = _pdf(tmp_path / "kp-scan.pdf")
    asked = []
    monkeypatch.setattr(dialogs, "ask_open_file",
                        lambda parent, title, filters: asked.append(title) or str(pdf))
    panel = view.documents
    assert panel.attach_button.isEnabled()
    qtbot.mouseClick(panel.attach_button, Qt.LeftButton)
    assert asked
    attached = lab.evidence(ev.id).attachments
    assert len(attached) == len(ev.attachments) + 1
    sha = next(a.sha256 for a in attached if a.filename == "kp-scan.pdf")
    row = next(r for r in range(panel.table.rowCount())
               if panel.table.item(r, 0).text() == "kp-scan.pdf")
    assert panel.table.item(row, 3).text() == sha[:12] + "…"
    assert sha in panel.table.item(row, 3).toolTip()
    assert panel.table.item(row, 4).text().startswith("✔")
    assert panel.table.currentRow() == row
    assert panel.preview.currentWidget() is panel.pdf and panel.pdf.pages >= 1
    assert "kp-scan.pdf" in view.message.text()


def test_drop_a_png_attaches_it_with_a_thumbnail(window, lab, qtbot, tmp_path):
    win, view, number = _open(window, lab)
    view.facts["inscription"].setText("typed, not saved")
    ev = _select_own_evidence(view)
    png = _png(tmp_path / "invoice-scan.png")
    panel = view.documents
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(png))])
    enter = _drag_enter(mime)
    QApplication.sendEvent(panel, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(20, 20), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(panel, drop)
    attached = lab.evidence(ev.id).attachments
    assert "invoice-scan.png" in [a.filename for a in attached]
    row = next(r for r in range(panel.table.rowCount())
               if panel.table.item(r, 0).text() == "invoice-scan.png")
    assert not panel.table.item(row, 0).icon().isNull()      # the thumbnail
    assert panel.preview.currentWidget() is panel.image_area
    assert panel.image.pixmap() is not None and not panel.image.pixmap().isNull()
    # what was typed into the facts and not saved yet is still there
    assert view.facts["inscription"].text() == "typed, not saved"
    assert "inscription" in view.fact_changes()


def test_dropping_on_frozen_parcel_evidence_is_refused(window, lab, qtbot, tmp_path):
    win, view, number = _open(window, lab, state="proposed")
    view.tabs.setCurrentIndex(1)
    view.evidence_table.selectRow(0)
    panel = view.documents
    assert not panel.attach_button.isEnabled()
    assert "awaiting review" in panel.attach_button.toolTip()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(_png(tmp_path / "x.png")))])
    enter = _drag_enter(mime)
    QApplication.sendEvent(panel, enter)
    assert not enter.isAccepted()
    assert view.message.kind == "error"


def test_altered_document_is_marked_and_not_shown(window, lab, qtbot):
    login(lab, "tom")
    number = lab.stones(state="received", limit=1).items[0].number
    ev = next(e for e in lab.stone_detail(number).evidence if e.attachments)
    att = ev.attachments[0]
    path = lab.document_path(att.sha256)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes() + b"tampered")
    win, view, _ = _open(window, lab, number=number)
    view.tabs.setCurrentIndex(1)
    row = next(r for r in range(view.evidence_table.rowCount())
               if view.evidence_table.item(r, 0).data(Qt.UserRole) == ev.id)
    view.evidence_table.selectRow(row)
    panel = view.documents
    mark = panel.table.item(0, 4)
    assert mark.text().startswith("✖") and "altered" in mark.toolTip()
    assert panel.preview.currentWidget() is panel.placeholder
    assert "not shown" in panel.placeholder.text()


def test_locked_stone_shows_banner_and_disables_inputs(window, lab, qtbot):
    win, view, number = _open(window, lab, state="approved")
    assert view.banner.isVisible() and view.banner.objectName() == "Locked"
    assert view.banner.text().startswith("Locked")
    assert all(not w.isEnabled() for w in view.facts.values())
    assert not view.save_button.isEnabled() and "locked" in view.save_button.toolTip()
    view.tabs.setCurrentIndex(1)
    assert "Locked" in [view.evidence_table.item(r, 4).text()
                        for r in range(view.evidence_table.rowCount())]
    assert not view.add_button.isEnabled()
    view.evidence_table.selectRow(0)
    assert not view.documents.attach_button.isEnabled()
    assert not view.form.save_button.isEnabled()
    assert not view.propose_button.isEnabled()
    assert "approved" in view.propose_button.toolTip()
    # a technician may not reopen; the button says why
    assert not view.reopen_button.isEnabled()
    assert "supervisor" in view.reopen_button.toolTip()


def test_proposed_stone_is_frozen(window, lab):
    win, view, number = _open(window, lab, state="proposed")
    assert view.banner.isVisible() and "awaits" in view.banner.text()
    assert not view.facts["colour"].isEnabled()
    assert not view.propose_button.isEnabled()
    assert "awaiting review" in view.propose_button.toolTip()


def test_propose_finding_from_a_received_stone(window, lab, qtbot):
    win, view, number = _open(window, lab)
    view.tabs.setCurrentIndex(3)
    assert view.propose_button.isEnabled()
    view.origin.setCurrentIndex(view.origin.findData("non_russian"))
    qtbot.keyClicks(view.mining_country, "bw")
    assert view.mining_country_name.text() == "Botswana"
    qtbot.keyClicks(view.statement, "Parcel KP certificate names Botswana.")
    qtbot.mouseClick(view.propose_button, Qt.LeftButton)
    assert view.message.kind == "info", view.message.text()
    assert lab.stone(number).state == "proposed"
    finding = lab.finding(number)
    assert (finding.origin, finding.mining_country) == ("non_russian", "BW")
    assert view.banner.isVisible() and "Proposed" in view.header.text()
    assert "Not of Russian origin" in view.finding_fields["origin"].text()
    assert not view.propose_button.isEnabled()
    view.tabs.setCurrentIndex(4)
    assert any("Finding proposed" in t for t in _history_texts(view))


def test_propose_without_origin_names_the_field(window, lab, qtbot):
    win, view, number = _open(window, lab)
    view.tabs.setCurrentIndex(3)
    qtbot.mouseClick(view.propose_button, Qt.LeftButton)
    assert view.message.kind == "error" and "origin" in view.message.text()
    assert lab.stone(number).state == "received"


def test_assessment_shows_eu_us_uk_with_reasons(window, lab, qtbot):
    win, view, number = _open(window, lab)
    view.tabs.setCurrentIndex(2)
    for code in ("EU", "US", "UK"):
        expected = lab.assess(number, code)
        assert view.outcomes[code].text() in ("Clear", "Evidence insufficient",
                                              "Prohibited")
        assert view.outcomes[code].property("outcome") == expected.outcome
        assert expected.ruleset in view.scopes[code].text()
        text = view.reasons[code].toPlainText()
        assert expected.reasons and expected.reasons[0] in text
    # on an earlier date the rules then in force apply
    view.assess_on.setDate(QDate(2024, 2, 1))
    assert "2024-02-01" in view.scopes["EU"].text()
    assert lab.assess(number, "EU", on="2024-02-01").reasons[0] in \
        view.reasons["EU"].toPlainText()


def test_supervisor_reopens_a_locked_stone(window, lab, qtbot, monkeypatch):
    win, view, number = _open(window, lab, username="sue", state="approved")
    assert view.reopen_button.isEnabled()
    monkeypatch.setattr(dialogs, "ask_reason", lambda *a, **k: "Colour regraded")
    signed = []
    monkeypatch.setattr(dialogs, "ask_password",
                        lambda parent, signer, meaning, subject:
                        signed.append((signer, meaning)) or password("sue"))
    qtbot.mouseClick(view.reopen_button, Qt.LeftButton)
    assert signed and signed[0][0] == "Sue Marchetti"
    assert lab.stone(number).state == "received"
    assert not view.banner.isVisible()
    assert view.facts["colour"].isEnabled()
    history = _history_texts(view)
    assert any("Reopened" in t and "Reason: Colour regraded" in t for t in history)
    assert any("Signed (reopening) by Sue Marchetti" in t for t in history)


def test_reopen_with_a_wrong_password_changes_nothing(window, lab, qtbot, monkeypatch):
    win, view, number = _open(window, lab, username="sue", state="approved")
    monkeypatch.setattr(dialogs, "ask_reason", lambda *a, **k: "Colour regraded")
    monkeypatch.setattr(dialogs, "ask_password", lambda *a, **k: "wrong")
    qtbot.mouseClick(view.reopen_button, Qt.LeftButton)
    assert view.message.kind == "error" and "password" in view.message.text()
    assert lab.stone(number).state == "approved"


def test_history_is_newest_first_in_words(window, lab):
    win, view, number = _open(window, lab, state="reported")
    events = lab.history(number)
    table = view.history_table
    assert table.rowCount() == len(events)
    assert table.item(0, 0).data(Qt.UserRole) == events[-1].id
    actions = [table.item(r, 2).text() for r in range(table.rowCount())]
    assert "Report issued" in actions and "Finding approved" in actions
    assert not any("." in a for a in actions)                 # words, not codes
    signed = [table.item(r, 4).text() for r in range(table.rowCount())
              if table.item(r, 2).text() == "Finding approved"]
    assert signed and signed[0].startswith("Signed (approval) by ")
