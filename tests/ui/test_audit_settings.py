"""The Audit page (the chain, its filters, the integrity check) and the Settings page
(profile and logo, users, keys, backups), driven through their widgets."""
import datetime as dt
import os

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage

from labdesk.lab import Lab
from labdesk.ui import dialogs
from labdesk.ui.views import audit as audit_module
from labdesk.ui.views import settings as settings_module
from ui_helpers import login, password


def _column(view, name):
    return [c[0] for c in audit_module.COLUMNS].index(name)


def _texts(view, name):
    column = _column(view, name)
    model = view.model
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def _activate(win, qtbot):
    """Make the window the active one, so its keyboard shortcuts fire."""
    win.windowHandle().requestActivate()
    qtbot.waitUntil(win.isActiveWindow)


def _tick(qtbot, checkbox):
    qtbot.mouseClick(checkbox, Qt.LeftButton, pos=QPoint(8, checkbox.height() // 2))


def _choose(combo, data):
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


# ---------------------------------------------------------------------- audit
def test_audit_table_lists_the_chain_in_words_and_filters(window, lab, qtbot):
    login(lab, "tom")  # enough events for a second page
    sub = lab.receive("Paging Gems", [{"weight": "0.3"}, {"weight": "0.4"}])
    for n in range(12):
        lab.update_stone(sub.stones[n % 2].number, notes=f"paging note {n}")
    win = window("sue")
    view = win.show_page("audit")
    total = lab.audit_events().total
    assert view.model.total == total > 200
    assert view.model.rowCount() == 200
    assert f"{total} events" in view.count.text()

    _choose(view.user, "tom")
    assert view.model.total == lab.audit_events(actor="tom").total
    assert set(_texts(view, "actor")) == {"Tom Becker (tom)"}  # as a stone's History

    _choose(view.user, None)
    _choose(view.action, "report.revoke")
    assert view.model.rowCount() == 1
    [record] = _texts(view, "record")
    [changed] = _texts(view, "changed")
    assert record.startswith("Report LD")
    assert "Signed (revocation) by Sue Marchetti" in changed
    assert "Status: Issued → Revoked" in changed
    assert "Clerical error" in changed
    [digest] = _texts(view, "hash")
    assert len(digest) == 12 and lab.audit_events(action="report.revoke").items[0] \
        .hash.startswith(digest)

    _choose(view.action, "finding.approve")
    assert all(c.startswith("Signed (approval) by") for c in _texts(view, "changed"))

    _choose(view.action, "stone.receive")  # one event per intake, naming its stones
    first, last = sub.stones[0].number, sub.stones[-1].number
    assert _texts(view, "record")[0] == f"Stones {first}–{last}"
    assert _texts(view, "changed")[0] == "added 2 stones"
    view.table.selectRow(0)  # the detail pane reads the batch's snapshots when shown
    assert f'"number": "{last}"' in view.details.toPlainText()
    assert f"Record: Stones {first}–{last}" in view.details.toPlainText()

    # a date filter: nothing happened tomorrow; a wrong date is said, not raised
    _choose(view.action, None)
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    qtbot.keyClicks(view.date_from, tomorrow)
    qtbot.keyClick(view.date_from, Qt.Key_Return)
    assert view.model.rowCount() == 0 and "0 events match" in view.count.text()
    view.date_from.clear()
    qtbot.keyClicks(view.date_from, "31/12/2026")
    qtbot.keyClick(view.date_from, Qt.Key_Return)
    assert view.message.kind == "error" and "date" in view.message.text()
    qtbot.mouseClick(view.clear_filters, Qt.LeftButton)
    assert view.date_from.text() == "" and view.model.total == total
    assert view.message.kind is None


def test_audit_fetches_more_on_demand_and_shows_details(window, lab, qtbot, monkeypatch):
    monkeypatch.setattr(audit_module.AuditModel, "page_size", 50)
    win = window("tom")
    view = win.show_page("audit")
    assert view.model.rowCount() == 50 and view.model.canFetchMore()
    view.table.scrollToBottom()
    qtbot.waitUntil(lambda: view.model.rowCount() > 50)
    ids = [e.id for e in view.model.rows]
    assert len(set(ids)) == len(ids) and ids == sorted(ids, reverse=True)
    view.table.selectRow(0)
    first = view.model.rows[0]
    assert first.hash in view.details.toPlainText()
    # a user's password hash never shows
    _choose(view.action, "user.add")
    view.table.selectRow(0)
    assert "password_hash" in view.details.toPlainText()
    assert "(hidden)" in view.details.toPlainText()
    assert "sha256:" not in view.details.toPlainText()


def test_double_click_on_a_stone_event_opens_the_stone(window, lab, qtbot):
    win = window("tom")
    view = win.show_page("audit")
    _choose(view.action, "stone.update")
    index = view.model.index(0, _column(view, "record"))
    number = view.model.data(index).split()[-1]
    rect = view.table.visualRect(index)
    qtbot.mouseClick(view.table.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.table.viewport(), Qt.LeftButton, pos=rect.center())
    assert win.stack.currentWidget() is win.stone_view
    assert win.stone_view.number == number


def test_integrity_check_passes_with_a_progress_dialog(window, lab, qtbot):
    win = window("tom")
    view = win.show_page("audit")
    qtbot.mouseClick(view.check_button, Qt.LeftButton)
    assert not view.check_button.isEnabled()
    qtbot.waitUntil(lambda: view.task is None, timeout=20_000)
    assert view.check_button.isEnabled()
    assert view.result.isVisible() and view.result.property("kind") == "ok"
    events = lab.audit_events().total
    assert view.result.text().startswith(f"Integrity check passed: {events} events, ")
    assert not view.problems.isVisible()


def _check_now(view, qtbot):
    qtbot.mouseClick(view.check_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: view.task is None and view.result.isVisible(), timeout=20_000)


def test_an_admin_rebuilds_a_damaged_search_index_from_the_check(window, lab, qtbot):
    lab._db.execute("DELETE FROM stones_fts WHERE rowid IN (1, 2)")  # behind its back
    win = window("ada")
    view = win.show_page("audit")
    assert not view.reindex_button.isVisible()
    _check_now(view, qtbot)
    assert view.result.property("kind") == "bad"
    assert view.reindex_button.isVisible() and view.reindex_button.isEnabled()
    qtbot.mouseClick(view.reindex_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: view.task is None and view.result.isVisible()
                    and view.result.property("kind") == "ok", timeout=20_000)
    assert not view.reindex_button.isVisible() and not view.problems.isVisible()
    assert lab.audit_events(action="lab.reindex").items[0].actor == "ada"
    assert lab.stones(search=lab.stone("D0000001").client_ref).total >= 1


def test_a_supervisor_sees_the_rebuild_button_disabled_with_the_reason(window, lab, qtbot):
    lab._db.execute("DELETE FROM stones_fts WHERE rowid = 1")
    win = window("sue")
    view = win.show_page("audit")
    _check_now(view, qtbot)
    assert view.reindex_button.isVisible() and not view.reindex_button.isEnabled()
    assert view.reindex_button.toolTip() == "Only an admin can rebuild the search index"
    assert lab.audit_events(action="lab.reindex").total == 0


def test_integrity_check_lists_every_problem(window, lab, qtbot):
    documents = sorted(p for p in (lab.home / "documents").rglob("*") if p.is_file())
    for victim in documents[:2]:
        os.chmod(victim, 0o644)
        victim.write_bytes(b"tampered")
    win = window("ada")
    view = win.show_page("audit")
    _activate(win, qtbot)
    win.nav.setFocus()          # the shortcut works wherever the focus is on the page
    qtbot.keyClick(win.nav, Qt.Key_K, Qt.ControlModifier)  # shortcuts: "check"
    qtbot.waitUntil(lambda: view.task is None and view.result.isVisible(),
                    timeout=20_000)
    assert view.result.property("kind") == "bad"
    assert "FAILED" in view.result.text()
    assert view.problems.isVisible() and view.problems.count() >= 2
    problems = [view.problems.item(i).text() for i in range(view.problems.count())]
    assert sum("documents:" in p for p in problems) >= 2


# ---------------------------------------------------------------------- settings
def test_settings_tabs_and_profile_save(window, lab, qtbot):
    win = window("ada")
    view = win.show_page("settings")
    tabs = [view.tabs.tabText(i) for i in range(view.tabs.count())]
    assert tabs == ["Lab profile", "Users", "Keys", "Backups"]
    assert view.lab_name.text() == lab.settings()["lab_name"]
    view.lab_name.clear()
    qtbot.keyClicks(view.lab_name, "Antwerp Origin Lab")
    view.paper_size.setCurrentText("Letter")
    qtbot.mouseClick(view.save_profile, Qt.LeftButton)
    stored = lab.settings()
    assert stored["lab_name"] == "Antwerp Origin Lab" and stored["paper_size"] == "Letter"
    assert view.message.kind == "info" and "lab name, paper size" in view.message.text()
    assert "Antwerp Origin Lab" in win.windowTitle()
    assert lab.audit_events(action="settings.set").items[0].actor == "ada"

    # nothing changed: nothing written
    before = lab.audit_events().total
    qtbot.mouseClick(view.save_profile, Qt.LeftButton)
    assert "Nothing to save" in view.message.text()
    assert lab.audit_events().total == before

    # a wrong prefix is refused with the facade's message; nothing saved
    view.report_prefix.setText("L1")
    _activate(win, qtbot)
    win.nav.setFocus()
    qtbot.keyClick(win.nav, Qt.Key_S, Qt.ControlModifier)
    assert view.message.kind == "error" and "report_prefix" in view.message.text()
    assert lab.settings()["report_prefix"] == "LD"
    qtbot.mouseClick(view.revert_profile, Qt.LeftButton)
    assert view.report_prefix.text() == "LD"


def test_logo_is_chosen_shown_and_removed(window, lab, qtbot, tmp_path, monkeypatch):
    image = QImage(300, 100, QImage.Format_RGB32)
    image.fill(QColor("#0f5c8c"))
    logo = tmp_path / "logo.png"
    assert image.save(str(logo))
    monkeypatch.setattr(dialogs, "ask_open_file", lambda *a: str(logo))
    win = window("ada")
    view = win.show_page("settings")
    assert not view.remove_logo.isEnabled() and view.remove_logo.toolTip()
    qtbot.mouseClick(view.choose_logo, Qt.LeftButton)
    assert lab.settings()["logo"]
    assert view.logo.pixmap() is not None and not view.logo.pixmap().isNull()
    assert view.remove_logo.isEnabled()
    qtbot.mouseClick(view.remove_logo, Qt.LeftButton)
    assert lab.settings()["logo"] is None and view.logo.text() == "No logo"

    # a file that is not an image is refused in the message bar
    text = tmp_path / "notes.txt"
    text.write_text("not a logo")
    monkeypatch.setattr(dialogs, "ask_open_file", lambda *a: str(text))
    qtbot.mouseClick(view.choose_logo, Qt.LeftButton)
    assert view.message.kind == "error" and lab.settings()["logo"] is None


def test_users_add_deactivate_and_reset_password(window, lab, qtbot):
    win = window("ada")
    view = win.show_page("settings")
    view.tabs.setCurrentIndex(1)
    assert view.users_table.rowCount() == 4
    assert not view.toggle_active.isEnabled() and view.toggle_active.toolTip()

    qtbot.keyClicks(view.new_username, "liz")
    qtbot.keyClicks(view.new_full_name, "Liz Novak")
    _choose(view.new_role, "supervisor")
    qtbot.keyClicks(view.new_password, "liz-secret-1")
    qtbot.keyClicks(view.new_confirm, "liz-secret-2")
    qtbot.mouseClick(view.add_button, Qt.LeftButton)
    assert view.message.kind == "error" and "differ" in view.message.text()
    assert "liz" not in [u.username for u in lab.users()]
    qtbot.keyClicks(view.new_confirm, "liz-secret-1")
    qtbot.keyClick(view.new_confirm, Qt.Key_Return)
    liz = next(u for u in lab.users() if u.username == "liz")
    assert liz.role == "supervisor" and liz.full_name == "Liz Novak"
    assert view.users_table.rowCount() == 5 and view.new_username.text() == ""
    assert view.selected_user().username == "liz"

    # deactivate liz, then she cannot log in; reactivate
    qtbot.mouseClick(view.toggle_active, Qt.LeftButton)
    assert not next(u for u in lab.users() if u.username == "liz").active
    assert view.toggle_active.text() == "Reactivate"
    qtbot.mouseClick(view.toggle_active, Qt.LeftButton)
    assert next(u for u in lab.users() if u.username == "liz").active

    # reset tom's password; the new one works (checked on a second connection)
    view.select_user("tom")
    qtbot.keyClicks(view.reset_password, "tom-new-pass-9")
    qtbot.keyClicks(view.reset_confirm, "tom-new-pass-9")
    qtbot.mouseClick(view.reset_button, Qt.LeftButton)
    assert view.message.kind == "info" and "reset" in view.message.text()
    other = Lab.open(lab.home)
    try:
        other.login("tom", "tom-new-pass-9")
    finally:
        other.close()

    # an admin cannot deactivate their own account
    view.select_user("ada")
    assert not view.toggle_active.isEnabled()
    assert "your own account" in view.toggle_active.toolTip()


def test_keys_export_and_rotate(window, lab, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "keys.pem"
    monkeypatch.setattr(dialogs, "ask_save_file", lambda *a: str(target))
    asked = []
    monkeypatch.setattr(dialogs, "ask_password",
                        lambda parent, signer, meaning, subject:
                        asked.append(meaning) or "wrong password")
    win = window("ada")
    view = win.show_page("settings")
    view.tabs.setCurrentIndex(2)
    assert view.keys_table.rowCount() == 1
    qtbot.mouseClick(view.export_keys, Qt.LeftButton)
    assert target.read_text().count("BEGIN PUBLIC KEY") == 1
    assert str(target) in view.message.text()

    qtbot.mouseClick(view.rotate, Qt.LeftButton)
    assert asked == ["Rotate the signing key"]
    assert view.message.kind == "error" and len(lab.signing_keys()) == 1
    monkeypatch.setattr(dialogs, "ask_password", lambda *a: password("ada"))
    qtbot.mouseClick(view.rotate, Qt.LeftButton)
    keys = lab.signing_keys()
    assert len(keys) == 2 and sum(k.active for k in keys) == 1
    assert view.keys_table.rowCount() == 2
    statuses = {view.keys_table.item(r, 2).text() for r in range(2)}
    assert "Signs new reports" in statuses
    assert any(s.startswith("Retired") for s in statuses)
    # cancelling the password does nothing
    monkeypatch.setattr(dialogs, "ask_password", lambda *a: None)
    qtbot.mouseClick(view.rotate, Qt.LeftButton)
    assert len(lab.signing_keys()) == 2


def test_backup_now_and_restore_into_a_new_folder(window, lab, qtbot, tmp_path,
                                                  monkeypatch):
    archive = tmp_path / "backup.zip"
    monkeypatch.setattr(dialogs, "ask_save_file", lambda *a: str(archive))
    win = window("ada")
    view = win.show_page("settings")
    view.tabs.setCurrentIndex(3)
    qtbot.mouseClick(view.backup_now, Qt.LeftButton)
    assert not view.backup_now.isEnabled()
    qtbot.waitUntil(lambda: view.task is None, timeout=20_000)
    assert archive.is_file() and archive.stat().st_size > 10_000
    assert view.message.kind == "info" and str(archive) in view.message.text()
    assert view.backup_now.isEnabled()

    restored = tmp_path / "restored"
    monkeypatch.setattr(dialogs, "ask_open_file", lambda *a: str(archive))
    monkeypatch.setattr(settings_module, "ask_folder", lambda *a: str(restored))
    qtbot.mouseClick(view.restore_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: view.task is None, timeout=30_000)
    assert view.message.kind == "info", view.message.text()
    assert f'labdesk --home "{restored}"' in view.message.text()
    assert (restored / "labdesk.db").is_file()
    assert win.lab is lab and lab.home != restored  # the window keeps its lab

    # restoring again into the same (now full) folder is refused in words
    qtbot.mouseClick(view.restore_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: view.task is None, timeout=30_000)
    assert view.message.kind == "error" and "already holds a lab" in view.message.text()


def test_backup_on_exit_is_a_setting(window, lab, qtbot):
    win = window("ada")
    view = win.show_page("settings")
    view.tabs.setCurrentIndex(3)
    assert not view.backup_on_exit.isChecked()
    _tick(qtbot, view.backup_on_exit)
    assert lab.settings()["backup_on_exit"] is True
    assert "backup" in view.message.text()
    _tick(qtbot, view.backup_on_exit)
    assert lab.settings()["backup_on_exit"] is False


def test_settings_page_is_disabled_for_non_admins(window, lab, qtbot):
    win = window("sue")
    assert "settings" not in win.views
    view = settings_module.SettingsView(lab, win)
    qtbot.addWidget(view)
    view.refresh()
    for widget in (view.lab_name, view.save_profile, view.choose_logo, view.add_button,
                   view.new_username, view.export_keys, view.rotate, view.backup_now,
                   view.restore_button, view.backup_on_exit):
        assert not widget.isEnabled()
        assert widget.toolTip() == settings_module.ADMINS_ONLY
    view.users_table.selectRow(0)
    assert not view.toggle_active.isEnabled() and not view.reset_button.isEnabled()
    assert view.message.text() == settings_module.ADMINS_ONLY
