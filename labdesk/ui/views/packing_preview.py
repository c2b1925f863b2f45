"""The preview of a packing list before anything is saved: the stones read, the columns
imported and left out, or every problem the file holds (row, column, cell, what is wrong).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, Qt
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QPushButton,
                               QTableView, QVBoxLayout, QWidget)

from labdesk.core.stones import STONE_FIELDS
from labdesk.ui.views.intake_grid import FIELD_LABELS, shown_value
from labdesk.ui.widgets import hbox, tinted
from labdesk.ui.wording import escape


class RowsModel(QAbstractTableModel):
    """A read-only table of rows (lists of text); fine for a hundred thousand stones."""

    def __init__(self, headers=(), rows=(), parent=None):
        super().__init__(parent)
        self.headers = list(headers)
        self.rows = list(rows)

    def set_rows(self, headers, rows) -> None:
        self.beginResetModel()
        self.headers, self.rows = list(headers), list(rows)
        self.endResetModel()

    def rowCount(self, parent=None):
        return 0 if parent is not None and parent.isValid() else len(self.rows)

    def columnCount(self, parent=None):
        return 0 if parent is not None and parent.isValid() else len(self.headers)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.DisplayRole, Qt.ToolTipRole):
            value = self.rows[index.row()][index.column()]
            return "" if value is None else str(value)
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return self.headers[section]
        return None


class PackingPreview(QWidget):
    """What a packing list holds.  The intake view wires ``receive``, ``back`` and
    ``another`` and fills the page with ``show_stones`` or ``show_problems``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAccessibleName("Packing list preview")
        self.path: Path | None = None
        self.packing = None
        self.problems: list[dict] = []
        self.total_mct = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Packing list summary")
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.summary.setObjectName("PackingSummary")
        layout.addWidget(self.summary)
        self.columns = QLabel()
        self.columns.setWordWrap(True)
        self.columns.setAccessibleName("Columns imported and left out")
        self.columns.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.columns)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setAccessibleName("Declared count and weight")
        self.warning.setObjectName("Warning")
        self.warning.hide()
        layout.addWidget(self.warning)
        self.model = RowsModel(parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Stones read")
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.another = QPushButton("Choose another file…")
        self.another.setAccessibleName("Choose another packing list")
        self.another.setToolTip("Read another packing list (Ctrl+I)")
        self.back = QPushButton("Back to the grid")
        self.back.setAccessibleName("Back to the grid")
        self.back.setToolTip("Leave the preview; nothing is saved (Esc)")
        self.receive = QPushButton("Receive these stones")
        self.receive.setAccessibleName("Receive these stones")
        self.receive.setDefault(True)
        self.fix = QPushButton("Correct them in the grid")
        self.fix.setAccessibleName("Correct the rows in the grid")
        self.fix.hide()
        layout.addLayout(hbox(self.another, None, self.back, self.fix, self.receive))

    # ------------------------------------------------------------------ filling
    def show_stones(self, path, packing) -> None:
        """A packing list read without a problem: its stones, ready to be received."""
        self.path, self.packing, self.problems = Path(path), packing, []
        count = len(packing.stones)
        noun = "stone" if count == 1 else "stones"
        first, last = (packing.rows[0], packing.rows[-1]) if packing.rows else (0, 0)
        total = self.total_mct = sum(_mct(s.get("weight")) for s in packing.stones)
        self.summary.setText(
            f"<b>{escape(self.path.name)}</b> ({packing.format.upper()}): "
            f"<b>{count:,} {noun}</b>, {shown_value('weight', total)} ct, read from rows "
            f"{first:,} to {last:,} without a problem. Nothing is saved until you press "
            f"<i>Receive these {count:,} {noun}</i>.")
        mapped = " · ".join(f"{escape(header)} → {FIELD_LABELS[field]}"
                            for header, field in packing.columns.items())
        left = ", ".join(escape(h) for h in packing.left_out) or "none"
        self.columns.setText(f"<b>Columns read:</b> {mapped}<br>"
                             f"<b>Columns left out:</b> {left}")
        self.columns.show()
        fields = [f for f in STONE_FIELDS
                  if f in packing.columns.values() or f == "weight"]
        rows = [[str(row)] + [shown_value(f, _canonical(f, stone.get(f))) for f in fields]
                for row, stone in zip(packing.rows, packing.stones)]
        self.model.set_rows(["Row"] + [FIELD_LABELS[f] for f in fields], rows)
        self.table.setAccessibleName("Stones read")
        self._widths([52] + [_width(f) for f in fields])
        self.receive.setText(f"Receive these {count:,} {noun}")
        self.receive.setAccessibleName(self.receive.text())
        self.receive.setEnabled(True)
        self.receive.setToolTip(f"Receive the {count:,} {noun} for the client above "
                                f"(Ctrl+S)")
        self.fix.hide()
        self.receive.setDefault(True)

    def show_problems(self, path, problems: list[dict], rows: int = 0) -> None:
        """A packing list that cannot be received as it is: every problem, nothing
        saved.  With ``rows`` (the stone rows read under its header) the page offers to
        load them into the intake grid, to correct the cells there and receive."""
        self.path, self.packing, self.problems = Path(path), None, list(problems)
        self.total_mct = 0
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        how = (f"correct {'it' if count == 1 else 'them'} in the grid (<i>Correct "
               f"{'it' if count == 1 else 'them'} in the grid</i> loads its {rows:,} "
               f"{'row' if rows == 1 else 'rows'}) and receive from there, or correct the "
               f"spreadsheet and import it again" if rows else
               "correct the spreadsheet and import it again")
        self.summary.setText(
            f"<b>{escape(self.path.name)}</b>: {tinted(f'<b>{count:,} {noun}</b>', 'bad')}"
            f". Nothing was saved: {how}.")
        self.fix.setText(f"Correct {'it' if count == 1 else 'them'} in the &grid")
        self.fix.setToolTip(f"Load the {rows:,} rows of this file into the intake grid, "
                            f"its problems marked in red, to correct them there and "
                            f"receive the stones" if rows else "")
        self.fix.setVisible(bool(rows))
        self.fix.setDefault(bool(rows))
        self.columns.hide()
        rows = [[p.get("row") if p.get("row") is not None else "",
                 p.get("column") or "", p.get("value") if p.get("value") is not None
                 else "", p.get("message") or ""] for p in self.problems]
        self.model.set_rows(["Row", "Column", "Cell", "Problem"], rows)
        self.table.setAccessibleName("Problems in the packing list")
        self._widths([60, 140, 160, 400])
        self.table.resizeRowsToContents()
        self.receive.setText("Receive these stones")
        self.receive.setAccessibleName(self.receive.text())
        self.receive.setEnabled(False)
        self.receive.setToolTip(f"The file has {count:,} {noun} (listed here); fix "
                                f"{'it' if count == 1 else 'them'} in the spreadsheet and "
                                f"import it again")
        self.warning.hide()

    def set_warning(self, text: str) -> None:
        self.warning.setText(text)
        self.warning.setVisible(bool(text))

    def _widths(self, widths) -> None:
        for column, width in enumerate(widths):
            self.table.setColumnWidth(column, width)


def _mct(weight) -> int:
    from labdesk.core.weights import parse_weight
    try:
        return parse_weight(weight) if weight else 0
    except Exception:  # noqa: BLE001 - a preview never fails on a total
        return 0


def _canonical(field: str, value):
    """A packing list holds canonical text; weights are '1.160' already."""
    if field == "weight":
        return _mct(value) if value else None
    return value


def _width(field: str) -> int:
    return {"client_ref": 100, "weight": 70, "measurements": 150, "notes": 200,
            "identification": 120, "fluorescence": 100}.get(field, 80)
