"""The intake stones grid: one stone a row, made for the keyboard.

Tab and Enter commit a cell and move to the next one (a new row is added past the last
cell); typing on a cell starts editing it; Ctrl+V pastes tab-separated rows copied from a
spreadsheet at the current cell (adding rows as needed, and reading a header row when the
block starts with one); Ctrl+C copies the selected cells; Delete empties them.  Each cell
is checked as it is committed with ``labdesk.core.stones.parse_stone_fields``: a bad cell
turns red and carries its message (tooltip and ``problems()``); a good one is rewritten in
words ('EX' -> 'Excellent', '1,16' -> '1.160').

The cells live in a Python model (``IntakeGridModel``), not in table-widget items: a
pasted parcel of thousands of stones is checked and shown without a Qt call per cell.
"""
from __future__ import annotations

import re

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QAbstractItemDelegate, QAbstractItemView, QApplication,
                               QCompleter, QHeaderView, QLineEdit, QStyledItemDelegate,
                               QTableView, QWidget)

from labdesk.core import grading
from labdesk.core.packing_list import HEADER_SYNONYMS
from labdesk.core.stones import (STONE_FIELDS, check_consistency, column_for,
                                 parse_stone_fields)
from labdesk.core.weights import format_weight
from labdesk.errors import ValidationError
from labdesk.ui.widgets import brush
from labdesk.ui.wording import plural

#: Column headings, in words, for the fields of ``STONE_FIELDS``.
FIELD_LABELS = {
    "client_ref": "Client ref", "weight": "Carat", "shape": "Shape", "colour": "Colour",
    "clarity": "Clarity", "cut": "Cut", "polish": "Polish", "symmetry": "Symmetry",
    "fluorescence": "Fluorescence", "measurements": "Measurements (mm)",
    "inscription": "Inscription", "identification": "Identification",
    "growth_method": "Growth method", "mounted": "Mounted",
    "earlier_lab": "Earlier lab", "earlier_report": "Earlier report no.",
    "declared_origin": "Declared origin", "notes": "Notes",
}
_WIDTHS = {"client_ref": 92, "weight": 62, "shape": 76, "colour": 58, "clarity": 60,
           "cut": 76, "polish": 76, "symmetry": 76, "fluorescence": 92,
           "measurements": 140, "inscription": 96, "identification": 132,
           "growth_method": 112, "mounted": 76, "earlier_lab": 84, "earlier_report": 120,
           "declared_origin": 110, "notes": 160}
#: Fields whose stored values are codes shown in words (grading.label).
_WORDED = {"shape", "cut", "polish", "symmetry", "fluorescence", "identification"}
#: What the cell editor offers as the user types.
CHOICES = {
    "shape": [grading.label(v) for v in grading.SHAPES],
    "colour": list(grading.COLOURS),
    "clarity": list(grading.CLARITIES),
    "cut": [grading.label(v) for v in grading.FINISH_GRADES],
    "polish": [grading.label(v) for v in grading.FINISH_GRADES],
    "symmetry": [grading.label(v) for v in grading.FINISH_GRADES],
    "fluorescence": [grading.label(v) for v in grading.FLUORESCENCE],
    "identification": [grading.label(v) for v in grading.IDENTIFICATIONS],
    "growth_method": list(grading.GROWTH_METHODS),
    "mounted": ["no", "yes"],
}
_WEIGHT = STONE_FIELDS.index("weight")
_COLUMNS = len(STONE_FIELDS)
MAX_PASTE_ROWS = 20_000
_REQUIRED = "a weight in carats is required"


def _header_key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", str(text).lower().replace("#", "no"))


_FIELD_BY_HEADER = {_header_key(h): f for f, headers in HEADER_SYNONYMS.items()
                    for h in (*headers, f, FIELD_LABELS[f])}


def header_field(text: str) -> str | None:
    """The stone field a spreadsheet header names ('Stock #' -> 'client_ref'), or None."""
    return _FIELD_BY_HEADER.get(_header_key(text)) if str(text).strip() else None


def shown_value(field: str, canonical) -> str:
    """A checked value as the grid shows it: in words, weights with three decimals."""
    if canonical is None:
        return ""
    if field == "weight":
        return format_weight(canonical)
    if field in _WORDED:
        return grading.label(canonical)
    if field == "mounted":
        return "yes" if canonical else "no"
    return str(canonical)


def problem_text(field: str, message: str) -> str:
    """'stone 2, weight: 1.2345 has…' -> '1.2345 has…' (the place is shown apart)."""
    message = re.sub(r"^stone \d+, ", "", str(message))
    for name in (field, column_for(field)):
        if name and message.startswith(f"{name}: "):
            return message[len(name) + 2:]
    return message


def check_cells(cells: list[str], require_weight: bool = False) -> tuple[list[str], dict, int]:
    """Check one row's cells: (the cells rewritten in words, {column: problem}, the
    weight in thousandths of a carat, 0 when blank or bad)."""
    shown = list(cells)
    problems: dict[int, str] = {}
    canonical: dict[str, object] = {}
    for column, text in enumerate(cells):
        if not text:
            continue
        field = STONE_FIELDS[column]
        try:
            value = parse_stone_fields({field: text}, partial=True)[column_for(field)]
        except ValidationError as exc:
            problems[column] = problem_text(field, exc.problems[0]["message"])
        else:
            canonical[field] = value
            shown[column] = shown_value(field, value)
    growth = STONE_FIELDS.index("growth_method")
    if growth not in problems and STONE_FIELDS.index("identification") not in problems:
        try:
            check_consistency({k: canonical.get(k) for k in ("identification",
                                                             "growth_method")})
        except ValidationError as exc:
            problems[growth] = problem_text("growth_method", str(exc))
    if require_weight and any(cells) and not cells[_WEIGHT]:
        problems[_WEIGHT] = _REQUIRED
    return shown, problems, int(canonical.get("weight") or 0)


class IntakeGridModel(QAbstractTableModel):
    """The grid's cells (text as shown) and the problems found in them."""

    changed = Signal()

    def __init__(self, rows: int = 3, parent=None):
        super().__init__(parent)
        self.cells: list[list[str]] = [[""] * _COLUMNS for _ in range(max(1, rows))]
        self.marks: list[dict[int, str]] = [{} for _ in self.cells]
        self.weights: list[int] = [0 for _ in self.cells]

    # ------------------------------------------------------------------ Qt
    def rowCount(self, parent=None):
        return 0 if parent is not None and parent.isValid() else len(self.cells)

    def columnCount(self, parent=None):
        return 0 if parent is not None and parent.isValid() else _COLUMNS

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role in (Qt.DisplayRole, Qt.EditRole):
            return self.cells[row][column]
        if role == Qt.ToolTipRole:
            return self.marks[row].get(column)
        if role == Qt.BackgroundRole and column in self.marks[row]:
            return brush("bad_back")
        if role == Qt.ForegroundRole and column in self.marks[row]:
            return brush("bad")
        if role == Qt.AccessibleDescriptionRole and column in self.marks[row]:
            return f"Problem: {self.marks[row][column]}"
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal:
            field = STONE_FIELDS[section]
            if role == Qt.DisplayRole:
                return FIELD_LABELS[field]
            if role == Qt.ToolTipRole:
                return FIELD_LABELS[field] + (f": {', '.join(CHOICES[field])}"
                                              if field in CHOICES else "")
            return None
        if role == Qt.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.NoItemFlags
        return Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsEditable

    def setData(self, index, value, role=Qt.EditRole):
        if not index.isValid() or role != Qt.EditRole:
            return False
        text = " ".join(str(value if value is not None else "").split())
        row = index.row()
        if text == self.cells[row][index.column()] and \
                index.column() not in self.marks[row]:
            return True
        self.cells[row][index.column()] = text
        self.check_row(row, notify=False)
        self.dataChanged.emit(self.index(row, 0), self.index(row, _COLUMNS - 1))
        self.changed.emit()
        return True

    # ------------------------------------------------------------------ rows
    def reset(self, rows: int = 3) -> None:
        self.beginResetModel()
        self.cells = [[""] * _COLUMNS for _ in range(max(1, rows))]
        self.marks = [{} for _ in self.cells]
        self.weights = [0 for _ in self.cells]
        self.endResetModel()
        self.changed.emit()

    def insert_rows(self, at: int, count: int = 1) -> None:
        if count <= 0:
            return
        self.beginInsertRows(QModelIndex(), at, at + count - 1)
        self.cells[at:at] = [[""] * _COLUMNS for _ in range(count)]
        self.marks[at:at] = [{} for _ in range(count)]
        self.weights[at:at] = [0] * count
        self.endInsertRows()
        self.changed.emit()

    def remove_rows(self, rows) -> int:
        """Remove the given rows (one blank row always remains); returns how many."""
        rows = sorted({r for r in rows if 0 <= r < len(self.cells)}, reverse=True)
        for row in rows:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.cells[row]
            del self.marks[row]
            del self.weights[row]
            self.endRemoveRows()
        if not self.cells:
            self.insert_rows(0, 1)
        self.changed.emit()
        return len(rows)

    # ------------------------------------------------------------------ values
    def row_fields(self, row: int) -> dict:
        """{field: text} of the row's filled cells."""
        return {STONE_FIELDS[c]: text for c, text in enumerate(self.cells[row]) if text}

    def stone_rows(self) -> list[tuple[int, dict]]:
        """(row, fields) for every row with something in it, top to bottom."""
        return [(row, self.row_fields(row)) for row, cells in enumerate(self.cells)
                if any(cells)]

    def totals(self) -> tuple[int, int]:
        """(stones in the grid, their weight in thousandths of a carat; bad ones 0)."""
        return sum(1 for cells in self.cells if any(cells)), sum(self.weights)

    def write_block(self, top: int, block: list[list[tuple[int, str]]]) -> None:
        """Write rows of (column, text) from row ``top`` on (rows added as needed),
        check each row once, and tell the view once."""
        needed = top + len(block) - len(self.cells)
        if needed > 0:
            self.beginInsertRows(QModelIndex(), len(self.cells), len(self.cells) + needed - 1)
            self.cells.extend([""] * _COLUMNS for _ in range(needed))
            self.marks.extend({} for _ in range(needed))
            self.weights.extend([0] * needed)
            self.endInsertRows()
        for offset, cells in enumerate(block):
            row = top + offset
            for column, text in cells:
                self.cells[row][column] = " ".join(text.split())
            self.check_row(row, notify=False)
        if block:
            self.dataChanged.emit(self.index(top, 0),
                                  self.index(top + len(block) - 1, _COLUMNS - 1))
        self.changed.emit()

    def clear_cells(self, places) -> None:
        rows = set()
        for row, column in places:
            if self.cells[row][column] or column in self.marks[row]:
                self.cells[row][column] = ""
                rows.add(row)
        for row in rows:
            self.check_row(row)
        if rows:
            self.changed.emit()

    # ------------------------------------------------------------------ checking
    def check_row(self, row: int, require_weight: bool = False, notify: bool = True) -> int:
        """Check the row's cells, rewrite good ones in words, mark bad ones.

        With ``require_weight`` a row holding anything but no weight is a problem (a row
        once marked so stays marked until it has a weight).  Returns the problems found.
        """
        cells = self.cells[row]
        if self.marks[row].get(_WEIGHT) == _REQUIRED:
            require_weight = True
        shown, problems, self.weights[row] = check_cells(cells, require_weight)
        if shown != cells or problems != self.marks[row]:
            self.cells[row], self.marks[row] = shown, problems
            if notify:
                self.dataChanged.emit(self.index(row, 0), self.index(row, _COLUMNS - 1))
        return len(problems)

    def check_all(self, require_weight: bool = False) -> int:
        """Check every row; returns the number of problems."""
        total = 0
        for row, cells in enumerate(self.cells):
            if any(cells) or self.marks[row]:
                total += self.check_row(row, require_weight, notify=False)
        self.dataChanged.emit(self.index(0, 0),
                              self.index(len(self.cells) - 1, _COLUMNS - 1))
        return total

    def mark(self, row: int, field: str, message: str) -> None:
        """Mark a cell with a problem found elsewhere (the facade's check at saving)."""
        if field not in STONE_FIELDS or not 0 <= row < len(self.cells):
            return
        column = STONE_FIELDS.index(field)
        self.marks[row][column] = message
        self.dataChanged.emit(self.index(row, column), self.index(row, column))
        self.changed.emit()

    def problems(self) -> list[tuple[int, int, str]]:
        """(row, column, message) of every marked cell, row by row."""
        return [(row, column, marks[column]) for row, marks in enumerate(self.marks)
                for column in sorted(marks)]


class _CellDelegate(QStyledItemDelegate):
    """A line editor that completes grades, shapes... from the words the lab uses; Enter
    commits the cell and moves on to the next one, as Tab does."""

    def createEditor(self, parent, option, index):
        editor = QLineEdit(parent)
        field = STONE_FIELDS[index.column()]
        editor.setAccessibleName(f"{FIELD_LABELS[field]}, row {index.row() + 1}")
        choices = CHOICES.get(field)
        if choices:
            completer = QCompleter(choices, editor)
            completer.setCaseSensitivity(Qt.CaseInsensitive)
            completer.setCompletionMode(QCompleter.InlineCompletion)
            editor.setCompleter(completer)
        return editor

    def eventFilter(self, editor, event):
        if event.type() == QEvent.KeyPress and event.key() in (Qt.Key_Return, Qt.Key_Enter) \
                and event.modifiers() in (Qt.NoModifier, Qt.KeypadModifier):
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EditNextItem)
            return True
        return super().eventFilter(editor, event)


class StonesGrid(QTableView):
    """The grid.  ``changed`` is emitted after any edit, paste or row change;
    ``pasted`` with a sentence saying what a Ctrl+V pasted."""

    changed = Signal()
    pasted = Signal(str)

    def __init__(self, rows: int = 3, parent=None):
        super().__init__(parent)
        self.setAccessibleName("Stones grid")
        self.grid_model = IntakeGridModel(rows, self)
        self.setModel(self.grid_model)
        self.grid_model.changed.connect(self.changed)
        for column, field in enumerate(STONE_FIELDS):
            self.setColumnWidth(column, _WIDTHS[field])
        self.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().setDefaultSectionSize(26)
        self.setTabKeyNavigation(True)
        self.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.DoubleClicked
                             | QAbstractItemView.EditKeyPressed
                             | QAbstractItemView.AnyKeyPressed
                             | QAbstractItemView.SelectedClicked)
        self.setItemDelegate(_CellDelegate(self))
        self.setCurrentCell(0, 0)

    # ------------------------------------------------------------------ cells
    def rowCount(self) -> int:
        return len(self.grid_model.cells)

    def currentRow(self) -> int:
        return self.currentIndex().row()

    def currentColumn(self) -> int:
        return self.currentIndex().column()

    def setCurrentCell(self, row: int, column: int) -> None:
        self.setCurrentIndex(self.grid_model.index(row, column))

    def text(self, row: int, column: int) -> str:
        return self.grid_model.cells[row][column]

    def problem(self, row: int, field: str) -> str | None:
        return self.grid_model.marks[row].get(STONE_FIELDS.index(field))

    def stone_rows(self):
        return self.grid_model.stone_rows()

    def totals(self) -> tuple[int, int]:
        return self.grid_model.totals()

    def problems(self):
        return self.grid_model.problems()

    def check_all(self, require_weight: bool = False) -> int:
        return self.grid_model.check_all(require_weight)

    def mark(self, row: int, field: str, message: str) -> None:
        self.grid_model.mark(row, field, message)

    # ------------------------------------------------------------------ rows
    def reset_rows(self, rows: int = 3) -> None:
        """Empty the grid and leave ``rows`` blank rows."""
        self.grid_model.reset(rows)
        self.setCurrentCell(0, 0)

    def add_row(self) -> int:
        """Append a blank row, make its first cell current; returns its index."""
        row = self.rowCount()
        self.grid_model.insert_rows(row)
        self.setCurrentCell(row, 0)
        self.scrollTo(self.grid_model.index(row, 0))
        return row

    def remove_rows(self, rows=None) -> int:
        """Remove ``rows`` (default: every row with a selected cell, or the current row).
        One blank row always remains.  Returns how many were removed."""
        if rows is None:
            rows = {index.row() for index in self.selectedIndexes()}
            if not rows and self.currentRow() >= 0:
                rows = {self.currentRow()}
        first = min(rows) if rows else 0
        removed = self.grid_model.remove_rows(rows)
        self.setCurrentCell(min(first, self.rowCount() - 1), 0)
        return removed

    # ------------------------------------------------------------------ keyboard
    def _at_last_cell(self) -> bool:
        return (self.currentRow() == self.rowCount() - 1
                and self.currentColumn() == _COLUMNS - 1)

    def closeEditor(self, editor, hint):
        if hint == QAbstractItemDelegate.EditNextItem and self._at_last_cell():
            self.grid_model.insert_rows(self.rowCount())
        super().closeEditor(editor, hint)

    def finish_editing(self) -> None:
        """Commit the cell being typed in, if any (before saving)."""
        if self.state() != QAbstractItemView.EditingState:
            return
        index = self.currentIndex()
        editor = self.indexWidget(index) if index.isValid() else None
        if editor is None:
            focus = QApplication.focusWidget()
            if focus is not None and self.viewport().isAncestorOf(focus):
                editor = focus
        if editor is not None:
            self.commitData(editor)
            super().closeEditor(editor, QAbstractItemDelegate.NoHint)

    def keyPressEvent(self, event):
        if event.matches(QKeySequence.Paste):
            self.pasted.emit(self.paste())
            return
        if event.matches(QKeySequence.Copy):
            self.copy()
            return
        key = event.key()
        editing = self.state() == QAbstractItemView.EditingState
        if key in (Qt.Key_Delete, Qt.Key_Backspace) and not editing:
            self.grid_model.clear_cells((i.row(), i.column())
                                        for i in self.selectedIndexes())
            return
        if key in (Qt.Key_Return, Qt.Key_Enter) and not editing and \
                self.currentIndex().isValid():
            self.edit(self.currentIndex())
            return
        if key in (Qt.Key_Tab, Qt.Key_Backtab) and event.modifiers() & Qt.ControlModifier:
            QWidget.focusNextPrevChild(self, key == Qt.Key_Tab)  # leave the grid
            return
        if key == Qt.Key_Tab and event.modifiers() == Qt.NoModifier and \
                self._at_last_cell():
            self.add_row()
            return
        super().keyPressEvent(event)

    # ------------------------------------------------------------------ clipboard
    def copy(self) -> None:
        indexes = self.selectedIndexes()
        if not indexes:
            return
        rows = sorted({i.row() for i in indexes})
        columns = sorted({i.column() for i in indexes})
        lines = ["\t".join(self.text(r, c) for c in columns) for r in rows]
        QApplication.clipboard().setText("\n".join(lines) + "\n")

    def paste(self, text: str | None = None) -> str:
        """Paste tab-separated rows (a spreadsheet's copy) at the current cell.

        Returns a sentence saying what was pasted (and what was left out).
        """
        if text is None:
            text = QApplication.clipboard().text()
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        while lines and not lines[-1].strip():
            lines.pop()
        if not lines:
            return "The clipboard holds no text to paste."
        if len(lines) > MAX_PASTE_ROWS:
            return (f"The clipboard holds {len(lines):,} rows; paste at most "
                    f"{MAX_PASTE_ROWS:,} at a time, or import the file as a packing list.")
        start_row = max(self.currentRow(), 0)
        start_column = max(self.currentColumn(), 0)
        targets, left_out, header = self._header_columns(lines[0].split("\t"))
        if header:
            lines = lines[1:]
            start_column = 0
            if start_row < self.rowCount() and any(self.grid_model.cells[start_row]):
                start_row = self.rowCount()  # a block with its header starts a new row
        rows = [line.split("\t") for line in lines]
        if not header:
            width = max(len(r) for r in rows)
            targets = [start_column + i if start_column + i < _COLUMNS else None
                       for i in range(width)]
            beyond = sum(t is None for t in targets)
            left_out = [f"{plural(beyond, 'column')} past Notes"] if beyond else []
        block = [[(targets[i], value) for i, value in enumerate(cells)
                  if i < len(targets) and targets[i] is not None] for cells in rows]
        self.grid_model.write_block(start_row, block)
        self.setCurrentCell(start_row + max(len(rows) - 1, 0), start_column)
        said = f"Pasted {plural(len(rows), 'row')}"
        if header:
            said += " under the copied headers"
        if left_out:
            said += f"; left out: {', '.join(left_out)}"
        return said + "."

    def _header_columns(self, first: list[str]):
        """When the first pasted line is a header row (at least two known headers, one of
        them the weight), map its columns to fields: (targets, left out, True)."""
        fields = [header_field(cell) for cell in first]
        known = [f for f in fields if f]
        if len(known) < 2 or "weight" not in known:
            return [], [], False
        targets, seen, left_out = [], set(), []
        for cell, field in zip(first, fields):
            if field and field not in seen:
                seen.add(field)
                targets.append(STONE_FIELDS.index(field))
            else:
                targets.append(None)
                if cell.strip():
                    left_out.append(cell.strip())
        return targets, left_out, True

    def go_to(self, row: int, column: int) -> None:
        """Make a cell current and visible (a problem was clicked)."""
        self.setCurrentCell(row, column)
        self.scrollTo(self.grid_model.index(row, column),
                      QAbstractItemView.PositionAtCenter)
        self.setFocus()
