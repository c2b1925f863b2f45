"""The stones whose origin outcome a rules change moved, and a supervisor's decisions on
them (keep, reject, reopen, revoke): a dialog opened from the Review page's banner.

Everything is decided by ``Lab``: the list (``lab.rule_changes``), who may settle
(``settle_rule_change`` refuses anyone but a supervisor), what each decision does, and
whether it may be taken now: rejecting and reopening are the stone's own actions
(``StoneDetail.actions``), revoking is the report's (core's guard, as on the Reports page).
Each decision is a signature (``labdesk.ui.signing``)."""
from __future__ import annotations

from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHBoxLayout,
                               QHeaderView, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

from labdesk.core import workflow
from labdesk.core.permissions import Permission
from labdesk.errors import LabError
from labdesk.ui import signing
from labdesk.ui.signing import Signature
from labdesk.ui.widgets import MessageBar, brush

COLUMNS = ("Stone", "Finding", "Report", "Jurisdiction", "Assessed on", "Was", "Now",
           "Rules that changed")
#: decision -> (button, meaning of the signature, what the reason box asks, what was not
#: done when the signature is cancelled)
DECISIONS = {
    "keep": ("Keep…", "review of a rules change: finding kept",
             "Why does the finding stand under the new rules?", "kept"),
    "reject": ("Reject finding…", "rejection",
               "Why is the proposed finding rejected? The technician reads this.",
               "rejected"),
    "reopen": ("Reopen stone…", "reopening",
               "Why is the stone reopened? Its report, if any, is superseded.", "reopened"),
    "revoke": ("Revoke report…", "revocation",
               "Why is the report revoked? Verifiers will see it as revoked.", "revoked"),
}
NO_CHANGE = Permission(False, "Pick a stone in the list first.")
NO_REPORT = Permission(False, "This stone has no issued report to revoke.")


def summary(changes) -> str:
    """'3 stones' outcomes moved under the new rules, 2 for the worse'."""
    stones = len({c.stone for c in changes})
    worse = len({c.stone for c in changes if c.worse})
    return (f"{stones} stone{'s' if stones != 1 else ''}' origin outcome"
            f"{'s' if stones != 1 else ''} moved under new rules, {worse} for the worse")


class RuleChangesDialog(QDialog):
    """The open rules changes, one row each; the buttons act on the selected row."""

    def __init__(self, lab, parent=None, open_stone=None):
        super().__init__(parent)
        self.lab = lab
        self.open_stone = open_stone
        self.changes: list = []
        self.setWindowTitle("What the new origin rules changed")
        self.setAccessibleName("Rules changes")
        self.resize(1100, 480)
        intro = QLabel("Each stone below was assessed again under the new rules on the day "
                       "of its own assessment, and its outcome moved. A change for the "
                       "worse holds the stone's next report until a supervisor keeps the "
                       "finding, rejects or reopens it, or revokes its report. Each "
                       "decision is a signature.")
        intro.setWordWrap(True)
        self.message = MessageBar()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Stones whose outcome moved")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda _item: self._open())
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        self.open_button = QPushButton("Open stone")
        self.open_button.setAccessibleName("Open the stone")
        self.open_button.clicked.connect(self._open)
        row.addWidget(self.open_button)
        row.addStretch(1)
        for decision, (label, *_words) in DECISIONS.items():
            button = QPushButton(label)
            button.setAccessibleName(label.rstrip("…"))
            button.clicked.connect(lambda _=False, d=decision: self.settle(d))
            self.buttons[decision] = button
            row.addWidget(button)
        self.note = QLabel()
        self.note.setObjectName("Hint")
        self.note.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addLayout(row)
        layout.addWidget(close)
        self.reload()

    # ------------------------------------------------------------------ reading
    def reload(self) -> None:
        try:
            self.changes = self.lab.rule_changes(status="open")
        except LabError as exc:
            self.message.error(str(exc))
            self.changes = []
        self.table.setRowCount(len(self.changes))
        for row, change in enumerate(self.changes):
            now = change.new_outcome + (" (worse)" if change.worse else " (better)")
            values = (change.stone, change.finding_status, change.report or "—",
                      change.jurisdiction, change.assessed_on,
                      f"{change.old_outcome} ({change.old_ruleset})",
                      f"{now} ({change.new_ruleset})", "; ".join(change.rules))
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if change.worse and column == 6:
                    item.setForeground(brush("bad"))
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        if self.changes:
            self.table.selectRow(0)
        self._update_buttons()

    def selected(self):
        rows = self.table.selectionModel().selectedRows()
        return self.changes[rows[0].row()] if rows and self.changes else None

    def may_settle(self) -> Permission:
        """Whether the logged-in user settles rules changes (core's guard, the one
        ``settle_rule_change`` calls)."""
        return signing.guard(self.lab, workflow.require_role, "supervisor",
                             action="settle a rules change")

    def allowed(self) -> dict[str, Permission]:
        """For each decision, whether the logged-in user may take it on the selected
        change, and the sentence why not: as ``Lab`` decides (see the module's note)."""
        change = self.selected()
        settle = self.may_settle()
        if change is None or not settle.allowed:
            return dict.fromkeys(DECISIONS, NO_CHANGE if change is None else settle)
        try:
            stone = self.lab.stone_detail(change.stone).actions
        except LabError as exc:
            stone = dict.fromkeys(("reject", "reopen"), Permission(False, str(exc)))
        return {"keep": settle, "reject": stone["reject"], "reopen": stone["reopen"],
                "revoke": self._may_revoke(change.report)}

    def _may_revoke(self, number: str | None) -> Permission:
        try:
            report = self.lab.report(number) if number else None
        except LabError as exc:
            return Permission(False, str(exc))
        if report is None:
            return NO_REPORT
        return signing.guard(self.lab, workflow.check_can_revoke, report.number,
                             report.status)

    def _update_buttons(self) -> None:
        change = self.selected()
        self.open_button.setEnabled(change is not None and self.open_stone is not None)
        allowed = self.allowed()
        for decision, button in self.buttons.items():
            button.setEnabled(allowed[decision].allowed)
            button.setToolTip(allowed[decision].why or "")
        settle = self.may_settle()
        if not self.changes:
            self.note.setText("No stone awaits a decision.")
        elif not settle.allowed:
            self.note.setText(f"{settle.why} You can open the stones.")
        else:
            self.note.setText("")

    # ------------------------------------------------------------------ acting
    def _open(self) -> None:
        change = self.selected()
        if change is not None and self.open_stone is not None:
            self.open_stone(change.stone)
            self.accept()

    def settle(self, decision: str) -> bool:
        """Ask the reason and the password, then settle the selected change."""
        change = self.selected()
        if change is None:
            return False
        label, meaning, prompt, verb = DECISIONS[decision]
        signed = signing.sign(
            self, self.allowed()[decision],
            Signature(meaning=meaning, subject=change.stone, verb=verb,
                      reason_title=f"{label.rstrip('…')}: {change.stone}",
                      reason_prompt=prompt, reason_for="decision"),
            lambda reason, password: self.lab.settle_rule_change(
                change.id, decision, reason, password=password))
        if signed is None:
            return False
        self.message.info(f"{signed.result.stone}: {signed.result.status}, signed by "
                          f"{signed.signer}.")
        self.reload()
        return True
