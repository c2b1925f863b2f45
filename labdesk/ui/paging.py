"""A table model that fetches its rows a page at a time as the view scrolls."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex


class PagedModel(QAbstractTableModel):
    """Rows appended page by page (``canFetchMore``/``fetchMore``).  A subclass names
    its ``columns`` and fetches with ``fetch(offset, limit) -> Page``.  For lists a user
    reads from the top (audit events, reports); the Stones view, which may hold a
    million rows, keeps a window of pages instead."""

    columns: tuple = ()
    page_size = 200

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []
        self.total = 0

    def fetch(self, offset: int, limit: int):
        raise NotImplementedError

    def reset_rows(self) -> None:
        """Fetch the first page again (after a filter changed)."""
        page = self.fetch(0, self.page_size)
        self.beginResetModel()
        self.rows, self.total = list(page.items), page.total
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.columns)

    def canFetchMore(self, parent=QModelIndex()):
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent=QModelIndex()):
        page = self.fetch(len(self.rows), self.page_size)
        if not page.items:
            self.total = len(self.rows)
            return
        self.beginInsertRows(QModelIndex(), len(self.rows),
                             len(self.rows) + len(page.items) - 1)
        self.rows.extend(page.items)
        self.endInsertRows()
