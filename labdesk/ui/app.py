"""The application: first run, login, the main window, switching user."""
from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

from labdesk.errors import LabError
from labdesk.ui import platform_check

try:
    from PySide6.QtCore import QObject
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
except ImportError as exc:  # Qt's own libraries need system libraries: say which
    raise ImportError(platform_check.import_problem(exc)) from exc


def has_lab(home: Path) -> bool:
    """Whether ``home`` holds a lab: its SQLite database, or a desk's settings naming the
    lab's server (``desk.json``)."""
    return (home / "labdesk.db").exists() or (home / "desk.json").exists()


class Controller(QObject):
    """Walks the user from an empty home to the main window, and back to the login when
    they switch user.  ``window`` is the main window once shown."""

    def __init__(self, home: Path, demo_home: Path | None = None):
        super().__init__()
        self.home = Path(home)
        self.demo_home = demo_home
        self.lab = None
        self.window = None

    def open_lab(self) -> bool:
        """Open the lab, running the first-run dialog and wizard when there is none."""
        from labdesk.lab import Lab
        from labdesk.ui.setup import FirstRunDialog, SetupWizard
        if has_lab(self.home):
            self.lab = Lab.open(self.home)
            return True
        choice = FirstRunDialog(self.home).exec()
        if choice == FirstRunDialog.DEMO:
            from labdesk.demo import build_demo
            demo = self.demo_home or self.home.parent / "LabDesk-demo"
            self.lab = Lab.open(demo) if (demo / "labdesk.db").exists() else build_demo(demo)
            self.home = demo
            return True
        if choice in (FirstRunDialog.CREATE, FirstRunDialog.JOIN):
            # joining a lab server: the desk is made, nobody logged in; the login is next
            wizard = SetupWizard(self.home, join=choice == FirstRunDialog.JOIN)
            if wizard.exec() == QDialog.Accepted and wizard.created is not None:
                self.lab = wizard.created
                self.lab.logout()
                return True
        return False

    def login(self) -> bool:
        from labdesk.ui.login import LoginDialog
        dialog = LoginDialog(self.lab)
        try:
            return dialog.exec() == QDialog.Accepted
        finally:
            dialog.deleteLater()

    def show_main(self):
        from labdesk.ui.main_window import MainWindow
        self.window = MainWindow(self.lab)
        self.window.switch_user.connect(self.switch_user)
        self.window.show()
        return self.window

    def switch_user(self):
        """Log out, close the window, ask who works now; the lab stays open."""
        if self.window is not None:
            self.window.close()
            self.window.deleteLater()
            self.window = None
        self.lab.logout()
        if self.login():
            self.show_main()
        else:
            QApplication.instance().quit()


def run(home, demo_home=None) -> int:
    """Start the GUI on ``home``; returns the exit status (2, with one sentence on
    stderr, when Qt could not open a window: Qt itself would abort the process)."""
    app = QApplication.instance()
    if app is None:
        problem = platform_check.problem()
        if problem:
            print(problem, file=sys.stderr)
            return 2
        app = QApplication(sys.argv)
    app.setApplicationName("LabDesk")
    app.setOrganizationName("LabDesk")
    app.setDesktopFileName("io.labdesk.LabDesk")  # Wayland matches the .desktop entry
    app.setWindowIcon(QIcon(str(resources.files("labdesk.resources") / "icons" /
                                "labdesk.svg")))
    controller = Controller(Path(home), demo_home)
    try:
        if not controller.open_lab():
            return 0
    except LabError as exc:
        QMessageBox.critical(None, "LabDesk", str(exc))
        return 2
    if not controller.login():
        controller.lab.close()
        return 0
    controller.show_main()
    status = app.exec()
    _on_exit(controller.lab)
    controller.lab.close()
    return status


def _on_exit(lab) -> None:
    """The automatic backup on exit, when the lab asks for one."""
    try:
        if lab.settings().get("backup_on_exit") and lab.user is not None:
            lab.backup()
    except LabError as exc:
        print(f"LabDesk: the backup on exit failed: {exc}", file=sys.stderr)
