"""Audit: the chain of events, filterable by user, action and date, and an integrity check
that walks the chain and every document (``Lab.check``)."""
from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHeaderView, QLabel, QLineEdit,
                               QListWidget, QPlainTextEdit, QPushButton, QSplitter,
                               QTableView)

from labdesk.ui import shortcuts
from labdesk.ui.paging import PagedModel
from labdesk.ui.views.base import View
from labdesk.ui.widgets import brush, hbox, labelled, restyle
from labdesk.ui.wording import (SECRET_COLUMNS, People, action_label, batch_span,
                                describe_event, event_record, event_stone, local_time,
                                plural)
from labdesk.ui.worker import run_task

PAGE = 200

COLUMNS = (("at", "When (local time)"), ("actor", "Who"), ("action", "Action"),
           ("record", "Record"), ("changed", "What changed"), ("hash", "Hash"))
CHECK_TIP = ("Walk the audit chain, compare it with every record and verify every "
             f"document's hash ({shortcuts.keys('check')})")


def details_text(event) -> str:
    """Everything the event holds, for the detail pane (password hashes hidden)."""
    def clean(value):
        if isinstance(value, dict):
            return {k: ("(hidden)" if k in SECRET_COLUMNS else clean(v))
                    for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value
    head = (f"Event {event.id}: {action_label(event.action)} ({event.action})\n"
            f"When: {local_time(event.at, seconds=True)} (stored as {event.at})\n"
            f"Who: {event.actor}\nRecord: {event_record(event)} "
            f"[{event.entity} {event.entity_id}]\nHash: {event.hash}\n\n")
    return head + json.dumps(clean(event.data), indent=2, ensure_ascii=False,
                             sort_keys=True)


class AuditModel(PagedModel):
    """A window onto ``Lab.audit_events``: rows are fetched a page at a time."""

    columns = COLUMNS
    page_size = PAGE

    def __init__(self, lab, parent=None):
        super().__init__(parent)
        self.lab = lab
        self.filters: dict = {}
        self.people = People()
        self.words: dict[int, object] = {}   # event id -> its EventWords, once made

    def fetch(self, offset: int, limit: int):
        return self.lab.audit_events(offset=offset, limit=limit, **self.filters)

    def reload(self, **filters) -> None:
        self.people = People(self.lab.users())
        self.words = {}
        previous, self.filters = self.filters, {k: v for k, v in filters.items() if v}
        try:
            self.reset_rows()
        except Exception:
            self.filters = previous  # a refused filter leaves the list as it was
            raise

    def text(self, event, key: str) -> str:
        if key == "hash":
            return event.hash[:12]
        words = self.words.get(event.id)
        if words is None:
            words = self.words[event.id] = describe_event(event, self.people)
        if key == "at":
            return words.when
        if key == "actor":
            return words.who
        if key == "action":
            return words.action
        if key == "record":
            return words.record
        return words.summary()

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        event = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.DisplayRole:
            return self.text(event, key)
        if role == Qt.ToolTipRole:
            if key == "hash":
                return event.hash
            if key == "action":
                return event.action
            if key == "actor":
                return event.actor
            if key == "changed":
                return self.text(event, key)
            return None
        if role == Qt.ForegroundRole and key == "hash":
            return brush("muted")
        if role == Qt.UserRole:
            return event
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return COLUMNS[section][1]
        return None


class AuditView(View):
    title = "Audit"
    hint = ("Every change the lab made, newest first, each event chained to the one before "
            "by its hash. Select an event to see all it recorded; double-click a stone's "
            "event to open the stone.")

    def __init__(self, lab, window):
        super().__init__(lab, window)
        self.user = QComboBox()
        self.user.setMinimumWidth(180)
        self.action = QComboBox()
        self.action.setMinimumWidth(200)
        self.date_from = QLineEdit()
        self.date_from.setPlaceholderText("from YYYY-MM-DD")
        self.date_from.setAccessibleName("From date")
        self.date_from.setToolTip("The first day to show (UTC), e.g. 2026-01-31")
        self.date_to = QLineEdit()
        self.date_to.setPlaceholderText("to YYYY-MM-DD")
        self.date_to.setAccessibleName("To date")
        self.date_to.setToolTip("The last day to show (UTC), included")
        for edit in (self.date_from, self.date_to):
            edit.setMaximumWidth(150)
        self.clear_filters = QPushButton("Clear filters")
        self.clear_filters.setAccessibleName("Clear filters")
        self.clear_filters.clicked.connect(self._clear_filters)
        self.check_button = QPushButton("Check integrity now")
        self.check_button.setAccessibleName("Check integrity now")
        self.check_button.setToolTip(CHECK_TIP)
        self.check_button.clicked.connect(self.check_integrity)
        shortcut = shortcuts.assign(QAction(self), "check")
        shortcut.setShortcutContext(Qt.WindowShortcut)  # only while this page shows
        shortcut.triggered.connect(self.check_integrity)
        self.addAction(shortcut)
        self.outer.addLayout(hbox(labelled("User", self.user, name="Filter by user"),
                                  self.user,
                                  labelled("Action", self.action, name="Filter by action"),
                                  self.action,
                                  self.date_from, self.date_to, self.clear_filters, None,
                                  self.check_button))

        # the result of the last integrity check
        self.result = QLabel()
        self.result.setObjectName("IntegrityResult")
        self.result.setAccessibleName("Integrity check result")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.result.hide()
        self.problems = QListWidget()
        self.problems.setObjectName("Problems")
        self.problems.setAccessibleName("Integrity problems")
        self.problems.setMaximumHeight(150)
        self.problems.hide()
        # the search index is derived data: an admin rebuilds it from here
        self.reindex_button = QPushButton("Rebuild the search index")
        self.reindex_button.setAccessibleName("Rebuild the search index")
        self.reindex_button.clicked.connect(self.rebuild_search_index)
        self.reindex_button.hide()
        self.outer.addWidget(self.result)
        self.outer.addWidget(self.problems)
        self.outer.addLayout(hbox(self.reindex_button, None))

        self.count = QLabel()
        self.count.setObjectName("Hint")
        self.count.setAccessibleName("Events shown")
        self.outer.addWidget(self.count)

        self.model = AuditModel(lab, self)
        self.table = QTableView()
        self.table.setAccessibleName("Audit events")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(4, QHeaderView.Stretch)
        self.table.doubleClicked.connect(self._open)
        self.table.activated.connect(self._open)
        self.table.selectionModel().currentRowChanged.connect(self._show_details)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Event details")
        self.details.setPlaceholderText("Select an event to see everything it recorded.")
        self.details.setObjectName("EventDetails")
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([480, 150])
        self.outer.addWidget(split, 1)

        self.user.currentIndexChanged.connect(self.reload)
        self.action.currentIndexChanged.connect(self.reload)
        self.date_from.editingFinished.connect(self.reload)
        self.date_to.editingFinished.connect(self.reload)
        self.task = None

    # ------------------------------------------------------------------ filters
    def refresh(self):
        users = self.lab.users()
        self._fill(self.user, "All users",
                   [(f"{u.full_name} ({u.username})", u.username) for u in users])
        self._fill(self.action, "All actions",
                   sorted(((action_label(a), a) for a in self.lab.audit_actions()),
                          key=lambda pair: pair[0]))
        self.reload()

    @staticmethod
    def _fill(combo: QComboBox, everything: str, items):
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, None)
        for text, data in items:
            combo.addItem(text, data)
            combo.setItemData(combo.count() - 1, data, Qt.ToolTipRole)
        combo.setCurrentIndex(max(combo.findData(current), 0))
        combo.blockSignals(False)

    def filters(self) -> dict:
        return {"actor": self.user.currentData(), "action": self.action.currentData(),
                "date_from": self.date_from.text().strip() or None,
                "date_to": self.date_to.text().strip() or None}

    def reload(self):
        if self.act(self._reload_model) is None:
            return
        shown, total = self.model.rowCount(), self.model.total
        self.count.setText(plural(total, "event")
                           + (" match the filters" if any(self.filters().values()) else "")
                           + (f" (showing the first {shown}; scroll for more)"
                              if shown < total else ""))
        widths = (180, 165, 160, 190, 0, 110)
        for column, width in enumerate(widths):
            if width:
                self.table.setColumnWidth(column, width)
        self.details.clear()

    def _reload_model(self) -> bool:
        self.model.reload(**self.filters())
        return True

    def _clear_filters(self):
        for combo in (self.user, self.action):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.date_from.clear()
        self.date_to.clear()
        self.reload()

    def _show_details(self, current, _previous=None):
        event = self.model.data(current, Qt.UserRole) if current.isValid() else None
        if event is not None and batch_span(event):  # its snapshots, read when shown
            event = self.lab.audit_event(event.id)
        self.details.setPlainText(details_text(event) if event else "")

    def _open(self, index):
        event = self.model.data(index, Qt.UserRole)
        number = event_stone(event) if event else None
        if number:
            self.window_.open_stone(number)

    # ------------------------------------------------------------------ integrity
    def check_integrity(self):
        if self.task is not None:
            return
        self.check_button.setEnabled(False)
        self.check_button.setToolTip("An integrity check is running")
        self.result.hide()
        self.problems.hide()
        self.reindex_button.hide()
        self.message.info("Checking the database, the audit chain and every document…")
        lab = self.lab
        self.task = run_task(
            self, lambda progress: lab.check(progress=lambda step, d, t: progress(d, t)),
            self._checked, self._check_failed, title="Checking the lab's integrity…")

    def _check_done(self):
        self.task = None
        self.check_button.setEnabled(True)
        self.check_button.setToolTip(CHECK_TIP)
        self.message.clear_message()

    def _checked(self, result):
        self._check_done()
        if result.ok:
            records = sum(result.records.values()) if result.records else 0
            self._show_result("ok", f"Integrity check passed: {result.events} events, "
                                    f"{result.documents} documents"
                              + (f", {records} records" if records else "") + ".")
            self.problems.clear()
            self.problems.hide()
            return
        count = len(result.problems)
        self._show_result("bad", f"Integrity check FAILED: {plural(count, 'problem')} "
                                 f"found. Do not issue reports until an admin has "
                                 f"investigated.")
        self.problems.clear()
        self.problems.addItems(list(result.problems))
        self.problems.show()
        if any(p.startswith("search index:") for p in result.problems):
            admin = self.lab.user is not None and self.lab.user.role == "admin"
            self.reindex_button.setEnabled(admin)
            self.reindex_button.setToolTip(
                "Index every stone for search again, then check again" if admin else
                "Only an admin can rebuild the search index")
            self.reindex_button.show()

    def rebuild_search_index(self):
        if self.task is not None:
            return
        self.reindex_button.setEnabled(False)
        self.message.info("Rebuilding the search index…")
        lab = self.lab
        self.task = run_task(self, lambda progress: lab.rebuild_search_index(),
                             self._reindexed, self._reindex_failed,
                             title="Rebuilding the search index…")

    def _reindexed(self, count: int):
        self.task = None
        self.reindex_button.hide()
        self.message.clear_message()
        self.check_integrity()
        self.message.info(f"Search index rebuilt: {count:,} stones. Checking again…")

    def _reindex_failed(self, message: str):
        self.task = None
        self.reindex_button.setEnabled(True)
        self.message.error(f"The search index could not be rebuilt: {message}")

    def _check_failed(self, message: str):
        self._check_done()
        self.message.error(f"The integrity check could not run: {message}")

    def _show_result(self, kind: str, text: str):
        restyle(self.result, kind=kind)
        self.result.setText(text)
        self.result.show()
