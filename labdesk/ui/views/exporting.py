"""Exports from the window (issue 17): the Stones page's list (its filter and sort) to
CSV or XLSX, and the compliance pack of the submission a stone belongs to.  The work is
``Lab``'s (``export_stones``, ``compliance_pack``), run off the GUI thread; the page's
message bar says where the file went, or ``Lab``'s one sentence why not."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QPushButton

from labdesk.ui import dialogs
from labdesk.ui.wording import plural
from labdesk.ui.worker import run_task

SHEET_FILTERS = "Excel workbook (*.xlsx);;CSV, comma-separated (*.csv)"


def ask_export_file(parent, title: str, suggested: str) -> str | None:
    """A file to export to; a name typed without .csv or .xlsx becomes a workbook."""
    path = dialogs.ask_save_file(parent, title, suggested, SHEET_FILTERS)
    if path and Path(path).suffix.lower() not in (".csv", ".xlsx"):
        path += ".xlsx"
    return path


def ask_folder(parent, title: str) -> str | None:
    return QFileDialog.getExistingDirectory(parent, title, "") or None


def export_stones(view, filters: dict, order: str, descending: bool):
    """Ask for a file and write every stone of ``filters`` in this order to it, in the
    background; the view's message bar reports.  Returns the task (tests wait on it)."""
    path = ask_export_file(view, "Export the stones listed", "stones.xlsx")
    if not path:
        return None
    lab = view.lab

    def work(progress):
        return lab.export_stones(path, order=order, descending=descending,
                                 progress=lambda done: progress(done, 0), **filters)

    def done(count):
        view.message.info(f"{plural(count, 'stone')} exported to {path}.")

    return run_task(view, work, done, view.message.error, title="Exporting stones…")


class CompliancePackButton(QPushButton):
    """"Compliance pack…": the pack of ``submission`` (set by the page showing it) into
    a folder the user picks; the message bar names the PDF, which opens."""

    def __init__(self, view):
        super().__init__("Compliance pack…")
        self.view = view
        self.submission: str | None = None
        self.task = None
        self.setAccessibleName("Compliance pack")
        self.setToolTip("The client's compliance pack of this stone's submission: a PDF "
                        "with the lab's signed QR code and an XLSX, one line per stone")
        self.clicked.connect(self.make)
        self.setEnabled(False)

    def show_submission(self, number: str | None) -> None:
        self.submission = number
        self.setEnabled(bool(number))
        if number:
            self.setToolTip(f"The client's compliance pack of {number}: a PDF with the "
                            f"lab's signed QR code and an XLSX, one line per stone")

    def make(self):
        if not self.submission or self.task is not None:
            return None
        folder = ask_folder(self, f"Folder for the compliance pack of {self.submission}")
        if not folder:
            return None
        lab, number, view = self.view.lab, self.submission, self.view

        def done(made):
            self.task = None
            view.message.info(f"Compliance pack of {made.submission} written: "
                              f"{made.pdf.name} and {made.xlsx.name} in {made.pdf.parent}.")
            if self.open_after:
                QDesktopServices.openUrl(QUrl.fromLocalFile(str(made.pdf)))

        def failed(message):
            self.task = None
            view.message.error(message)

        self.task = run_task(self, lambda progress: lab.compliance_pack(number, folder),
                             done, failed, title=f"Making the compliance pack of {number}…")
        return self.task

    #: Open the PDF when it is written (tests switch it off).
    open_after = True
