"""Intake: a new submission (client, reference, received date and time, what the client
declared), its stones typed or pasted into a grid, or a dealer's packing list imported
through a preview; then the intake labels.  Nothing is saved until Receive is pressed."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractListModel, QDateTime, QStringListModel, Qt
from PySide6.QtWidgets import (QAbstractItemView, QCompleter, QDateTimeEdit, QLabel,
                               QLineEdit, QListView, QPushButton,
                               QSpinBox, QStackedWidget, QVBoxLayout, QWidget)

from labdesk.core import declared
from labdesk.core.grading import parse_identification
from labdesk.core.settings import LABEL_SIZES, label_size
from labdesk.core.stones import STONE_FIELDS, unreportable_warning
from labdesk.core.weights import MAX_PARCEL_MCT, format_weight, parse_weight
from labdesk.errors import DuplicateIntake, LabError, ValidationError
from labdesk.ui import dialogs, shortcuts
from labdesk.ui.views.base import View
from labdesk.ui.views.intake_grid import FIELD_LABELS, StonesGrid, problem_text
from labdesk.ui.views.packing_preview import PackingPreview
from labdesk.ui.widgets import hbox, labelled, restyle
from labdesk.ui.wording import plural
from labdesk.ui.worker import run_task

RECEIVED_TIP = "When the parcel came in (this workstation's local time)"
DECLARED_COUNT_TIP = "How many stones the client's papers declare (0: not declared)"
DECLARED_WEIGHT_TIP = "The total carat weight the client's papers declare"
PACKING_FILTERS = ("Packing lists (*.csv *.xlsx);;CSV files (*.csv);;"
                   "Excel workbooks (*.xlsx);;All files (*)")


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def ask_print(parent, printer) -> bool:
    """The system's print dialog for the intake labels on ``printer``; True when the user
    chose to print.  (One place tests replace, so that no test blocks on the dialog.)"""
    from PySide6.QtPrintSupport import QPrintDialog
    from PySide6.QtWidgets import QDialog
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print intake labels")
    try:
        return dialog.exec() == QDialog.Accepted
    finally:
        dialog.deleteLater()


def label_printer(path, name: str, size_words: str, printer_name: str = ""):
    """A printer for the labels PDF at ``path``: the page exactly its first page (a roll's
    one label, or the sheet), named ``size_words`` in the dialog, the whole page printable
    (the label's own margins are in the PDF), on ``printer_name`` when that is known."""
    import pypdfium2 as pdfium
    from PySide6.QtCore import QSizeF
    from PySide6.QtGui import QPageLayout, QPageSize
    from PySide6.QtPrintSupport import QPrinter
    printer = QPrinter(QPrinter.HighResolution)
    if printer_name:
        printer.setPrinterName(printer_name)
    printer.setDocName(name)
    document = pdfium.PdfDocument(str(path))
    try:
        width, height = document[0].get_size()
    finally:
        document.close()
    printer.setPageSize(QPageSize(QSizeF(width, height), QPageSize.Point, size_words,
                                  QPageSize.FuzzyMatch))
    printer.setPageOrientation(QPageLayout.Portrait)   # the page as it is, wide or tall
    printer.setFullPage(True)
    return printer


def ask_receive_duplicates(parent, message: str) -> bool:
    """Whether to receive stones whose stock numbers the lab already holds for the
    client (the Lab's sentence, naming the earlier submission); No by default."""
    from PySide6.QtWidgets import QMessageBox
    box = QMessageBox(QMessageBox.Warning, "Stock numbers received before",
                      message[:1].upper() + message[1:] + ".", parent=parent)
    box.setInformativeText("Receive these stones anyway, as other stones under the same "
                           "stock numbers?")
    receive = box.addButton("Receive anyway", QMessageBox.AcceptRole)
    box.addButton("Do not receive", QMessageBox.RejectRole)
    box.setDefaultButton(box.buttons()[-1])
    box.exec()
    return box.clickedButton() is receive


def ask_replace_grid(parent, count: int) -> bool:
    """Whether the grid's stones may be replaced by a packing list's rows."""
    from PySide6.QtWidgets import QMessageBox
    answer = QMessageBox.question(
        parent, "Replace the grid's stones",
        f"The grid holds {plural(count, 'stone')} not yet received. Replace "
        f"{'it' if count == 1 else 'them'} with the rows of the packing list?",
        QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
    return answer == QMessageBox.Yes


class ProblemsModel(QAbstractListModel):
    """The grid's problems, one a line: 'Row 3, Carat: 1.2345 has more than…'."""

    LIMIT = 1000

    def __init__(self, parent=None):
        super().__init__(parent)
        self.problems: list[tuple[int, int, str]] = []

    def set_problems(self, problems) -> None:
        problems = list(problems)
        if problems == self.problems:
            return
        self.beginResetModel()
        self.problems = problems
        self.endResetModel()

    def rowCount(self, parent=None):
        if parent is not None and parent.isValid():
            return 0
        return min(len(self.problems), self.LIMIT + 1)

    def place(self, line: int):
        return self.problems[line][:2] if 0 <= line < min(len(self.problems),
                                                          self.LIMIT) else None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or role not in (Qt.DisplayRole, Qt.ToolTipRole):
            return None
        if index.row() >= self.LIMIT:
            return f"… and {len(self.problems) - self.LIMIT:,} more"
        row, column, message = self.problems[index.row()]
        return f"Row {row + 1}, {FIELD_LABELS[STONE_FIELDS[column]]}: {message}"


class IntakeView(View):
    title = "Intake"
    hint = ("Receive a submission: the client, then its stones, typed or pasted from a "
            "spreadsheet into the grid, or imported from the dealer's packing list. "
            "Nothing is saved until you press Receive.")

    def __init__(self, lab, window):
        super().__init__(lab, window)
        self.last_numbers: list[str] = []
        self.last_submission: str | None = None
        self.busy = False
        self.task = None
        self._client_names: dict[str, str] = {}
        self._received_touched = False
        self._declared_problem: str | None = None

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(self._make_form())
        self.stack = QStackedWidget()
        self.stack.addWidget(self._make_grid_page())
        self.preview = PackingPreview()
        self.stack.addWidget(self.preview)
        body.addWidget(self.stack, 1)
        self.outer.addWidget(self.body, 1)

        self.preview.receive.clicked.connect(self.receive_packing_list)
        self.preview.back.clicked.connect(self.show_grid)
        self.preview.another.clicked.connect(self.import_packing_list)
        self.preview.fix.clicked.connect(self.load_into_grid)
        self.unread: ValidationError | None = None   # a list with problems, its rows kept
        shortcuts.bind(self, "save", self._primary)
        shortcuts.bind(self, "import", self.import_packing_list)
        shortcuts.bind(self, "add_row", self.add_row)
        shortcuts.bind(self, "print", self.print_labels)
        chain = (self.client, self.reference, self.received, self.declared_count,
                 self.declared_weight, self.grid, self.save_button, self.labels_button,
                 self.save_labels_button,
                 self.add_row_button, self.remove_rows_button, self.paste_button,
                 self.import_button, self.problems)
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)  # the form, then straight into the grid
        shortcuts.bind(self.preview, "back", self.show_grid)
        self._update_totals()

    # ------------------------------------------------------------------ building
    def _make_form(self) -> QVBoxLayout:
        self.client = QLineEdit()
        self.client.setPlaceholderText("Pick a client or type a new name")
        self.client.setClearButtonEnabled(True)
        self._client_model = QStringListModel(self)
        completer = QCompleter(self._client_model, self.client)
        completer.setCaseSensitivity(Qt.CaseInsensitive)
        completer.setFilterMode(Qt.MatchContains)
        completer.setCompletionMode(QCompleter.PopupCompletion)
        self.client.setCompleter(completer)
        self.client_note = QLabel()
        self.client_note.setObjectName("NewClient")
        self.client_note.setAccessibleName("Client note")
        self.client_note.setToolTip("Not one of the lab's clients yet: it is added when "
                                    "you receive")
        self.client_note.setFixedWidth(self.client_note.fontMetrics().horizontalAdvance(
            "new client") + 16)
        self.client.textChanged.connect(self._client_changed)

        self.reference = QLineEdit()
        self.reference.setPlaceholderText("The client's memo or parcel reference (optional)")

        self.received = QDateTimeEdit(QDateTime.currentDateTime())
        self.received.setCalendarPopup(True)
        self.received.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.received.dateTimeChanged.connect(self._received_changed)

        self.declared_count = QSpinBox()
        self.declared_count.setRange(0, 100_000)
        self.declared_count.setSpecialValueText("not declared")
        self.declared_count.valueChanged.connect(self._update_totals)

        self.declared_weight = QLineEdit()
        self.declared_weight.setPlaceholderText("not declared")
        self.declared_weight.textChanged.connect(self._update_totals)

        self.client.setMinimumWidth(300)
        self.received.setFixedWidth(170)
        self.declared_count.setFixedWidth(130)
        self.declared_weight.setFixedWidth(120)
        first = hbox(labelled("&Client", self.client), self.client, self.client_note)
        first.setStretch(1, 3)
        first.addSpacing(16)
        first.addWidget(labelled("&Reference", self.reference, name="Client's reference"))
        first.addWidget(self.reference, 2)
        second = hbox(labelled("Recei&ved", self.received, RECEIVED_TIP, "Received at"),
                      self.received)
        second.addSpacing(16)
        for text, widget, tip, name in (
                ("Declared &stones", self.declared_count, DECLARED_COUNT_TIP,
                 "Declared number of stones"),
                ("Declared &weight (ct)", self.declared_weight, DECLARED_WEIGHT_TIP,
                 "Declared total weight in carats")):
            second.addWidget(labelled(text, widget, tip, name))
            second.addWidget(widget)
            second.addSpacing(16)
        second.addStretch(1)
        form = QVBoxLayout()
        form.setSpacing(6)
        form.addLayout(first)
        form.addLayout(second)
        return form

    def _make_grid_page(self) -> QWidget:
        page = QWidget()
        page.setAccessibleName("Stones entry")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        self.add_row_button = QPushButton("Add a row")
        self.add_row_button.setAccessibleName("Add a row")
        self.add_row_button.setToolTip("Add an empty row at the end (Ctrl+N)")
        self.add_row_button.clicked.connect(self.add_row)
        self.remove_rows_button = QPushButton("Remove selected rows")
        self.remove_rows_button.setAccessibleName("Remove selected rows")
        self.remove_rows_button.setToolTip("Remove every row with a selected cell")
        self.remove_rows_button.clicked.connect(self.remove_rows)
        self.paste_button = QPushButton("Paste rows")
        self.paste_button.setAccessibleName("Paste rows")
        self.paste_button.setToolTip("Paste rows copied from a spreadsheet at the current "
                                     "cell (Ctrl+V in the grid)")
        self.paste_button.clicked.connect(self.paste)
        self.import_button = QPushButton("Import packing list…")
        self.import_button.setAccessibleName("Import packing list")
        self.import_button.setToolTip("Read a dealer's packing list (CSV or XLSX) and "
                                      "preview it before anything is saved (Ctrl+I)")
        self.import_button.clicked.connect(self.import_packing_list)
        layout.addLayout(hbox(self.add_row_button, self.remove_rows_button,
                              self.paste_button, None, self.import_button))

        self.grid = StonesGrid(rows=3)
        self.grid.changed.connect(self._grid_changed)
        self.grid.pasted.connect(self._pasted)
        layout.addWidget(self.grid, 1)
        keys = QLabel("Tab or Enter: next cell (a new row after the last) · type to "
                      "overwrite a cell, F2 to edit it · Ctrl+V: paste rows from a "
                      "spreadsheet · Delete: empty the selected cells · Ctrl+Tab: leave "
                      "the grid")
        keys.setObjectName("Hint")
        keys.setWordWrap(True)
        layout.addWidget(keys)

        self.problems_title = QLabel()
        self.problems_title.setAccessibleName("Problems in the grid")
        self.problems_title.setObjectName("ProblemsTitle")
        self.problem_model = ProblemsModel(self)
        self.problems = QListView()
        self.problems.setModel(self.problem_model)
        self.problems.setAccessibleName("Problem list")
        self.problems.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.problems.setUniformItemSizes(True)
        self.problems.setObjectName("Problems")
        self.problems.setSelectionMode(QAbstractItemView.SingleSelection)
        self.problems.activated.connect(self._go_to_problem)
        self.problems.clicked.connect(self._go_to_problem)
        self.problems_title.hide()
        self.problems.hide()
        layout.addWidget(self.problems_title)
        layout.addWidget(self.problems)

        self.discrepancy = QLabel()
        self.discrepancy.setAccessibleName("Declared count and weight")
        self.discrepancy.setWordWrap(True)
        self.discrepancy.setObjectName("Warning")
        self.discrepancy.hide()
        layout.addWidget(self.discrepancy)

        self.totals = QLabel()
        self.totals.setAccessibleName("Grid totals")
        self.totals.setObjectName("Caption")
        self.labels_button = QPushButton("Print intake labels…")
        self.labels_button.setAccessibleName("Print intake labels")
        self.labels_button.clicked.connect(self.print_labels)
        self.save_labels_button = QPushButton("Save labels as PDF…")
        self.save_labels_button.setAccessibleName("Save intake labels as PDF")
        self.save_labels_button.clicked.connect(self.save_labels)
        self.printer_name = ""   # the printer the labels last went to, offered again
        self.save_button = QPushButton("Receive stones")
        self.save_button.setAccessibleName("Receive stones")
        self.save_button.setToolTip("Save the submission and its stones (Ctrl+S)")
        self.save_button.setDefault(True)
        self.save_button.setMinimumWidth(150)
        self.save_button.clicked.connect(self.save)
        layout.addLayout(hbox(self.totals, None, self.save_labels_button,
                              self.labels_button, self.save_button))
        self._set_labels_enabled()
        return page

    # ------------------------------------------------------------------ page
    def refresh(self):
        names = [c.name for c in self.lab.clients()]
        self._client_names = {_key(n): n for n in names}
        self._client_model.setStringList(names)
        self._client_changed(self.client.text())
        if not self._received_touched and not self.busy:
            self._set_received_now()
        if not self.busy and self.stack.currentIndex() == 0 and \
                not self.grid.stone_rows() and not self.client.text():
            self.client.setFocus()

    def _set_received_now(self) -> None:
        self.received.blockSignals(True)
        self.received.setDateTime(QDateTime.currentDateTime())
        self.received.blockSignals(False)
        self._received_touched = False

    def _received_changed(self, _value) -> None:
        self._received_touched = True

    def _client_changed(self, text: str) -> None:
        name = " ".join(text.split())
        if not name or _key(name) in self._client_names:
            self.client_note.setText("")
        else:
            self.client_note.setText("new client")

    def show_grid(self) -> None:
        if self.busy:
            return
        self.stack.setCurrentIndex(0)
        self.grid.setFocus()

    # ------------------------------------------------------------------ the grid
    def add_row(self) -> None:
        if self.busy or self.stack.currentIndex() != 0:
            return
        self.grid.finish_editing()
        row = self.grid.add_row()
        self.grid.setFocus()
        self.grid.edit(self.grid.model().index(row, 0))

    def remove_rows(self) -> None:
        if self.busy:
            return
        self.grid.finish_editing()
        removed = self.grid.remove_rows()
        self.message.info(f"Removed {plural(removed, 'row')}.")

    def paste(self) -> None:
        if self.busy:
            return
        self.grid.finish_editing()
        self._pasted(self.grid.paste())

    def _pasted(self, said: str) -> None:
        problems = len(self.grid.problems())
        if problems:
            verb = "needs" if problems == 1 else "need"
            self.message.error(f"{said} {plural(problems, 'cell')} {verb} correcting "
                               f"(in red).")
        else:
            self.message.info(said)
        self.grid.setFocus()

    def _grid_changed(self) -> None:
        problems = self.grid.problems()
        self.problem_model.set_problems(problems)
        self.problems_title.setText(
            f"{plural(len(problems), 'problem')} in the grid (click one to go to its "
            f"cell); nothing is saved until {'it is' if len(problems) == 1 else 'all are'}"
            f" corrected")
        if bool(problems) != self.problems.isVisibleTo(self.problems.parentWidget()):
            self.problems_title.setVisible(bool(problems))
            self.problems.setVisible(bool(problems))
        if problems:
            shown = min(len(problems), 5)
            height = shown * max(self.problems.sizeHintForRow(0), 16) + \
                2 * self.problems.frameWidth() + 4
            if height != self.problems.height():
                self.problems.setFixedHeight(height)
        self._update_totals()

    def _go_to_problem(self, index) -> None:
        place = self.problem_model.place(index.row())
        if place:
            self.grid.go_to(*place)

    def _declared_weight(self) -> int | None:
        """The declared total in thousandths, None when blank; ValidationError if bad."""
        text = self.declared_weight.text().strip()
        if not text:
            return None
        return parse_weight(text, "declared weight", MAX_PARCEL_MCT)

    def _update_totals(self, *_):
        count, mct = self.grid.totals()
        unweighed = sum(1 for _row, column, _ in self.problem_model.problems
                        if STONE_FIELDS[column] == "weight")
        self.totals.setText(f"In the grid: {plural(count, 'stone')}, "
                            f"{format_weight(mct)} ct" +
                            (f" (not counting {plural(unweighed, 'weight')} in red)"
                             if unweighed else ""))
        self.discrepancy.setText(" ".join(filter(None, (
            self._discrepancy(count, mct),
            unreportable_warning(self._grid_identifications())))))
        self.discrepancy.setVisible(bool(self.discrepancy.text()))
        packing = getattr(self, "preview", None) and self.preview.packing
        if packing is not None:
            self.preview.set_warning(" ".join(filter(None, (
                self._discrepancy(len(packing.stones), self.preview.total_mct,
                                  "the file holds"),
                unreportable_warning(s.get("identification") for s in packing.stones)))))

    def _grid_identifications(self) -> list:
        """The identification of each stone in the grid, as core reads it (a cell that
        cannot be read is already marked as a problem, and left out here)."""
        out = []
        for _row, fields in self.grid.stone_rows():
            try:
                out.append(parse_identification(fields.get("identification")))
            except ValidationError:
                continue
        return out

    def _discrepancy(self, count: int, mct: int, where: str = "the grid holds") -> str:
        """A warning when what the client declared differs from what was entered (core's
        sentence, the one the command line gives); the declared weight field marked when
        it cannot be read."""
        try:
            declared_mct = self._declared_weight()
        except ValidationError as exc:
            self._mark_declared_weight(str(exc))
            return f"Declared weight: {problem_text('declared weight', str(exc))}."
        self._mark_declared_weight(None)
        return declared.warning(self.declared_count.value() or None, declared_mct, count,
                                mct, where)

    def _mark_declared_weight(self, problem: str | None) -> None:
        if problem == self._declared_problem:
            return
        self._declared_problem = problem
        restyle(self.declared_weight, invalid=problem is not None)
        self.declared_weight.setToolTip(problem or DECLARED_WEIGHT_TIP)

    # ------------------------------------------------------------------ saving
    def _primary(self) -> None:
        if self.stack.currentWidget() is self.preview:
            if self.preview.receive.isEnabled():
                self.receive_packing_list()
        else:
            self.save()

    def _received_at(self):
        return self.received.dateTime().toPython().astimezone()

    def save(self, allow_duplicates: bool = False) -> None:
        """Receive the stones of the grid: checked here first, then by ``Lab.receive``.
        Stock numbers the lab holds for the client already are received only when the
        user says so (``ask_receive_duplicates``)."""
        if self.busy:
            return
        self.grid.finish_editing()
        rows = self.grid.stone_rows()
        if not rows:
            self.message.error("The grid holds no stones: type them, paste them from a "
                               "spreadsheet (Ctrl+V) or import a packing list (Ctrl+I).")
            self.grid.setFocus()
            return
        problems = self.grid.check_all(require_weight=True)
        self._grid_changed()
        if problems:
            self._refuse_grid(problems)
            return
        try:
            self._declared_weight()
        except ValidationError as exc:
            self.message.error(f"Nothing was saved. {exc}")
            self.declared_weight.setFocus()
            return
        stones = [fields for _row, fields in rows]
        grid_rows = [row for row, _fields in rows]
        client = self.client.text()
        kwargs = {"reference": self.reference.text(), "received_at": self._received_at(),
                  "declared_count": self.declared_count.value() or None,
                  "declared_weight": self.declared_weight.text().strip() or None}
        self._start(lambda progress: self.lab.receive(client, stones, progress=progress,
                                                      allow_duplicates=allow_duplicates,
                                                      **kwargs),
                    lambda result: self._saved(result, grid_rows),
                    f"Receiving {plural(len(stones), 'stone')}…")

    def _refuse_grid(self, problems: int) -> None:
        self.message.error(f"Nothing was saved: {plural(problems, 'problem')} in the "
                           f"grid, marked in red and listed under it. Correct "
                           f"{'it' if problems == 1 else 'them'} and receive again.")
        first = self.grid.problems()
        if first:
            self.grid.go_to(first[0][0], first[0][1])

    def _saved(self, result, grid_rows: list[int]) -> None:
        if isinstance(result, DuplicateIntake):
            if ask_receive_duplicates(self, str(result)):
                self.save(allow_duplicates=True)
            else:
                self.message.error(f"Nothing was saved. {result}.")
            return
        if isinstance(result, ValidationError):
            marked = 0
            for problem in result.problems:
                row, column = problem.get("row"), problem.get("column")
                if row and column in STONE_FIELDS and 0 < row <= len(grid_rows):
                    self.grid.mark(grid_rows[row - 1], column,
                                   problem_text(column, problem.get("message", "")))
                    marked += 1
            if marked:
                self._refuse_grid(marked)
            else:
                self._refuse_form(result)
            return
        self._received(result)
        self.grid.reset_rows(3)

    def _refuse_form(self, error: ValidationError) -> None:
        self.message.error(f"Nothing was saved. {error}")
        widgets = {"client": self.client, "reference": self.reference,
                   "received_at": self.received, "declared_count": self.declared_count,
                   "declared_weight": self.declared_weight}
        widget = widgets.get(error.field)
        if widget is not None:
            widget.setFocus()

    def _received(self, sub) -> None:
        """A submission was saved (typed or imported): say so, offer its labels."""
        numbers = [s.number for s in sub.stones]
        span = numbers[0] if len(numbers) == 1 else f"{numbers[0]} to {numbers[-1]}"
        self.last_numbers, self.last_submission = numbers, sub.number
        self.message.info(f"Received {sub.number}: {plural(len(numbers), 'stone')}, "
                          f"{sub.total_weight} ct ({span}). Print the intake labels with "
                          f"Ctrl+P.")
        self.client.clear()
        self.reference.clear()
        self.declared_count.setValue(0)
        self.declared_weight.clear()
        self._set_received_now()
        self._set_labels_enabled()
        self.refresh()
        self.stack.setCurrentIndex(0)
        self.client.setFocus()

    # ------------------------------------------------------------------ packing lists
    def import_packing_list(self) -> None:
        if self.busy:
            return
        path = dialogs.ask_open_file(self, "Import a packing list", PACKING_FILTERS)
        if not path:
            return
        self._start(lambda progress: self.lab.preview_packing_list(path),
                    lambda result: self._previewed(path, result),
                    "Reading the packing list…")

    def _previewed(self, path, result) -> None:
        name = Path(path).name
        if isinstance(result, ValidationError):
            rows = getattr(result, "rows", None) or []
            self.unread = result if rows else None
            self.preview.show_problems(path, result.problems, len(rows))
            count = len(result.problems)
            self.message.error(
                f"{name}: {plural(count, 'problem')}, listed below. Nothing was saved." +
                (f" Correct {'it' if count == 1 else 'them'} in the grid (Alt+G) to fix "
                 f"{'the cell' if count == 1 else 'the cells'} and receive from there."
                 if rows else ""))
        else:
            self.preview.show_stones(path, result)
            self._update_totals()
            self.message.info(f"{name}: {plural(len(result.stones), 'stone')} read. "
                              f"Check them, then press Receive (Ctrl+S).")
        self.stack.setCurrentWidget(self.preview)
        self.preview.table.setFocus()

    def load_into_grid(self) -> None:
        """Load the rows of a packing list that has problems into the grid, each cell as
        the file holds it, the problems marked in red, to correct them and receive the
        stones from the grid."""
        error = self.unread
        if self.busy or error is None:
            return
        held = len(self.grid.stone_rows())
        if held and not ask_replace_grid(self, held):
            return
        columns = {name: index for index, name in enumerate(STONE_FIELDS)}
        file_rows = [number for number, _fields in error.rows]
        self.grid.reset_rows(max(1, len(error.rows)))
        self.grid.grid_model.write_block(0, [
            [(columns[name], text) for name, text in fields.items() if name in columns]
            for _number, fields in error.rows])
        where = {number: index for index, number in enumerate(file_rows)}
        fields_of = dict(error.columns)
        unplaced = []
        for problem in error.problems:
            row, field = where.get(problem.get("row")), fields_of.get(problem.get("column"))
            if row is None or field is None:
                unplaced.append(problem)
            elif self.grid.problem(row, field) is None:   # a problem of the whole list
                self.grid.mark(row, field, problem_text(field, problem.get("message", "")))
        self.grid.check_all(require_weight=True)
        self._grid_changed()
        name = self.preview.path.name if self.preview.path else "the packing list"
        self.unread = None
        self.stack.setCurrentIndex(0)
        marked = len(self.grid.problems())
        note = (" " + "; ".join(p.get("message", "") for p in unplaced[:3]) + "."
                if unplaced else "")
        self.message.error(
            f"Loaded {plural(len(file_rows), 'row')} of {name} into the grid: "
            f"{plural(marked, 'cell')} in red to correct (row 1 of the grid is row "
            f"{file_rows[0] if file_rows else 1} of the file). Nothing is saved until you "
            f"press Receive stones (Ctrl+S).{note}")
        first = self.grid.problems()
        if first:
            self.grid.go_to(first[0][0], first[0][1])
        else:
            self.grid.setFocus()

    def receive_packing_list(self, allow_duplicates: bool = False) -> None:
        if self.busy or self.preview.packing is None:
            return
        path, count = self.preview.path, len(self.preview.packing.stones)
        client, reference = self.client.text(), self.reference.text()
        received_at = self._received_at()
        self._start(lambda progress: self.lab.import_packing_list(
                        path, client, reference=reference, received_at=received_at,
                        progress=progress, allow_duplicates=allow_duplicates),
                    self._imported, f"Receiving {plural(count, 'stone')}…")

    def _imported(self, result) -> None:
        if isinstance(result, DuplicateIntake):
            if ask_receive_duplicates(self, str(result)):
                self.receive_packing_list(allow_duplicates=True)
            else:
                self.message.error(f"Nothing was saved. {result}.")
            return
        if isinstance(result, ValidationError):
            if any(p.get("row") for p in result.problems) or result.field is None:
                self.preview.show_problems(self.preview.path, result.problems)
                self.message.error(f"The file changed since it was read: "
                                   f"{plural(len(result.problems), 'problem')}. "
                                   f"Nothing was saved.")
            else:
                self._refuse_form(result)
            return
        self._received(result)

    # ------------------------------------------------------------------ labels
    def _set_labels_enabled(self) -> None:
        self.labels_button.setEnabled(bool(self.last_numbers))
        self.save_labels_button.setEnabled(bool(self.last_numbers))
        if self.last_numbers:
            stones = plural(len(self.last_numbers), "stone")
            self.labels_button.setToolTip(f"Print the envelope labels for the {stones} of "
                                          f"{self.last_submission} (Ctrl+P), on the label "
                                          f"size chosen in Settings")
            self.save_labels_button.setToolTip(f"Save a PDF of the envelope labels for "
                                               f"the {stones} of {self.last_submission}")
        else:
            for button in (self.labels_button, self.save_labels_button):
                button.setToolTip("Receive a submission first: its intake labels are "
                                  "printed from here")

    def _label_size_words(self) -> str:
        return LABEL_SIZES[label_size(self.lab.settings())]

    def print_labels(self) -> None:
        """The labels on the lab's label size, through the print dialog to the printer
        chosen there (the one chosen last time offered first)."""
        if self.busy or not self.last_numbers:
            return
        import shutil
        import tempfile
        numbers, submission = list(self.last_numbers), self.last_submission
        folder = Path(tempfile.mkdtemp(prefix="labdesk-labels-"))
        path = folder / f"{submission}-labels.pdf"
        def make(progress):
            try:
                return self.lab.labels_pdf(numbers, path)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
        self._start(make, lambda result: self._print_labels(result, submission, len(numbers),
                                                      folder),
                    "Making the intake labels…")

    def _print_labels(self, result, submission: str, count: int, folder: Path) -> None:
        import shutil
        from labdesk.ui.views.reports import print_pdf
        try:
            if isinstance(result, ValidationError):
                self.message.error(str(result))
                return
            words = self._label_size_words()
            printer = label_printer(result, f"{submission} intake labels", words,
                                    self.printer_name)
            if not ask_print(self, printer):
                self.message.info("Nothing was printed.")
                return
            try:
                pages = print_pdf(result, printer)
            except LabError as exc:
                self.message.error(f"The labels were not printed: {exc}")
                return
            where = printer.outputFileName() or printer.printerName() or "the printer"
            if not printer.outputFileName():
                self.printer_name = printer.printerName()
            self.message.info(f"Printed the intake labels for {plural(count, 'stone')} "
                              f"({words}, {plural(pages, 'page')}) on {where}.")
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def save_labels(self) -> None:
        if self.busy or not self.last_numbers:
            return
        numbers, submission = list(self.last_numbers), self.last_submission
        path = dialogs.ask_save_file(self, "Save the intake labels",
                                     str(Path.home() / f"{submission}-labels.pdf"),
                                     "PDF files (*.pdf)")
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        self._start(lambda progress: self.lab.labels_pdf(numbers, path),
                    lambda result: self._labels_saved(result, len(numbers)),
                    "Making the intake labels…")

    def _labels_saved(self, result, count: int) -> None:
        if isinstance(result, ValidationError):
            self.message.error(str(result))
            return
        self.message.info(f"Intake labels for {plural(count, 'stone')} saved to "
                          f"{result} ({self._label_size_words()}).")

    # ------------------------------------------------------------------ background
    def _start(self, fn, on_done, title: str) -> None:
        """Run ``fn(progress)`` off the GUI thread; a ValidationError comes back as the
        result (its problems are shown), any other LabError as a message."""
        def run(progress):
            try:
                return fn(progress)
            except ValidationError as exc:
                return exc

        def done(result):
            self._set_busy(False)
            on_done(result)

        def failed(message):
            self._set_busy(False)
            self.message.error(f"Nothing was saved: {message}" if message else
                               "Nothing was saved.")
        self._set_busy(True)
        self.task = run_task(self, run, done, failed, title=title)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.body.setEnabled(not busy)
        if not busy:
            self.task = None
