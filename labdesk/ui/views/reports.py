"""Reports: the reports the lab issued, with their status; a preview of the PDF in the page;
printing (through the system's print dialog, to any printer or to a PDF file), saving a
copy, and revoking (a supervisor's signature).  A second tab lists the stones whose
finding is approved, ready for their report: issuing a report for a stone that was
reopened and approved again is the same action, and the new report supersedes the old."""
from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QRectF,
    QSizeF,
    Qt,
    QTimer,
)
from PySide6.QtGui import QImage, QPageSize, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from labdesk.core import grading, workflow
from labdesk.core.permissions import Permission
from labdesk.errors import LabError
from labdesk.ui import dialogs, shortcuts, signing
from labdesk.ui.paging import PagedModel
from labdesk.ui.signing import Signature
from labdesk.ui.views.base import View
from labdesk.ui.widgets import STATUS_TONES, PdfView, brush, labelled, tinted
from labdesk.ui.wording import local_date, local_time, plural, sentence
from labdesk.ui.worker import run_task

PAGE = 200
PRINT_DPI = 300  # pages are rendered at most this fine for the printer
REVOKE_MEANING = "Revocation of the report"
NO_REPORT = Permission(False, "Pick a report first.")
COLUMNS = (("number", "Report"), ("stone", "Stone"), ("status", "Status"),
           ("issued_at", "Issued"), ("issued_by", "Issued by"), ("note", "Note"))
READY_COLUMNS = ("Stone", "Client", "Client ref", "Carat", "Shape", "Colour", "Clarity",
                 "Identification", "Note")


# ---------------------------------------------------------------------- printing
def ask_print(parent, printer) -> bool:
    """The system's print dialog for ``printer``; True when the user chose to print.
    (One place tests replace, so that no test blocks on the modal dialog.)"""
    from PySide6.QtPrintSupport import QPrintDialog
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print report")
    try:
        return dialog.exec() == QDialog.Accepted
    finally:
        dialog.deleteLater()


def new_printer(path, name: str):
    """A printer set up for the PDF at ``path``: its paper size, full page, named."""
    import pypdfium2 as pdfium
    from PySide6.QtPrintSupport import QPrinter
    printer = QPrinter(QPrinter.HighResolution)
    printer.setDocName(name)
    printer.setFullPage(True)
    document = pdfium.PdfDocument(str(path))
    try:
        if len(document):
            width, height = document[0].get_size()
            printer.setPageSize(QPageSize(QSizeF(width, height), QPageSize.Point,
                                          "", QPageSize.FuzzyMatch))
    finally:
        document.close()
    return printer


def print_pdf(path, printer) -> int:
    """Print every page of the PDF at ``path`` on ``printer`` (any QPrinter: a real one,
    or PDF output to a file); each page is drawn fitted to the printer's page, at most
    ``PRINT_DPI`` fine.  Returns the number of pages printed."""
    import pypdfium2 as pdfium
    document = pdfium.PdfDocument(str(path))
    painter = QPainter()
    try:
        if not painter.begin(printer):
            raise LabError("the printer could not be started (is it connected, or is "
                           "the output file writable?)")
        try:
            dpi = min(printer.resolution(), PRINT_DPI)
            area = painter.viewport()
            for index in range(len(document)):
                if index:
                    printer.newPage()
                page = document[index]
                bitmap = page.render(scale=dpi / 72).to_pil().convert("RGB")
                data = bitmap.tobytes("raw", "RGB")
                image = QImage(data, bitmap.width, bitmap.height, 3 * bitmap.width,
                               QImage.Format_RGB888).copy()
                scale = min(area.width() / image.width(), area.height() / image.height())
                width, height = image.width() * scale, image.height() * scale
                target = QRectF(area.x() + (area.width() - width) / 2, area.y(), width,
                                height)
                painter.drawImage(target, image)
            return len(document)
        finally:
            painter.end()
    finally:
        document.close()


# ---------------------------------------------------------------------- the model
class ReportsModel(PagedModel):
    """A window onto ``Lab.reports``: rows are fetched a page at a time."""

    columns = COLUMNS
    page_size = PAGE

    def __init__(self, lab, parent=None):
        super().__init__(parent)
        self.lab = lab
        self.status: str | None = None
        self.names: dict[str, str] = {}

    def fetch(self, offset: int, limit: int):
        return self.lab.reports(status=self.status, offset=offset, limit=limit)

    def reload(self, status: str | None = None) -> None:
        self.status = status
        self.names = {u.username: u.full_name for u in self.lab.users()}
        self.reset_rows()

    def row_of(self, number: str) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.number == number), None)

    def replace(self, report) -> None:
        row = self.row_of(report.number)
        if row is not None:
            self.rows[row] = report
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        report = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.DisplayRole:
            if key == "status":
                return grading.label(report.status)
            if key == "issued_at":
                return local_date(report.issued_at)
            if key == "issued_by":
                return self.names.get(report.issued_by, report.issued_by)
            if key == "note":
                return report_note(report)
            return getattr(report, key)
        if role == Qt.ForegroundRole and key == "status":
            return brush(STATUS_TONES.get(report.status, "ink"))
        if role == Qt.ToolTipRole and key == "note":
            return report_note(report) or None
        if role == Qt.ToolTipRole and key == "issued_at":
            return local_time(report.issued_at, seconds=True)
        if role == Qt.UserRole:
            return report.number
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return COLUMNS[section][1]
        return None


def report_note(report) -> str:
    """What a reader should know about a report's status, in words."""
    parts = []
    if report.status == "revoked":
        parts.append(f"revoked {local_date(report.withdrawn_at)}: "
                     f"{report.withdrawn_reason or ''}")
    elif report.status == "superseded":
        parts.append(f"superseded by {report.superseded_by}" if report.superseded_by
                     else "superseded; the corrected report is not issued yet")
        if report.withdrawn_reason:
            parts.append(report.withdrawn_reason)
    if report.supersedes:
        parts.append(f"replaces {report.supersedes}")
    return sentence("; ".join(parts))


# ---------------------------------------------------------------------- the page
class ReportsView(View):
    title = "Reports"
    hint = (f"Issued reports and their status. Pick one to preview it; print "
            f"({shortcuts.keys('print')}), save a copy ({shortcuts.keys('save_copy')}) or "
            f"revoke it. Stones ready for a report are on the second tab.")

    def __init__(self, lab, window):
        super().__init__(lab, window)
        self.current = None   # the Report previewed
        self.task = None      # a running issue task
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Reports tabs")
        self.outer.addWidget(self.tabs, 1)
        self._build_reports_tab()
        self._build_ready_tab()
        shortcuts.bind(self, "print", self.print_current)
        shortcuts.bind(self, "save_copy", self.save_current)
        shortcuts.bind(self, "issue", self.issue_selected)
        self._set_buttons()

    # ------------------------------------------------------------------ building
    def _build_reports_tab(self):
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.status = QComboBox()
        self.status.addItem("All statuses", None)
        for status in workflow.REPORT_STATES:
            self.status.addItem(grading.label(status), status)
        self.status.currentIndexChanged.connect(lambda _: self.reload())
        self.count = QLabel()
        self.count.setObjectName("Hint")
        filters = QHBoxLayout()
        filters.addWidget(labelled("Status:", self.status, name="Filter by status"))
        filters.addWidget(self.status)
        filters.addWidget(self.count, 1)
        layout.addLayout(filters)

        self.model = ReportsModel(self.lab, self)
        self.table = QTableView()
        self.table.setAccessibleName("Reports table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.activated.connect(lambda _i: self._open_stone())

        self.heading = QLabel("Pick a report to preview it.")
        self.heading.setObjectName("ReportHeading")
        self.heading.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.print_button = QPushButton("Print…")
        self.print_button.setAccessibleName("Print the report")
        self.print_button.clicked.connect(self.print_current)
        self.save_button = QPushButton("Save as…")
        self.save_button.setAccessibleName("Save a copy of the report")
        self.save_button.clicked.connect(self.save_current)
        self.revoke_button = QPushButton("Revoke…")
        self.revoke_button.setAccessibleName("Revoke the report")
        self.revoke_button.clicked.connect(self.revoke_current)
        self.verify_button = QPushButton("Verify QR")
        self.verify_button.setAccessibleName("Verify the report's QR code")
        self.verify_button.setToolTip("Check this report's signed QR code on the Verify "
                                      "page, as a retailer would")
        self.verify_button.clicked.connect(self._verify_current)
        self.stone_button = QPushButton("Open stone")
        self.stone_button.setAccessibleName("Open the report's stone")
        self.stone_button.setToolTip("Open the stone this report is about")
        self.stone_button.clicked.connect(self._open_stone)
        # the report's buttons share the filter row: the preview keeps the pane's width
        for button in (self.print_button, self.save_button, self.revoke_button,
                       self.verify_button, self.stone_button):
            filters.addWidget(button)
        self.preview = PdfView()
        self.preview.setAccessibleName("Report preview")
        self.preview.installEventFilter(self)
        self._drawn_width = 0
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(150)
        self._redraw.timeout.connect(self._draw_preview)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.heading)
        right_layout.addWidget(self.details)
        right_layout.addWidget(self.preview, 1)
        self.table.setTextElideMode(Qt.ElideRight)   # the note's tooltip is whole
        self.table.setWordWrap(False)
        right.setMinimumWidth(280)
        split = self.split = QSplitter(Qt.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(self.table)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([520, 560])
        self._split_fitted = False
        layout.addWidget(split, 1)
        self.reports_tab = tab
        self.tabs.addTab(tab, "Issued reports")

    def _build_ready_tab(self):
        tab = QWidget()
        layout = QVBoxLayout(tab)
        note = QLabel("Stones whose origin finding is approved. Select one or more and "
                      f"issue their reports ({shortcuts.keys('issue')}). A stone that was "
                      "reopened and approved again gets a new report, which supersedes "
                      "the old one.")
        note.setObjectName("Hint")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.ready = QTableWidget(0, len(READY_COLUMNS))
        self.ready.setAccessibleName("Stones ready for a report")
        self.ready.setHorizontalHeaderLabels(READY_COLUMNS)
        self.ready.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.ready.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.ready.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.ready.verticalHeader().hide()
        self.ready.horizontalHeader().setStretchLastSection(True)
        self.ready.itemSelectionChanged.connect(self._set_buttons)
        self.ready.itemActivated.connect(lambda _item: self.issue_selected())
        layout.addWidget(self.ready, 1)
        self.issue_button = QPushButton("Issue report")
        self.issue_button.setAccessibleName("Issue reports for the selected stones")
        self.issue_button.clicked.connect(self.issue_selected)
        self.ready_count = QLabel()
        self.ready_count.setObjectName("Hint")
        row = QHBoxLayout()
        row.addWidget(self.ready_count, 1)
        row.addWidget(self.issue_button)
        layout.addLayout(row)
        self.ready_tab = tab
        self.tabs.addTab(tab, "Ready to issue")
        self.tabs.currentChanged.connect(lambda _: self._set_buttons())

    # ------------------------------------------------------------------ reading
    def refresh(self) -> None:
        self.reload(keep=self.current.number if self.current else None)
        self.reload_ready()

    def reload(self, keep: str | None = None) -> None:
        try:
            self.model.reload(self.status.currentData())
        except LabError as exc:
            self.message.error(str(exc))
            return
        self._fit_columns()
        total = self.model.total
        self.count.setText(plural(total, "report"))
        row = self.model.row_of(keep) if keep else None
        if row is None and self.model.rows:
            row = 0
        if row is not None:
            self.table.selectRow(row)
            self._show(self.model.rows[row])
        else:
            self._show(None)

    def _fit_columns(self) -> None:
        """Each column as wide as what it shows (within reason); the note takes the
        rest, elided, its whole text in the tooltip."""
        for column in range(len(COLUMNS) - 1):
            self.table.resizeColumnToContents(column)
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 200))

    def _fit_split(self) -> None:
        """Once the page has its size: the table as wide as its columns and a short note
        need (at most two thirds of the page), the preview the rest.  The user's own
        dragging of the splitter is kept after that."""
        total = sum(self.split.sizes())
        if self._split_fitted or total <= 0:
            return
        self._split_fitted = True
        needed = sum(self.table.columnWidth(c) for c in range(len(COLUMNS) - 1)) + 150 + \
            self.table.verticalScrollBar().sizeHint().width() + 2 * self.table.frameWidth()
        table = min(needed, total * 2 // 3)
        self.split.setSizes([table, total - table])

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit_split()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.isVisible():
            self._fit_split()

    def reload_ready(self) -> None:
        page = self.act(self.lab.stones, state="approved", order="number", limit=1000)
        if page is None:
            return
        superseded = self.act(self.lab.reports, status="superseded", limit=1000)
        pending = {}
        for report in (superseded.items if superseded else ()):
            if not report.superseded_by:
                pending[report.stone] = report.number
        self.ready.setSortingEnabled(False)
        self.ready.setRowCount(len(page.items))
        for row, stone in enumerate(page.items):
            note = (f"Reissue: replaces {pending[stone.number]}"
                    if stone.number in pending else "")
            values = (stone.number, stone.client, stone.client_ref or "", stone.weight,
                      grading.label(stone.shape), stone.colour or "", stone.clarity or "",
                      grading.label(stone.identification), note)
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.UserRole, stone.number)
                if column == 3:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                item.setToolTip(value)
                self.ready.setItem(row, column, item)
        for column in range(len(READY_COLUMNS) - 1):   # as wide as what they show
            self.ready.resizeColumnToContents(column)
            self.ready.setColumnWidth(column, min(self.ready.columnWidth(column), 220))
        more = page.total - len(page.items)
        self.ready_count.setText(
            f"{plural(page.total, 'stone')} ready for a report"
            + (f" (showing the first {len(page.items)}; {more} more)" if more > 0 else ""))
        self.tabs.setTabText(1, f"Ready to issue ({page.total})")
        self._set_buttons()

    def _row_changed(self, current, _previous=None):
        if current.isValid() and current.row() < len(self.model.rows):
            self._show(self.model.rows[current.row()])

    def _show(self, report) -> None:
        self.current = report
        if report is None:
            self.heading.setText("No report to show." if not self.model.rows else
                                 "Pick a report to preview it.")
            self.details.clear()
            self.preview.clear()
            self._set_buttons()
            return
        tone = STATUS_TONES.get(report.status, "ink")
        self.heading.setText(f"{report.number} — "
                             f"{tinted(grading.label(report.status), tone)}")
        issued_by = self.model.names.get(report.issued_by, report.issued_by)
        lines = [f"Stone {report.stone}, issued {local_time(report.issued_at)} by "
                 f"{issued_by}. Signing key {report.kid}."]
        note = report_note(report)
        if note:
            lines.append(note.rstrip(".") + ".")
        self.details.setText(" ".join(lines))
        self._draw_preview()
        self._set_buttons()

    def _preview_width(self) -> int:
        return max(self.preview.viewport().width() - 40, 240)

    def _draw_preview(self) -> None:
        report = self.current
        if report is None:
            return
        self._drawn_width = self._preview_width()
        try:
            path = self.lab.report_pdf(report.number)
            self.preview.load(path, width=self._drawn_width)
        except LabError as exc:
            self.preview.clear()
            self.message.error(str(exc))
        except Exception as exc:  # a damaged PDF: say so, keep the page usable
            self.preview.clear()
            self.message.error(f"{report.number}: the PDF cannot be shown ({exc})")

    def eventFilter(self, watched, event):
        if watched is self.preview and event.type() == QEvent.Resize and \
                self.current is not None and \
                abs(self._preview_width() - self._drawn_width) > 24:
            self._redraw.start()
        return super().eventFilter(watched, event)

    def select_report(self, number: str) -> None:
        """Show report ``number`` (from the search box or another page)."""
        number = " ".join(str(number).split()).upper()
        self.tabs.setCurrentWidget(self.reports_tab)
        row = self.model.row_of(number)
        if row is None and self.status.currentData() is not None:
            self.status.setCurrentIndex(0)  # reloads with every status
            row = self.model.row_of(number)
        pages = 0
        while row is None and self.model.canFetchMore() and pages < 50:
            self.model.fetchMore()
            row = self.model.row_of(number)
            pages += 1
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
            self._show(self.model.rows[row])
            return
        report = self.act(self.lab.report, number)
        if report is not None:
            self.table.clearSelection()
            self._show(report)

    # ------------------------------------------------------------------ guards
    def may_revoke(self) -> Permission:
        """Whether the logged-in user may revoke the report shown.  ``Lab`` has no
        permission record for reports yet: core's guard, the one ``revoke_report`` calls,
        answers (through ``signing.guard``)."""
        if self.current is None:
            return NO_REPORT
        return signing.guard(self.lab, workflow.check_can_revoke, self.current.number,
                             self.current.status)

    def _set_buttons(self) -> None:
        have = self.current is not None
        print_tip = (f"Print this report on any printer, or to a PDF file "
                     f"({shortcuts.keys('print')})")
        save_tip = f"Save a copy of this report's PDF ({shortcuts.keys('save_copy')})"
        for button, text in ((self.print_button, print_tip), (self.save_button, save_tip),
                             (self.verify_button, None), (self.stone_button, None)):
            button.setEnabled(have)
            if not have:
                button.setToolTip("Pick a report first")
            elif text:
                button.setToolTip(text)
        revoke = self.may_revoke()
        self.revoke_button.setEnabled(revoke.allowed)
        self.revoke_button.setToolTip(signing.tooltip(
            revoke, "Withdraw this report with a reason; verifiers will see it as revoked. "
                    "You sign it with your password."))
        selected = self.selected_stones()
        busy = self.task is not None
        self.issue_button.setEnabled(bool(selected) and not busy)
        self.issue_button.setText("Issue report" if len(selected) <= 1 else
                                  f"Issue {len(selected)} reports")
        self.issue_button.setToolTip(
            "Reports are being issued…" if busy else
            "Select the stones to issue reports for" if not selected else
            f"Sign the findings' claims and write the PDF reports "
            f"({shortcuts.keys('issue')})")

    def selected_stones(self) -> list[str]:
        rows = sorted({index.row() for index in self.ready.selectedIndexes()})
        return [self.ready.item(row, 0).text() for row in rows]

    # ------------------------------------------------------------------ actions
    def print_current(self) -> None:
        if self.current is None or not self.print_button.isEnabled():
            return
        number = self.current.number
        path = self.act(self.lab.report_pdf, number)
        if path is None:
            return
        try:
            printer = new_printer(path, number)
            if not ask_print(self, printer):
                return
            pages = print_pdf(path, printer)
        except LabError as exc:
            self.message.error(str(exc))
            return
        target = printer.outputFileName() or printer.printerName() or "the printer"
        self.message.info(f"{number}: {plural(pages, 'page')} sent to {target}.")

    def save_current(self) -> None:
        if self.current is None or not self.save_button.isEnabled():
            return
        number = self.current.number
        path = dialogs.ask_save_file(self, f"Save report {number} as", f"{number}.pdf",
                                     "PDF documents (*.pdf)")
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        self.act(self.lab.report_pdf, number, path, success=f"{number} saved as {path}.")

    def revoke_current(self) -> None:
        number = self.current.number if self.current else ""
        signed = signing.sign(
            self, self.may_revoke(),
            Signature(meaning=REVOKE_MEANING, subject=f"report {number}", verb="revoked",
                      reason_title=f"Revoke report {number}",
                      reason_prompt="Why is this report withdrawn? Verifiers are told that "
                                    "it is revoked; the reason is kept in the record.",
                      reason_for="revocation"),
            lambda reason, password: self.lab.revoke_report(number, reason,
                                                            password=password))
        if signed is not None:
            self.model.replace(signed.result)
            self._show(signed.result)
            self.message.info(f"{number} is revoked ({signed.reason}). Publish the "
                              f"revocation list so that offline verifiers learn of it.")

    def issue_selected(self) -> None:
        numbers = self.selected_stones()
        if not numbers or self.task is not None:
            if not numbers and self.tabs.currentWidget() is self.ready_tab:
                self.message.error("Select the stones to issue reports for.")
            return
        lab = self.lab

        def work(progress):
            issued, problems = [], []
            for index, number in enumerate(numbers):
                progress(index, len(numbers))
                try:
                    issued.append(lab.issue_report(number))
                except LabError as exc:
                    problems.append(f"{number}: {exc}")
            progress(len(numbers), len(numbers))
            return issued, problems

        self.message.info(f"Issuing {plural(len(numbers), 'report')}…")
        title = f"Issuing {len(numbers)} reports" if len(numbers) > 1 else None
        self.task = run_task(self, work, self._issued, self._issue_failed, title=title,
                             cancellable=len(numbers) > 1)
        self._set_buttons()

    def _issued(self, result) -> None:
        self.task = None
        issued, problems = result
        self.reload_ready()
        if issued:
            self.status.blockSignals(True)
            self.status.setCurrentIndex(0)
            self.status.blockSignals(False)
            self.reload(keep=issued[-1].number)
            self.tabs.setCurrentWidget(self.reports_tab)
        done = ", ".join(f"{r.number} for {r.stone}" for r in issued)
        if problems:
            self.message.error(("Issued " + done + ". " if issued else "") +
                               "Not issued: " + "; ".join(problems))
        else:
            self.message.info(f"Issued {done}.")

    def _issue_failed(self, text: str) -> None:
        self.task = None
        self.reload_ready()
        self.reload(keep=self.current.number if self.current else None)
        self.message.error("Issuing stopped: " + text)

    def _verify_current(self) -> None:
        if self.current is not None:
            self.window_.open_verify(self.current.qr_text)

    def _open_stone(self) -> None:
        if self.current is not None:
            self.window_.open_stone(self.current.stone)
