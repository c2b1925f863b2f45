"""Small dialogs.  Each ``ask_*`` function is one place tests can replace, so no test
ever blocks on a modal dialog."""
from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QLabel,
                               QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget)

from labdesk.ui.widgets import form_row


class PasswordDialog(QDialog):
    """A signature: the signer sees what they sign and re-enters their password."""

    def __init__(self, parent: QWidget | None, signer: str, meaning: str, subject: str):
        super().__init__(parent)
        self.setWindowTitle(f"Sign: {meaning}")
        layout = QVBoxLayout(self)
        text = QLabel(f"<b>{meaning}</b> of {subject}<br>Signed by <b>{signer}</b>. "
                      f"Your printed name, the time and the meaning are recorded with "
                      f"the signature.")
        text.setWordWrap(True)
        layout.addWidget(text)
        form = QFormLayout()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.Password)
        form_row(form, "Password", self.password)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Sign")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class ReasonDialog(QDialog):
    def __init__(self, parent: QWidget | None, title: str, prompt: str):
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        label = QLabel(prompt)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Reason")
        self.text.setMinimumHeight(80)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def ask_password(parent, signer: str, meaning: str, subject: str) -> str | None:
    """The signer's password, or None when they cancel."""
    dialog = PasswordDialog(parent, signer, meaning, subject)
    try:
        return dialog.password.text() if dialog.exec() == QDialog.Accepted else None
    finally:
        dialog.deleteLater()


def ask_reason(parent, title: str, prompt: str) -> str | None:
    dialog = ReasonDialog(parent, title, prompt)
    try:
        return dialog.text.toPlainText().strip() if dialog.exec() == QDialog.Accepted \
            else None
    finally:
        dialog.deleteLater()


def ask_open_file(parent, title: str, filters: str) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, "", filters)
    return path or None


def ask_save_file(parent, title: str, suggested: str, filters: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return path or None
