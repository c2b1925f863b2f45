"""Several desks in the window (issue 14): the status bar names the database, pages follow
what another window or desk records, and the setup wizard joins a lab server."""
from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QWizard

from labdesk.lab import Lab
from labdesk.ui.app import Controller
from labdesk.ui.login import LoginDialog
from labdesk.ui.main_window import MainWindow
from labdesk.ui.setup import FirstRunDialog, SetupWizard
from support.homes import PASSWORDS, create_lab, login_as
from ui_helpers import login

# Qt's offscreen platform cannot resize a dialog to its size hints: the test platform
# talking, not LabDesk.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

#: "within a second" for the window (it asks twice a second), with room for a slow CI.
LIVE_MS = 1500
_names = itertools.count(1)


def _stone(ref: str) -> dict:
    return {"client_ref": ref, "weight": "0.731", "shape": "round", "colour": "F",
            "clarity": "VS2", "identification": "natural"}


def _stone_numbers(view) -> list[str]:
    model = view.model
    return [model.data(model.index(r, 0), Qt.UserRole)
            for r in range(min(model.rowCount(), 50))]


@pytest.fixture
def other_window(lab):
    """A second ``Lab`` on the same SQLite home: another window of this computer."""
    other = Lab.open(lab.home)
    yield other
    other.close()


@pytest.fixture
def database(pg_server):
    name = f"ui_desks_{next(_names)}"
    yield pg_server.create_database(name)
    pg_server.drop_database(name)


@pytest.fixture
def desks(database, tmp_path, fast_passwords):
    """Desk A (the lab made on the server) and desk B (joined), nobody logged in."""
    desk_a = create_lab(tmp_path / "desk-a", database=database)
    desk_a.logout()
    desk_b = Lab.join(tmp_path / "desk-b", database=database)
    yield desk_a, desk_b
    from labdesk.ui.worker import wait_all
    wait_all()
    desk_b.close()
    desk_a.close()


def _window(qtbot, lab, size=(1280, 800)):
    win = MainWindow(lab)
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    return win


# ---------------------------------------------------------------------- the status bar
def test_the_status_bar_says_the_lab_is_in_sqlite_on_this_computer(window, lab):
    win = window("tom")
    assert win.status_database.isVisible()
    assert win.status_database.text() == "Database: SQLite (this computer)"
    assert str(lab.home / "labdesk.db") in win.status_database.toolTip()
    assert "this computer" in win.status_database.toolTip()


def test_the_status_bar_names_the_server_of_a_desk(qtbot, desks, database):
    desk_a, desk_b = desks
    login_as(desk_b, "tech")
    win = _window(qtbot, desk_b)
    try:
        text = win.status_database.text()
        assert text == f"Database: {desk_b.database}"
        assert text.startswith("Database: PostgreSQL ui_desks_")
        host_port = database.split("@", 1)[1].split("/", 1)[0]
        assert text.endswith(f" on {host_port}")
        assert "shared by every desk" in win.status_database.toolTip()
        assert str(desk_b.home) in win.status_database.toolTip()
    finally:
        win.close()


# ---------------------------------------------------------------------- live pages
def test_a_stone_received_in_another_window_appears_on_the_stones_page(
        window, lab, other_window, qtbot):
    win = window("tom")
    view = win.show_page("stones")
    assert win.live.isActive() and win.live.interval() <= 500
    # the user has picked a stone and is typing in the search box
    picked = view.model.index(3, 0)
    view.table.selectionModel().setCurrentIndex(
        picked, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
    number = view.model.data(picked, Qt.UserRole)
    win.search.setFocus()
    qtbot.waitUntil(win.search.hasFocus)
    before = view.model.rowCount()

    login(other_window, "tom")
    sub = other_window.receive("Antwerp Brilliant Trading NV", [_stone("LIVE-1")])
    new = sub.stones[0].number
    qtbot.waitUntil(lambda: new in _stone_numbers(view), timeout=LIVE_MS)

    assert view.model.rowCount() == before + 1
    current = view.table.currentIndex()
    assert view.model.data(current, Qt.UserRole) == number      # the same stone, picked
    assert current.row() == 4                                   # one row further down
    assert win.search.hasFocus()                                # focus not taken
    assert win.current_key() == "stones" and "stones" not in win.stale


def test_pages_not_shown_are_read_when_next_shown(window, lab, other_window, qtbot):
    win = window("tom")
    win.show_page("intake")
    login(other_window, "tom")
    new = other_window.receive("Antwerp Brilliant Trading NV",
                               [_stone("LIVE-2")]).stones[0].number
    qtbot.waitUntil(lambda: "stones" in win.stale, timeout=LIVE_MS)
    assert win.current_key() == "intake"
    assert {"review", "reports"} <= win.stale
    view = win.show_page("stones")
    assert new in _stone_numbers(view) and "stones" not in win.stale


def test_review_waits_for_the_comment_being_typed_then_follows(window, lab, other_window,
                                                               qtbot):
    win = window("sue")
    review = win.show_page("review")
    shown = review.finding.stone if review.finding else None
    count = len(review.findings)
    qtbot.keyClicks(review.comment, "checked against the KP scan")

    login(other_window, "tom")
    new = other_window.receive("Antwerp Brilliant Trading NV",
                               [_stone("LIVE-3")]).stones[0].number
    other_window.propose_finding(new, origin="non_russian", mining_country="BW",
                                 statement="Botswana KP certificate.")
    # the comment is not lost: the page waits, and the status bar says why
    qtbot.waitUntil(win.status_waiting.isVisible, timeout=LIVE_MS)
    assert "Review" in win.status_waiting.text()
    assert "comment" in win.status_waiting.text()
    assert review.comment.text() == "checked against the KP scan"
    assert len(review.findings) == count and "review" in win.stale

    review.comment.clear()
    qtbot.waitUntil(lambda: new in [f.stone for f in review.findings], timeout=LIVE_MS)
    assert not win.status_waiting.isVisible()
    assert review.queue.count() == count + 1
    assert (review.finding.stone if review.finding else None) == shown   # still picked
    assert f"{count + 1} findings awaiting review" == review.queue_count.text()


def test_a_stone_received_at_another_desk_appears_at_this_one(qtbot, desks):
    desk_a, desk_b = desks
    login_as(desk_a, "sup1")
    win = _window(qtbot, desk_a)
    try:
        view = win.show_page("stones")
        assert view.model.rowCount() == 0
        login_as(desk_b, "tech")
        new = desk_b.receive("Acme Diamonds", [_stone("DESK-B-1")]).stones[0].number
        qtbot.waitUntil(lambda: _stone_numbers(view) == [new], timeout=LIVE_MS)

        review = win.show_page("review")
        assert not review.findings
        desk_b.propose_finding(new, origin="non_russian", mining_country="BW",
                               statement="Botswana KP certificate.")
        qtbot.waitUntil(lambda: [f.stone for f in review.findings] == [new],
                        timeout=LIVE_MS)
        assert review.queue_count.text() == "1 finding awaiting review"
    finally:
        win.close()


# ---------------------------------------------------------------------- joining a server
def _join(qtbot, wizard, address: str) -> None:
    page = wizard.join_page
    assert wizard.currentPage() is page
    page.address.clear()
    qtbot.keyClicks(page.address, address)
    qtbot.mouseClick(wizard.button(QWizard.FinishButton), Qt.LeftButton)


@pytest.fixture
def join_wizard(qtbot, tmp_path):
    made = SetupWizard(tmp_path / "new-desk", join=True)
    qtbot.addWidget(made)
    made.show()
    qtbot.waitExposed(made)
    yield made
    if made.created is not None:
        made.created.close()


def test_the_first_run_dialog_offers_to_join_a_lab_server(qtbot, tmp_path):
    dialog = FirstRunDialog(tmp_path / "empty")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.join_link.isVisible() and "Join a lab server" in dialog.join_link.text()
    dialog.join_link.linkActivated.emit("join")
    assert dialog.result() == FirstRunDialog.JOIN and not dialog.isVisible()


def test_the_wizard_switches_between_creating_and_joining(qtbot, tmp_path):
    wizard = SetupWizard(tmp_path / "new")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    assert wizard.currentPage() is wizard.lab_page
    switch = wizard.button(QWizard.CustomButton1)
    assert switch.isVisible() and switch.text() == "Join a lab server…"
    qtbot.mouseClick(switch, Qt.LeftButton)
    page = wizard.join_page
    assert wizard.currentPage() is page and wizard.windowTitle() == "Join a lab server"
    assert "~/.pgpass" in page.hint.text() and "PGPASSWORD" in page.hint.text()
    assert "sslmode" in page.hint.text() and page.hint.isVisible()
    assert not wizard.button(QWizard.FinishButton).isEnabled()   # no address yet
    assert switch.text() == "Create a new lab instead"
    qtbot.mouseClick(switch, Qt.LeftButton)
    assert wizard.currentPage() is wizard.lab_page
    assert wizard.windowTitle() == "Create a lab"
    qtbot.keyClicks(wizard.lab_page.name, "Kimberley Origin Lab")
    qtbot.mouseClick(wizard.button(QWizard.NextButton), Qt.LeftButton)
    assert wizard.currentPage() is wizard.admin_page and not switch.isVisible()
    assert wizard.button(QWizard.FinishButton).isVisible()
    assert not (tmp_path / "new").exists()


def test_joining_a_lab_server_makes_the_desk_and_lands_at_the_login(
        qtbot, tmp_path, desks, database, monkeypatch):
    desk_a, _ = desks
    home = tmp_path / "third-desk"
    monkeypatch.setattr(FirstRunDialog, "exec", lambda self: FirstRunDialog.JOIN)

    def run_wizard(wizard):
        qtbot.addWidget(wizard)
        wizard.show()
        qtbot.waitExposed(wizard)
        assert wizard.currentPage() is wizard.join_page
        _join(qtbot, wizard, database)
        return wizard.result()
    monkeypatch.setattr(SetupWizard, "exec", run_wizard)
    logins = []

    def log_in(dialog):
        qtbot.addWidget(dialog)
        dialog.show()
        logins.append(dialog.windowTitle())
        qtbot.keyClicks(dialog.username, "sup2")
        qtbot.keyClicks(dialog.password, PASSWORDS["sup2"])
        qtbot.keyClick(dialog.password, Qt.Key_Return)
        return dialog.result()
    monkeypatch.setattr(LoginDialog, "exec", log_in)

    controller = Controller(home)
    try:
        assert controller.open_lab()
        lab = controller.lab
        assert lab.home == home and lab.on_server and lab.user is None
        assert (home / "desk.json").is_file() and not (home / "labdesk.db").exists()
        assert controller.login()                      # the login comes next
        assert logins == ["Log in — Test Gem Lab"] and lab.user.username == "sup2"
        win = controller.show_main()
        qtbot.addWidget(win)
        assert win.status_database.text() == f"Database: {desk_a.database}"
        win.close()
    finally:
        if controller.lab is not None:
            controller.lab.close()

    # started again, the desk opens without asking
    monkeypatch.setattr(FirstRunDialog, "exec",
                        lambda self: pytest.fail("the first-run dialog showed again"))
    again = Controller(home)
    assert again.open_lab() and again.lab.on_server
    again.lab.close()


@pytest.mark.parametrize("address, words", [
    ("postgresql://labdesk:secret@127.0.0.1:5432/labdesk", "password"),
    ("postgresql://labdesk@127.0.0.1:1/labdesk", "cannot be reached"),
    ("the lab's server", "is not a PostgreSQL address"),
])
def test_a_bad_address_is_one_sentence_on_the_page_and_makes_no_desk(
        qtbot, join_wizard, tmp_path, address, words):
    _join(qtbot, join_wizard, address)
    _refused(join_wizard, tmp_path, words)


def test_a_server_database_without_a_lab_is_refused(qtbot, join_wizard, tmp_path,
                                                     database):
    _join(qtbot, join_wizard, database)
    _refused(join_wizard, tmp_path, "holds no lab yet")
    # the address fixed in place: the same page joins
    assert join_wizard.join_page.address.text() == database


def _refused(wizard, tmp_path, words: str) -> None:
    error = wizard.join_page.error.text()
    assert wizard.isVisible() and wizard.currentPage() is wizard.join_page
    assert words in error, error
    assert "\n" not in error and error[:1].isupper() and error.endswith(".")
    assert error.count(". ") <= 1        # one sentence (at most its advice after it)
    assert wizard.created is None
    assert not (tmp_path / "new-desk").exists()
    assert [p.name for p in tmp_path.iterdir() if "new-desk" in p.name] == []
