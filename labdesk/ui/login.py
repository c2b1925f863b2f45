"""Logging in (and switching user on a shared workstation)."""
from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout)

from labdesk.errors import AuthError
from labdesk.ui.widgets import apply_style, form_row
from labdesk.ui.wording import sentence


class LoginDialog(QDialog):
    """Username and password for the lab named at the top; ``lab.login`` on OK."""

    def __init__(self, lab, parent=None):
        super().__init__(parent)
        apply_style(self)
        self.lab = lab
        name = lab.settings()["lab_name"]
        self.setWindowTitle(f"Log in — {name}")
        self.setMinimumWidth(380)
        layout = QVBoxLayout(self)
        heading = QLabel(name)
        heading.setObjectName("DialogTitle")
        heading.setAccessibleName("Lab")
        home = QLabel(str(lab.home))
        home.setObjectName("Hint")
        home.setAccessibleName("Lab home")
        layout.addWidget(heading)
        layout.addWidget(home)
        form = QFormLayout()
        self.username = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.Password)
        form_row(form, "Username", self.username)
        form_row(form, "Password", self.password)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("FormError")
        self.error.setAccessibleName("Login error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Log in")
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.username.setFocus()

    def try_login(self):
        try:
            self.lab.login(self.username.text().strip(), self.password.text())
        except AuthError as exc:
            self.error.setText(sentence(exc))
            self.error.show()
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()
