"""Small dialogs.  Each ``ask_*`` function is one place tests can replace, so no test
ever blocks on a modal dialog."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QHeaderView, QLabel, QLineEdit,
                               QPlainTextEdit, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from labdesk.ui import shortcuts
from labdesk.ui.widgets import form_row
from labdesk.ui.wording import plural


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


@dataclass(frozen=True)
class Hit:
    """One thing the search box found, as its list shows it."""
    kind: str                  # what matched, in words: "Stone", "Report", a certificate
    number: str                # what opens: the stone's or the report's number
    client: str
    reference: str             # the stone's client reference
    target: tuple[str, str]    # ("stone" | "report" | "token", value)
    found_by: str = ""         # why it is listed, for the tooltip


HIT_COLUMNS = ("Kind", "Number", "Client", "Client reference")


class FindResultsDialog(QDialog):
    """More than one thing found: the list to pick from (Enter or a double-click opens
    the one picked; ``chosen`` says which)."""

    chosen = Signal(object)   # the Hit

    def __init__(self, parent: QWidget | None, text: str, hits: list[Hit]):
        super().__init__(parent)
        self.hits = list(hits)
        self.setWindowTitle(f"Found for “{text}”")
        layout = QVBoxLayout(self)
        self.caption = QLabel(f"{plural(len(hits), 'match', 'matches')} for “{text}”. "
                              f"Pick the one to open.")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.table = QTableWidget(len(hits), len(HIT_COLUMNS))
        self.table.setAccessibleName("What was found")
        self.table.setHorizontalHeaderLabels(HIT_COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.ElideRight)
        self.table.verticalHeader().hide()
        for row, hit in enumerate(hits):
            for column, value in enumerate((hit.kind, hit.number, hit.client,
                                            hit.reference)):
                item = QTableWidgetItem(value)
                item.setToolTip(f"{value}\n{hit.found_by}" if hit.found_by and value
                                else value or hit.found_by)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setStretchLastSection(True)
        self.table.itemActivated.connect(lambda _item: self.accept())
        self.table.doubleClicked.connect(lambda _index: self.accept())
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Open | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if hits:
            self.table.selectRow(0)
        self.table.setFocus()
        self._fitted = False

    def showEvent(self, event) -> None:
        """The columns as wide as what they show, measured in the font they are shown
        in (the style sheet's, known once shown); the dialog as wide as they need."""
        super().showEvent(event)
        if self._fitted:
            return
        self._fitted = True
        self.table.resizeColumnsToContents()
        for column in range(len(HIT_COLUMNS)):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 360))
        width = sum(self.table.columnWidth(c) for c in range(len(HIT_COLUMNS))) + 60
        rows = self.table.rowHeight(0) * len(self.hits) if self.hits else 0
        self.resize(max(520, min(width, 1000)), max(220, min(130 + rows, 560)))

    def current_hit(self) -> Hit | None:
        row = self.table.currentRow()
        return self.hits[row] if 0 <= row < len(self.hits) else None

    def accept(self) -> None:
        hit = self.current_hit()
        super().accept()
        if hit is not None:
            self.chosen.emit(hit)


class ShortcutsDialog(QDialog):
    """Help › Keyboard shortcuts: every key of the application, from the one table."""

    def __init__(self, parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(self)
        rows = shortcuts.help_rows()
        self.table = QTableWidget(len(rows), 3)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(("Keys", "What it does", "Where"))
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeToContents)
        self.table.resizeRowsToContents()
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(760, 620)
