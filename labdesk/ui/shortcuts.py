"""The keyboard shortcuts: one table, one meaning for each key sequence.

Every shortcut of the main window and its pages is made here, from ``SHORTCUTS``
(``bind`` for a ``QShortcut``, ``assign`` for a ``QAction``), and tagged with the name of
its row; the Help menu's list (``help_html``) is built from the same table.  A key
sequence names one action wherever it is pressed: Ctrl+S saves what the page shows, on
every page that has something to save, and nothing else; importing, issuing and checking
each have their own keys."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

#: The dynamic property that names a shortcut's row of ``SHORTCUTS``.
TAG = "labdeskShortcut"


@dataclass(frozen=True)
class Shortcut:
    name: str                 # the row's name, tagged on every QShortcut/QAction made
    keys: tuple[str, ...]     # portable text (QKeySequence.PortableText), first shown
    what: str                 # what it does, as the Help list says it
    where: str                # where it works
    by_widget: bool = False   # handled by a widget itself (the intake grid), not bound


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("page_dashboard", ("Ctrl+0",), "Go to Dashboard", "Everywhere"),
    Shortcut("page_intake", ("Ctrl+1",), "Go to Intake", "Everywhere"),
    Shortcut("page_stones", ("Ctrl+2",), "Go to Stones", "Everywhere"),
    Shortcut("page_review", ("Ctrl+3",), "Go to Review", "Everywhere"),
    Shortcut("page_reports", ("Ctrl+4",), "Go to Reports", "Everywhere"),
    Shortcut("page_verify", ("Ctrl+5",), "Go to Verify", "Everywhere"),
    Shortcut("page_audit", ("Ctrl+6",), "Go to Audit", "Everywhere"),
    Shortcut("page_settings", ("Ctrl+7",), "Go to Settings (admins)", "Everywhere"),
    Shortcut("find", ("Ctrl+F",), "Find or scan: stone, report, certificate, client "
             "reference, report QR", "Everywhere"),
    Shortcut("switch_user", ("Ctrl+L",), "Switch user (log out, log in)", "Everywhere"),
    Shortcut("help_manual", ("F1",), "The user manual, at the part for the page shown",
             "Everywhere"),
    Shortcut("help_shortcuts", ("Ctrl+/",), "This list of keyboard shortcuts", "Everywhere"),
    Shortcut("save", ("Ctrl+S",), "Save the page's changes: receive the stones, save "
             "the stone's facts or evidence, save the lab's profile",
             "Intake, Stone, Settings"),
    Shortcut("print", ("Ctrl+P",), "Print the page's document: the submission's labels, "
             "the report", "Intake, Reports"),
    Shortcut("import", ("Ctrl+I",), "Import a packing list (CSV or Excel)", "Intake"),
    Shortcut("add_row", ("Ctrl+N",), "Add an empty row to the grid", "Intake"),
    Shortcut("back", ("Esc",), "Leave the packing-list preview for the grid", "Intake"),
    Shortcut("paste", ("Ctrl+V",), "Paste rows copied from a spreadsheet",
             "Intake grid", by_widget=True),
    Shortcut("copy", ("Ctrl+C",), "Copy the selected cells", "Intake grid",
             by_widget=True),
    Shortcut("leave_grid", ("Ctrl+Tab",), "Leave the grid for the next field",
             "Intake grid", by_widget=True),
    Shortcut("add_evidence", ("Ctrl+E",), "Add evidence to the stone", "Stone"),
    Shortcut("attach", ("Ctrl+Shift+A",), "Attach a document to the evidence picked",
             "Stone"),
    Shortcut("propose", ("Ctrl+Shift+P",), "Propose the origin finding", "Stone"),
    Shortcut("approve", ("Ctrl+Return", "Ctrl+Enter"), "Approve the finding (you sign "
             "it with your password)", "Review"),
    Shortcut("issue", ("Ctrl+R",), "Issue the reports of the stones selected",
             "Reports, Ready to issue"),
    Shortcut("save_copy", ("Ctrl+Shift+S",), "Save a copy of the report's PDF",
             "Reports"),
    Shortcut("open_file", ("Ctrl+O",), "Open an image or PDF of a report to verify its "
             "QR code", "Verify"),
    Shortcut("check", ("Ctrl+K",), "Check the lab's integrity now", "Audit"),
)
BY_NAME = {s.name: s for s in SHORTCUTS}


def sequences(name: str) -> list[QKeySequence]:
    return [QKeySequence(keys) for keys in BY_NAME[name].keys]


def keys(name: str) -> str:
    """The first key sequence of ``name`` as this platform writes it ("Ctrl+S"), for
    tooltips and hints."""
    return QKeySequence(BY_NAME[name].keys[0]).toString(QKeySequence.NativeText)


def bind(widget: QWidget, name: str, slot,
         context: Qt.ShortcutContext = Qt.WindowShortcut) -> list[QShortcut]:
    """``slot`` called on ``name``'s keys while ``widget`` is shown in the active
    window (Qt's default context: a page's keys work only while the page is shown)."""
    made = []
    for sequence in sequences(name):
        shortcut = QShortcut(sequence, widget)
        shortcut.setContext(context)
        shortcut.setProperty(TAG, name)
        shortcut.activated.connect(slot)
        made.append(shortcut)
    return made


def assign(action: QAction, name: str) -> QAction:
    """Give ``action`` the keys of ``name`` (and the tag that says so)."""
    action.setShortcuts(sequences(name))
    action.setProperty(TAG, name)
    return action


def help_rows() -> list[tuple[str, str, str]]:
    """(keys, what, where) for each row, in the table's order."""
    return [(" or ".join(QKeySequence(k).toString(QKeySequence.NativeText)
                         for k in s.keys), s.what, s.where) for s in SHORTCUTS]

