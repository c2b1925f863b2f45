"""The main window: navigation on the left, one page at a time, a global search box that
takes typing or a barcode scanner, and a status bar saying who is working where and on
which database.

Live across desks and windows: a timer asks ``Lab.changed()`` twice a second (it never
waits); when the lab changed, the pages that show the lab's work in progress (``LIVE``)
are marked stale.  The page shown is read again at once, as it is when the user opens
it, keeping the user's selection, scrolling, focus and message; the others are read when
next shown (as every page is).  A page with unsaved edits, or a window busy with a
dialog, a menu or work in the background, waits until the next tick that finds it free.
"""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QAbstractScrollArea, QApplication, QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QMainWindow,
                               QStackedWidget, QToolBar, QWidget)

from labdesk.core.evidence import kind_label
from labdesk.errors import LabError
from labdesk.ui import shortcuts
from labdesk.ui.dialogs import FindResultsDialog, Hit, ShortcutsDialog
from labdesk.ui.manual import ManualDialog, part_for, tab_words
from labdesk.ui.views.audit import AuditView
from labdesk.ui.views.dashboard import BADGE_ROLE, BadgeDelegate, DashboardView
from labdesk.ui.views.intake import IntakeView
from labdesk.ui.views.reports import ReportsView
from labdesk.ui.views.review import ReviewView
from labdesk.ui.views.settings import SettingsView
from labdesk.ui.views.stone import StoneView
from labdesk.ui.views.stones import StonesView
from labdesk.ui.views.verify import VerifyView
from labdesk.ui.widgets import apply_style
from labdesk.ui.wording import (CHANGES_WAITING, WAITING_BECAUSE, database_words,
                                plural)
from labdesk.ui.worker import run_task

# (key, label, view class, admins only); each page's keys are shortcuts' "page_<key>"
PAGES = (("dashboard", "Dashboard", DashboardView, False),
         ("intake", "Intake", IntakeView, False),
         ("stones", "Stones", StonesView, False),
         ("review", "Review", ReviewView, False),
         ("reports", "Reports", ReportsView, False),
         ("verify", "Verify", VerifyView, False),
         ("audit", "Audit", AuditView, False),
         ("settings", "Settings", SettingsView, True))
#: At most this many rows in the list of what a search found.
MAX_HITS = 500
#: The pages read again when another desk or window changed the lab.
LIVE = ("dashboard", "stones", "review", "reports")
#: The roles whose first page is the Dashboard (a technician's stays their own work).
DASHBOARD_FIRST = ("supervisor", "admin")
#: How often the window asks whether the lab changed (ms).
LIVE_INTERVAL = 500


class MainWindow(QMainWindow):
    """``switch_user`` asks the application to show the login again."""

    switch_user = Signal()

    def __init__(self, lab):
        super().__init__()
        self.lab = lab
        apply_style(self)
        self.setWindowTitle(f"LabDesk — {lab.settings()['lab_name']}")
        self.setMinimumSize(1100, 700)
        self.views: dict[str, QWidget] = {}
        self.nav = QListWidget()
        self.nav.setObjectName("Navigation")
        self.nav.setAccessibleName("Navigation")
        self.nav.setFixedWidth(170)
        self.nav.setItemDelegate(BadgeDelegate(self.nav))
        self.stack = QStackedWidget()
        user = lab.user
        for key, label, cls, admin_only in PAGES:
            if admin_only and (user is None or user.role != "admin"):
                continue
            view = cls(lab, self)
            self.views[key] = view
            self.stack.addWidget(view)
            item = QListWidgetItem(label)
            item.setData(Qt.UserRole, key)
            item.setToolTip(f"{label} ({shortcuts.keys('page_' + key)})")
            self.nav.addItem(item)
            action = shortcuts.assign(QAction(self), f"page_{key}")
            action.triggered.connect(lambda _=False, k=key: self.show_page(k))
            self.addAction(action)
        self.stone_view = StoneView(lab, self)
        self.views["stone"] = self.stone_view
        self.stack.addWidget(self.stone_view)
        self.nav.currentItemChanged.connect(self._nav_changed)
        self.nav.itemClicked.connect(lambda item: self.show_page(item.data(Qt.UserRole)))

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        toolbar = QToolBar("Search")
        toolbar.setMovable(False)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find or scan: stone, report, KP certificate, client "
                                       f"reference, report QR…  ({shortcuts.keys('find')})")
        self.search.setAccessibleName("Find or scan")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self._find)
        toolbar.addWidget(self.search)
        switch = shortcuts.assign(QAction("Switch user", self), "switch_user")
        switch.setToolTip(f"Log out and let another user log in "
                          f"({shortcuts.keys('switch_user')})")
        switch.triggered.connect(self.switch_user.emit)
        toolbar.addAction(switch)
        self.addToolBar(toolbar)
        focus = shortcuts.assign(QAction(self), "find")
        focus.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.addAction(focus)
        self.find_results: FindResultsDialog | None = None
        self.shortcuts_dialog: ShortcutsDialog | None = None
        help_menu = self.menuBar().addMenu("&Help")
        self.manual_dialog: ManualDialog | None = None
        self.manual_action = shortcuts.assign(QAction("&User manual", self), "help_manual")
        self.manual_action.setToolTip("The manual's part for the page shown")
        self.manual_action.triggered.connect(self.show_manual)
        help_menu.addAction(self.manual_action)
        self.shortcuts_action = shortcuts.assign(QAction("&Keyboard shortcuts", self),
                                                 "help_shortcuts")
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        help_menu.addAction(self.shortcuts_action)

        who = f"{user.full_name} ({user.role})" if user else "nobody logged in"
        self.status_user = QLabel(who)
        self.status_user.setAccessibleName("Logged-in user")
        self.status_home = QLabel(f"Lab: {lab.home}")
        self.status_home.setAccessibleName("Lab home")
        words, tip = database_words(lab.database, lab.home)
        self.status_database = QLabel(words)
        self.status_database.setAccessibleName("Database")
        self.status_database.setToolTip(tip)
        self.status_database.setContentsMargins(0, 0, 12, 0)
        self.status_waiting = QLabel()
        self.status_waiting.setObjectName("Hint")
        self.status_waiting.setAccessibleName("Changes waiting")
        self.status_waiting.hide()
        self.statusBar().addWidget(self.status_user)
        self.statusBar().addWidget(self.status_waiting, 1)
        self.statusBar().addPermanentWidget(self.status_database)
        self.statusBar().addPermanentWidget(self.status_home)
        self.stale: set[str] = set()
        self.update_review_badge()
        self._restore()
        self.live = QTimer(self)
        self.live.setInterval(LIVE_INTERVAL)
        self.live.timeout.connect(self.poll_changes)
        self._watch_changes()
        self.reassessing = None
        QTimer.singleShot(0, self._reassess_if_needed)

    # -------------------------------------------------------------- rules changes
    def _reassess_if_needed(self) -> None:
        """New origin rules in use: assess the findings already made again, at once."""
        try:
            needed = self.lab.user is not None and self.lab.rules_review_needed()
        except LabError as exc:
            self.views["review"].message.error(str(exc))
            return
        if needed:
            self.reassess()

    def reassess(self):
        """Re-assess the lab's findings under the rules in use, off the GUI thread,
        behind a progress dialog; then the Review page says what moved."""
        review = self.views["review"]

        def done(result):
            self.reassessing = None
            moved = len({c.stone for c in result.changes})
            worse = len({c.stone for c in result.changes if c.worse})
            rules = ", ".join(f"{code} {versions[1]}" for code, versions in
                              result.versions.items())
            if moved:
                self.show_page("review")
            review.update_rules_banner()
            if result.versions:
                review.message.info(
                    f"Re-assessed {result.reassessed:,} stones under {rules}: "
                    f"{plural(moved, 'outcome')} moved, {worse:,} for the worse.")

        def failed(message):
            self.reassessing = None
            review.message.error(f"The findings were not re-assessed: {message}")
            review.update_rules_banner()

        self.reassessing = run_task(
            self, lambda progress: self.lab.reassess(progress=progress), done, failed,
            title="Assessing the findings again under the new origin rules…")
        return self.reassessing

    # -------------------------------------------------------------- navigation
    def show_page(self, key: str) -> QWidget:
        view = self.views[key]
        for row in range(self.nav.count()):
            if self.nav.item(row).data(Qt.UserRole) == key:
                self.nav.blockSignals(True)
                self.nav.setCurrentRow(row)
                self.nav.blockSignals(False)
        self.stack.setCurrentWidget(view)
        self.stale.discard(key)
        self.status_waiting.hide()
        view.refresh()
        return view

    def _nav_changed(self, item, previous=None):
        # Arrow keys move from one page to the next.  With no previous item (a stone is
        # shown, nothing highlighted) Qt picks the first row by itself when the list
        # gets focus: that is not the user's choice, so it must not leave the stone.
        if item is not None and previous is not None:
            self.show_page(item.data(Qt.UserRole))

    def current_key(self) -> str:
        current = self.stack.currentWidget()
        return next((k for k, v in self.views.items() if v is current), "stones")

    def open_stone(self, number: str) -> None:
        self.stone_view.show_stone(number)
        self.nav.blockSignals(True)
        self.nav.clearSelection()
        self.nav.setCurrentRow(-1)
        self.nav.blockSignals(False)
        self.stack.setCurrentWidget(self.stone_view)

    def open_report(self, number: str) -> None:
        view = self.show_page("reports")
        view.select_report(number)

    def open_verify(self, text: str) -> None:
        view = self.show_page("verify")
        view.verify_text(text)

    # -------------------------------------------------------------- search
    def _find(self):
        """Open what the search box names.  One thing found opens at once; more (a stock
        number two clients use, a parcel's certificate, a submission) are listed to
        pick from: never the first of them silently."""
        text = self.search.text().strip()
        if not text:
            return
        current = self.stack.currentWidget()
        try:
            hits = self.find_hits(text)
        except LabError as exc:
            current.message.error(str(exc))
            return
        if not hits:
            current.message.error(f"Nothing found for “{text}”.")
            return
        self.search.clear()
        if len(hits) == 1:
            self.open_hit(hits[0])
            return
        if self.find_results is not None:
            self.find_results.close()
        dialog = self.find_results = FindResultsDialog(self, text, hits)
        dialog.chosen.connect(self.open_hit)
        dialog.finished.connect(lambda _r, d=dialog: self._find_closed(d))
        dialog.open()

    def _find_closed(self, dialog) -> None:
        if self.find_results is dialog:
            self.find_results = None
        dialog.deleteLater()

    def find_hits(self, text: str) -> list[Hit]:
        """What ``Lab.find`` found, one row for each thing that can be opened: a stone,
        a report, a token to verify.  A submission, and evidence that covers a parcel,
        stand for each of their stones."""
        hits: list[Hit] = []
        seen: set[tuple[str, str]] = set()

        def add(hit: Hit) -> None:
            if hit.target not in seen and len(hits) < MAX_HITS:
                seen.add(hit.target)
                hits.append(hit)

        def stone_hit(stone, kind: str, found_by: str = "") -> Hit:
            return Hit(kind, stone.number, stone.client, stone.client_ref or "",
                       ("stone", stone.number), found_by)

        for kind, value in self.lab.find(text):
            if kind == "token":
                add(Hit("Report QR code", "", "", value[:40] + "…", ("token", value)))
            elif kind == "stone":
                add(stone_hit(self.lab.stone(value), "Stone"))
            elif kind == "report":
                report = self.lab.report(value)
                stone = self.lab.stone(report.stone)
                add(Hit("Report", report.number, stone.client, stone.client_ref or "",
                        ("report", report.number), f"the report of stone {stone.number}"))
            elif kind == "submission":
                submission = self.lab.submission(value)
                for stone in submission.stones:
                    add(stone_hit(stone, f"Stone of {submission.number}",
                                  f"submission {submission.number}"
                                  + (f" ({submission.reference})"
                                     if submission.reference else "")))
            elif kind == "evidence":
                evidence = self.lab.evidence(int(value))
                what = f"{kind_label(evidence.kind)} {evidence.fields.get('reference') or ''}"
                if evidence.level == "submission":
                    for stone in self.lab.submission(evidence.target).stones:
                        add(stone_hit(stone, f"{what.strip()} (parcel {evidence.target})",
                                      f"{what.strip()}, which covers the parcel "
                                      f"{evidence.target}"))
                else:
                    add(stone_hit(self.lab.stone(evidence.target), what.strip(),
                                  f"{what.strip()} of this stone"))
        return hits

    def open_hit(self, hit: Hit) -> None:
        kind, value = hit.target
        if kind == "token":
            self.open_verify(value)
        elif kind == "report":
            self.open_report(value)
        else:
            self.open_stone(value)

    def show_manual(self) -> ManualDialog:
        """Help › User manual (F1): the installed manual, at the part for the page shown
        (on the Stone and Settings pages, for the tab shown)."""
        key = self.current_key()
        tabs = getattr(self.views.get(key), "tabs", None)
        tab = ""
        if key in ("stone", "settings") and tabs is not None and tabs.count():
            tab = tab_words(tabs.tabText(tabs.currentIndex()))
        if self.manual_dialog is None:
            self.manual_dialog = ManualDialog(self)
        self.manual_dialog.open_part(*part_for(key, tab))
        self.manual_dialog.show()
        return self.manual_dialog

    def show_shortcuts(self) -> ShortcutsDialog:
        """Help › Keyboard shortcuts: the one table every shortcut is made from."""
        if self.shortcuts_dialog is None:
            self.shortcuts_dialog = ShortcutsDialog(self)
        self.shortcuts_dialog.show()
        return self.shortcuts_dialog

    # -------------------------------------------------------------- live across desks
    def _watch_changes(self) -> None:
        try:
            self.lab.changed()          # the first call starts the watch
        except LabError:
            return
        self.live.start()

    def poll_changes(self) -> None:
        """The timer's tick: whether the lab changed (never waits), then the page shown
        read again when it is stale and the window is free."""
        try:
            changed = self.lab.changed()
        except LabError:
            changed = False
        if changed:
            self.stale.update(k for k in LIVE if k in self.views)
            if self.current_key() != "dashboard":   # the Dashboard sets it as it reads
                self.update_review_badge()
        self._refresh_stale()

    def _refresh_stale(self) -> None:
        key = self.current_key()
        view = self.views.get(key)
        if key not in self.stale or view is None:
            self.status_waiting.hide()
            return
        if not self._free():
            return
        why = self._unsaved(key, view)
        if why:
            title = next((label for k, label, *_ in PAGES if k == key), key)
            self.status_waiting.setText(CHANGES_WAITING.format(page=title, why=why))
            self.status_waiting.show()
            return
        self.status_waiting.hide()
        self.stale.discard(key)
        if key == "review" and not self._queue_moved(view):
            view.update_rules_banner()    # the finding shown is left as the user sees it
            return
        self.refresh_in_place(view)

    def _queue_moved(self, view) -> bool:
        """Whether the Review queue differs from the one shown (a finding proposed,
        decided or proposed again elsewhere)."""
        try:
            queue = self.lab.review_queue()
        except LabError:
            return True                   # the page's own reading says what is wrong
        def key(findings):
            return [(f.id, f.status) for f in findings]
        return key(queue) != key(getattr(view, "findings", []))

    def _free(self) -> bool:
        """Nothing the user is in the middle of, and no facade call running in the
        background (it holds the Lab's door: a read now would wait for it)."""
        app = QApplication.instance()
        return (self.isVisible() and self.lab.user is not None
                and app.activeModalWidget() is None and app.activePopupWidget() is None
                and app.mouseButtons() == Qt.NoButton
                and QThreadPool.globalInstance().activeThreadCount() == 0)

    @staticmethod
    def _unsaved(key: str, view) -> str:
        """Why ``view`` must not be read again now (its unsaved edits), or ''."""
        has_edits = getattr(view, "has_unsaved_edits", None)
        if callable(has_edits) and has_edits():
            return "your edits are saved or discarded"
        comment = getattr(view, "comment", None)
        if key == "review" and comment is not None and comment.text().strip():
            return WAITING_BECAUSE["review"]
        return ""

    def refresh_in_place(self, view) -> None:
        """``view.refresh()`` as if nothing moved: the selected stone or report, the
        scroll positions, the focus and the message shown are put back."""
        app = QApplication.instance()
        focus = app.focusWidget()
        scrolls = [(area, area.horizontalScrollBar().value(),
                    area.verticalScrollBar().value())
                   for area in view.findChildren(QAbstractScrollArea)]
        message = (view.message.kind, view.message.text()) \
            if view.message.isVisible() else None
        selected = self._selected_stone(view)
        view.refresh()
        if selected is not None:
            self._select_stone(view, *selected)
        for area, x, y in scrolls:
            area.horizontalScrollBar().setValue(x)
            area.verticalScrollBar().setValue(y)
        if message is not None and not view.message.isVisible():
            (view.message.error if message[0] == "error" else view.message.info)(message[1])
        if focus is not None and app.focusWidget() is not focus and focus.isVisible():
            focus.setFocus(Qt.OtherFocusReason)

    @staticmethod
    def _selected_stone(view):
        """The Stones page's selected stone and its row, or None."""
        table, model = getattr(view, "table", None), getattr(view, "model", None)
        if not isinstance(view, StonesView) or table is None:
            return None
        index = table.currentIndex()
        number = model.data(index, Qt.UserRole) if index.isValid() else None
        return (number, index.row(), index.column(), model.rowCount()) if number else None

    @staticmethod
    def _select_stone(view, number: str, row: int, column: int, total: int) -> None:
        """Select ``number`` again on the Stones page: near its old row (stones received
        since push it down), without scrolling to it."""
        model = view.model
        shift = min(max(model.rowCount() - total, 0), 1000)
        for candidate in range(max(row - 5, 0), min(row + shift + 6, model.rowCount())):
            if model.data(model.index(candidate, 0), Qt.UserRole) == number:
                auto = view.table.hasAutoScroll()
                view.table.setAutoScroll(False)
                view.table.selectionModel().setCurrentIndex(
                    model.index(candidate, column),
                    QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
                view.table.setAutoScroll(auto)
                return

    # -------------------------------------------------------------- the Review badge
    def update_review_badge(self) -> None:
        """The sidebar's Review entry shows how many findings await a supervisor."""
        try:
            count = self.lab.review_count() if self.lab.user is not None else 0
        except LabError:
            count = 0
        self.set_review_badge(count)

    def set_review_badge(self, count: int) -> None:
        for row in range(self.nav.count()):
            item = self.nav.item(row)
            if item.data(Qt.UserRole) == "review":
                if item.data(BADGE_ROLE) != count:
                    item.setData(BADGE_ROLE, count)
                    label = item.text()
                    item.setToolTip(f"{label} ({shortcuts.keys('page_review')})"
                                    + (f": {plural(count, 'finding')} awaiting review"
                                       if count else ""))
                    item.setData(Qt.AccessibleTextRole,
                                 f"{label}, {count} awaiting review" if count else label)

    # -------------------------------------------------------------- settings
    def _restore(self):
        settings = QSettings("LabDesk", "LabDesk")
        geometry = settings.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        user = self.lab.user
        if user is not None and user.role in DASHBOARD_FIRST and "dashboard" in self.views:
            self.show_page("dashboard")
            return
        last = settings.value("main/page", "stones")
        self.show_page(last if last in self.views and last not in ("stone", "dashboard")
                       else "stones")

    def closeEvent(self, event):
        self.live.stop()
        settings = QSettings("LabDesk", "LabDesk")
        settings.setValue("main/geometry", self.saveGeometry())
        settings.setValue("main/page", self.current_key())
        from labdesk.ui.worker import wait_all
        wait_all(10_000)
        super().closeEvent(event)
