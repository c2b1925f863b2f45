"""All stones, in a lazy table: rows are fetched a page at a time as the user scrolls."""
from __future__ import annotations

from collections import OrderedDict
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHeaderView, QLineEdit,
                               QPushButton, QTableView)

from labdesk.core import grading, workflow
from labdesk.ui.views import exporting
from labdesk.ui.views.base import View
from labdesk.ui.widgets import hbox
from labdesk.ui.wording import local_time

COLUMNS = (("number", "Stone", "number"), ("client", "Client", "client"),
           ("client_ref", "Client ref", "client_ref"), ("weight", "Carat", "weight"),
           ("shape", "Shape", None), ("colour", "Colour", None), ("clarity", "Clarity", None),
           ("identification", "Identification", None), ("state", "State", "state"),
           ("received_at", "Received", "received"))
PAGE = 200
#: The client's name takes the width the other columns leave, elided, whole in the
#: tooltip (as are the other columns that may not fit); the others are as wide as this.
WIDTHS = {"number": 80, "client_ref": 75, "weight": 60, "shape": 75, "colour": 55,
          "clarity": 55, "identification": 135, "state": 80, "received_at": 160}
ELIDED = ("client", "client_ref", "colour")
CLIENT_COLUMN = next(i for i, c in enumerate(COLUMNS) if c[0] == "client")


class StonesModel(QAbstractTableModel):
    """A window onto ``Lab.stones``: the view knows how many rows there are, and the
    model keeps only the few pages of them that were looked at last, so memory stays the
    same whether the lab holds a thousand stones or a million."""

    KEEP_PAGES = 8

    def __init__(self, lab, parent=None):
        super().__init__(parent)
        self.lab = lab
        self.filters: dict = {}
        self.order, self.descending = "number", True
        self.pages: OrderedDict[int, tuple] = OrderedDict()
        self.total = 0
        self.more_than: int | None = None

    def reload(self, **filters) -> None:
        self.beginResetModel()
        self.filters = {k: v for k, v in filters.items() if v}
        page = self.lab.stones(order=self.order, descending=self.descending, offset=0,
                               limit=PAGE, **self.filters)
        self.pages = OrderedDict([(0, page.items)])
        self.total = page.total
        self.more_than = page.more_than
        self.endResetModel()

    def stone_at(self, row: int):
        """The stone on ``row``, fetching its page when it is not in the window."""
        number = row // PAGE
        items = self.pages.get(number)
        if items is None:
            items = self.lab.stones(order=self.order, descending=self.descending,
                                    offset=number * PAGE, limit=PAGE, count=False,
                                    **self.filters).items
            self.pages[number] = items
            while len(self.pages) > self.KEEP_PAGES:
                self.pages.popitem(last=False)
        else:
            self.pages.move_to_end(number)
        offset = row - number * PAGE
        return items[offset] if offset < len(items) else None

    @property
    def rows(self) -> list:
        """The stones in the pages held now (for tests and the selection)."""
        return [stone for _, items in sorted(self.pages.items()) for stone in items]

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or role not in (Qt.DisplayRole, Qt.TextAlignmentRole,
                                               Qt.UserRole, Qt.ToolTipRole):
            return None
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignRight | Qt.AlignVCenter) \
                if COLUMNS[index.column()][0] == "weight" else None
        stone = self.stone_at(index.row())
        if stone is None:
            return None
        if role == Qt.UserRole:
            return stone.number
        key = COLUMNS[index.column()][0]
        if role == Qt.ToolTipRole:    # a cell too narrow is elided: its whole text
            return (getattr(stone, key) or None) if key in ELIDED else None
        value = getattr(stone, key)
        if key == "received_at":
            return local_time(value)
        if key in ("shape", "identification", "state"):
            return grading.label(value)
        return value or ""

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return COLUMNS[section][1]
        return None

    def sort(self, column, order=Qt.AscendingOrder):
        key = COLUMNS[column][2]
        if key is None:
            return
        self.order, self.descending = key, order == Qt.DescendingOrder
        self.reload(**self.filters)


class StonesView(View):
    title = "Stones"
    hint = "Every stone the lab holds. Double-click a stone (or press Enter) to open it."

    def __init__(self, lab, window):
        super().__init__(lab, window)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search client, reference, inscription, notes…")
        self.search.setAccessibleName("Search stones")
        self.search.setToolTip("Every word must match: whole words, and the last one as you "
                               "type it (\"Acme par\" finds Acme's parcels).\nEnd a word "
                               "with * to match words that begin with it.")
        self.state = QComboBox()
        self.state.setAccessibleName("Filter by state")
        self.state.addItem("All states", None)
        for state in workflow.STATES:
            self.state.addItem(grading.label(state), state)
        self.client = QComboBox()
        self.client.setAccessibleName("Filter by client")
        self.received_from = QLineEdit()
        self.received_from.setPlaceholderText("received from YYYY-MM-DD")
        self.received_from.setAccessibleName("Received from")
        self.export_button = QPushButton("Export…")
        self.export_button.setAccessibleName("Export the stones listed")
        self.export_button.setToolTip("Every stone listed (this filter, this order) to an "
                                      "Excel workbook or a CSV file")
        self.export_button.clicked.connect(self.export)
        self.export_task = None
        self.outer.addLayout(hbox(self.search, self.state, self.client,
                                  self.received_from, self.export_button))
        self.model = StonesModel(lab, self)
        self.table = QTableView()
        self.table.setAccessibleName("Stones table")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSortIndicator(0, Qt.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.ElideRight)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setSectionResizeMode(CLIENT_COLUMN, QHeaderView.Stretch)
        header.setMinimumSectionSize(40)
        for column, (key, _label, _order) in enumerate(COLUMNS):
            if key in WIDTHS:
                self.table.setColumnWidth(column, WIDTHS[key])
        self.table.doubleClicked.connect(self._open)
        self.table.activated.connect(self._open)
        self.outer.addWidget(self.table, 1)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _: self._debounce.start())
        self.received_from.editingFinished.connect(self.reload)
        self.state.currentIndexChanged.connect(self.reload)
        self.client.currentIndexChanged.connect(self.reload)
        self.count = self.message  # the message bar shows how many match

    def refresh(self):
        current = self.client.currentData()
        self.client.blockSignals(True)
        self.client.clear()
        self.client.addItem("All clients", None)
        for c in self.lab.clients():
            self.client.addItem(c.name, c.name)
        index = self.client.findData(current)
        self.client.setCurrentIndex(max(index, 0))
        self.client.blockSignals(False)
        self.reload()

    def reload(self):
        self.act(self.model.reload, state=self.state.currentData(),
                 client=self.client.currentData(), search=self.search.text().strip(),
                 received_from=self.received_from.text().strip() or None)
        if self.model.more_than:
            self.message.info(f"More than {self.model.more_than:,} stones match; the "
                              f"first {self.model.more_than:,} are listed. Add words to "
                              f"narrow the search.")

    def filters(self) -> dict:
        """The filter the list shows now (as ``Lab.stones`` takes it)."""
        return {k: v for k, v in {
            "state": self.state.currentData(), "client": self.client.currentData(),
            "search": self.search.text().strip(),
            "received_from": self.received_from.text().strip() or None}.items() if v}

    def export(self):
        """Every stone listed, in the list's order, to a file the user names."""
        self.export_task = exporting.export_stones(self, self.filters(), self.model.order,
                                                   self.model.descending)
        return self.export_task

    def _open(self, index):
        number = self.model.data(index, Qt.UserRole)
        if number:
            self.window_.open_stone(number)
