"""First run (the welcome dialog and the setup wizard), logging in, and switching user,
driven through the real dialogs; nothing blocks on a modal ``exec``."""
import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QWizard

from labdesk.ui import app as app_module
from labdesk.ui.app import Controller
from labdesk.ui.login import LoginDialog
from labdesk.ui.setup import FirstRunDialog, SetupWizard
from ui_helpers import login, password

# Qt's offscreen platform (the tests' display) says it cannot resize a dialog to its size
# hints; that is the test platform talking, not LabDesk.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _fill_wizard(qtbot, wizard, *, lab_name="Kimberley Origin Lab", username="amina",
                 full_name="Amina Diallo", secret="kimberley-2026", confirm=None):
    page = wizard.lab_page
    next_button = wizard.button(QWizard.NextButton)
    assert not next_button.isEnabled()          # the lab's name is required
    qtbot.keyClicks(page.name, lab_name)
    qtbot.keyClicks(page.accreditation, "ISO/IEC 17025 (demo)")
    page.paper.setCurrentText("Letter")
    assert next_button.isEnabled()
    qtbot.mouseClick(next_button, Qt.LeftButton)
    admin = wizard.admin_page
    assert wizard.currentPage() is admin
    qtbot.keyClicks(admin.username, username)
    qtbot.keyClicks(admin.full_name, full_name)
    qtbot.keyClicks(admin.password, secret)
    qtbot.keyClicks(admin.confirm, secret if confirm is None else confirm)


@pytest.fixture
def wizard(qtbot, tmp_path):
    made = SetupWizard(tmp_path / "newlab")
    qtbot.addWidget(made)
    made.show()
    qtbot.waitExposed(made)
    yield made
    if made.created is not None:
        made.created.close()


def test_first_run_dialog_offers_create_and_demo(qtbot, tmp_path):
    dialog = FirstRunDialog(tmp_path / "empty")
    qtbot.addWidget(dialog)
    dialog.show()
    buttons = {b.accessibleName(): b for b in dialog.findChildren(QPushButton)}
    assert set(buttons) == {"Create a new lab", "Open the demo lab"}
    qtbot.mouseClick(buttons["Open the demo lab"], Qt.LeftButton)
    assert dialog.result() == FirstRunDialog.DEMO and not dialog.isVisible()
    dialog.show()
    qtbot.mouseClick(buttons["Create a new lab"], Qt.LeftButton)
    assert dialog.result() == FirstRunDialog.CREATE


def test_setup_wizard_creates_the_lab_and_the_admin_can_log_in(qtbot, wizard, tmp_path):
    _fill_wizard(qtbot, wizard)
    qtbot.mouseClick(wizard.button(QWizard.FinishButton), Qt.LeftButton)
    assert wizard.result() == QDialog.Accepted and not wizard.isVisible()
    lab = wizard.created
    assert lab is not None and (tmp_path / "newlab" / "labdesk.db").is_file()
    settings = lab.settings()
    assert settings["lab_name"] == "Kimberley Origin Lab"
    assert settings["paper_size"] == "Letter"
    assert settings["accreditation"] == "ISO/IEC 17025 (demo)"
    lab.logout()
    user = lab.login("amina", "kimberley-2026")
    assert user.role == "admin" and user.full_name == "Amina Diallo"
    assert len(lab.signing_keys()) == 1 and lab.check().ok


def test_setup_wizard_refuses_a_short_password_and_creates_nothing(qtbot, wizard,
                                                                   tmp_path):
    _fill_wizard(qtbot, wizard, secret="short")
    qtbot.mouseClick(wizard.button(QWizard.FinishButton), Qt.LeftButton)
    assert wizard.isVisible() and wizard.currentPage() is wizard.admin_page
    assert "at least 8 characters" in wizard.admin_page.error.text()
    assert wizard.created is None
    assert not (tmp_path / "newlab" / "labdesk.db").exists()
    assert not (tmp_path / "newlab").exists()

    # two different passwords: said, nothing created
    wizard.admin_page.password.setText("kimberley-2026")
    wizard.admin_page.confirm.setText("kimberley-2027")
    qtbot.mouseClick(wizard.button(QWizard.FinishButton), Qt.LeftButton)
    assert wizard.admin_page.error.text() == "The two passwords differ."
    assert wizard.created is None and not (tmp_path / "newlab").exists()

    # fixed: the lab is created
    wizard.admin_page.confirm.setText("kimberley-2026")
    qtbot.mouseClick(wizard.button(QWizard.FinishButton), Qt.LeftButton)
    assert wizard.created is not None and not wizard.isVisible()


def test_setup_wizard_checks_the_lab_page_before_moving_on(qtbot, wizard, tmp_path):
    page = wizard.lab_page
    qtbot.keyClicks(page.name, "Kimberley Origin Lab")
    qtbot.keyClicks(page.verify_url, "http://verify.example/")
    qtbot.mouseClick(wizard.button(QWizard.NextButton), Qt.LeftButton)
    assert wizard.currentPage() is page
    assert "verify_url" in page.error.text() and "https://" in page.error.text()
    page.verify_url.setText("https://verify.example/")
    page.prefix.setText("L2")
    qtbot.mouseClick(wizard.button(QWizard.NextButton), Qt.LeftButton)
    assert wizard.currentPage() is page and "report_prefix" in page.error.text()
    page.prefix.setText("kol")
    qtbot.mouseClick(wizard.button(QWizard.NextButton), Qt.LeftButton)
    assert wizard.currentPage() is wizard.admin_page and page.error.text() == ""
    assert not (tmp_path / "newlab").exists()


def test_login_succeeds_with_the_right_password(qtbot, lab):
    dialog = LoginDialog(lab)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert "LabDesk Demo" in dialog.windowTitle()
    qtbot.keyClicks(dialog.username, "sue")
    qtbot.keyClicks(dialog.password, password("sue"))
    qtbot.keyClick(dialog.password, Qt.Key_Return)
    assert dialog.result() == QDialog.Accepted and not dialog.isVisible()
    assert lab.user.username == "sue"
    assert not dialog.error.isVisible()


def test_login_with_a_wrong_password_says_so_and_logs_nobody_in(qtbot, lab):
    dialog = LoginDialog(lab)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.username, "tom")
    qtbot.keyClicks(dialog.password, "not-his-password")
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok)
    assert ok.text() == "Log in"
    qtbot.mouseClick(ok, Qt.LeftButton)
    assert dialog.isVisible() and dialog.error.isVisible()
    assert "Wrong username or password" in dialog.error.text()
    assert dialog.password.text() == ""           # cleared for another try
    assert lab.user is None
    # the second try works
    qtbot.keyClicks(dialog.password, password("tom"))
    qtbot.mouseClick(ok, Qt.LeftButton)
    assert dialog.result() == QDialog.Accepted and lab.user.username == "tom"


def test_switch_user_closes_the_window_and_opens_one_for_the_next_user(qtbot, lab,
                                                                        monkeypatch):
    controller = Controller(lab.home)
    controller.lab = lab
    login(lab, "tom")
    first = controller.show_main()
    qtbot.addWidget(first)
    qtbot.waitExposed(first)
    assert "Tom Becker" in first.status_user.text()
    asked = []

    def fake_login(self):
        asked.append(self.lab.user)             # logged out before asking
        login(self.lab, "sue")
        return True
    monkeypatch.setattr(Controller, "login", fake_login)
    first.switch_user.emit()                    # what Ctrl+L / "Switch user" does
    second = controller.window
    qtbot.addWidget(second)
    assert asked == [None]
    assert second is not first and not first.isVisible() and second.isVisible()
    assert lab.user.username == "sue"
    assert "Sue Marchetti (supervisor)" in second.status_user.text()
    assert "settings" not in second.views

    # cancelling the login quits the application instead of showing a window
    quits = []

    class FakeApp:
        @staticmethod
        def instance():
            return type("App", (), {"quit": lambda self: quits.append(True)})()
    monkeypatch.setattr(app_module, "QApplication", FakeApp)
    monkeypatch.setattr(Controller, "login", lambda self: False)
    second.switch_user.emit()
    assert quits == [True] and controller.window is None and lab.user is None
    assert not second.isVisible()


def test_controller_first_run_creates_a_lab_through_the_wizard(qtbot, tmp_path,
                                                                monkeypatch):
    home = tmp_path / "fresh"
    monkeypatch.setattr(FirstRunDialog, "exec", lambda self: FirstRunDialog.CREATE)

    def run_wizard(wizard):
        qtbot.addWidget(wizard)
        wizard.show()
        _fill_wizard(qtbot, wizard)
        qtbot.mouseClick(wizard.button(QWizard.FinishButton), Qt.LeftButton)
        return wizard.result()
    monkeypatch.setattr(SetupWizard, "exec", run_wizard)
    controller = Controller(home)
    try:
        assert controller.open_lab()
        assert controller.lab.home == home and controller.lab.user is None
        assert controller.lab.login("amina", "kimberley-2026").role == "admin"
    finally:
        if controller.lab is not None:
            controller.lab.close()


def test_controller_first_run_opens_the_demo_lab(qtbot, tmp_path, demo_template,
                                                  monkeypatch):
    demo = tmp_path / "demo"
    shutil.copytree(demo_template, demo)
    monkeypatch.setattr(FirstRunDialog, "exec", lambda self: FirstRunDialog.DEMO)
    controller = Controller(tmp_path / "empty", demo_home=demo)
    try:
        assert controller.open_lab()
        assert controller.home == demo
        assert controller.lab.settings()["lab_name"].startswith("LabDesk Demo")
    finally:
        controller.lab.close()


def test_controller_opens_an_existing_lab_without_asking(lab, monkeypatch):
    def never(self):
        raise AssertionError("the first-run dialog must not show")
    monkeypatch.setattr(FirstRunDialog, "exec", never)
    controller = Controller(lab.home)
    assert controller.open_lab()
    controller.lab.close()
