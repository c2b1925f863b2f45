"""The Dashboard (issue 17): the lab manager's first page.  Four plots a manager would
rather look at than read (turnaround per week, stones received per day, outcomes per
jurisdiction, work per person), the headline counts above them and the stones waiting
longest beside them, each opening its page.

Plots are drawn with pyqtgraph (made for Qt; numpy its one dependency), still: no
panning, zooming or context menu, which a dashboard does not need.  Each plot also says
its figures in words (its tooltip and accessible description), for a screen reader and
for the exact number under a bar.  Everything comes from one ``Lab.dashboard()`` call.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QPainter
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QGridLayout, QHBoxLayout,
                               QHeaderView, QLabel, QStyledItemDelegate, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from labdesk.core.dashboard import OUTCOMES, WEEKS, WORK_DAYS
from labdesk.ui.views.base import View
from labdesk.ui.widgets import BADGE_TONES, OUTCOME_PLOT_TONES, TONES, colour
from labdesk.ui.wording import OUTCOME_WORDS, plural

#: The item data role of a sidebar entry's badge (a count; 0 or None shows none).
BADGE_ROLE = Qt.UserRole + 7
OUTCOME_SHORT = {"clear": "Clear", "insufficient": "Insufficient", "prohibited": "Prohibited"}
#: Work per person: (figure, legend, plot tone) of each series.
WORK_SERIES = (("received", "Received", "sky"), ("proposed", "Proposed", "blue"),
               ("decided", "Decided", "purple"), ("issued", "Reports", "green"))
STATE_WORDS = {"received": "Received", "rejected": "Rejected: back to the technician",
               "proposed": "Awaiting review", "approved": "Approved: report to issue"}


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} d"


class BadgeDelegate(QStyledItemDelegate):
    """Draws a sidebar entry as usual, with its ``BADGE_ROLE`` count in a pill on the
    right (the Review entry: the findings waiting for a supervisor)."""

    def paint(self, painter: QPainter, option, index) -> None:
        super().paint(painter, option, index)
        count = index.data(BADGE_ROLE)
        if not count:
            return
        text = f"{count:,}" if count < 1000 else "999+"
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        font = QFont(option.font)
        font.setBold(True)
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        height = metrics.height() + 4
        width = max(height, metrics.horizontalAdvance(text) + 12)
        rect = QRectF(option.rect.right() - width - 10,
                      option.rect.center().y() - height / 2 + 0.5, width, height)
        painter.setPen(Qt.NoPen)
        painter.setBrush(colour(BADGE_TONES["back"]))
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(colour(BADGE_TONES["text"]))
        painter.drawText(rect, Qt.AlignCenter, text)
        painter.restore()


class Tile(QFrame):
    """A headline count: the figure large, what it counts below."""

    def __init__(self, caption: str, name: str):
        super().__init__()
        self.setObjectName("DashboardTile")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.setSpacing(0)
        self.figure = QLabel("—")
        self.figure.setObjectName("DashboardFigure")
        self.figure.setAccessibleName(name)
        self.caption = QLabel(caption)
        self.caption.setObjectName("DashboardCaption")
        layout.addWidget(self.figure)
        layout.addWidget(self.caption)

    def set(self, figure: str, tip: str = "") -> None:
        self.figure.setText(figure)
        self.setToolTip(tip)
        self.figure.setAccessibleDescription(tip or self.caption.text())


class Plot(pg.PlotWidget):
    """A still plot with a title, its x axis labelled by category."""

    def __init__(self, title: str, name: str, left: str = ""):
        super().__init__(background=colour("paper"))
        self.setAccessibleName(name)
        self.setMinimumSize(220, 180)
        item = self.getPlotItem()
        item.setTitle(f"<span style='color:{TONES['ink']}; font-size:10.5pt; "
                      f"font-weight:600'>{title}</span>")
        item.setMouseEnabled(x=False, y=False)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.showGrid(y=True, alpha=0.15)
        for axis in ("left", "bottom"):
            ax = item.getAxis(axis)
            ax.setPen(pg.mkPen(colour("axis")))
            ax.setTextPen(pg.mkPen(TONES["ink"]))
        if left:
            item.setLabel("left", left, color=TONES["muted"])
        self.legend = None

    def reset(self, legend_columns: int = 0) -> None:
        """Clear the plot; with ``legend_columns``, a legend of that many columns along
        the top (``fit`` leaves room for it above the highest value)."""
        item = self.getPlotItem()
        item.clear()
        if legend_columns and self.legend is None:
            self.legend = item.addLegend(offset=(6, 2), labelTextColor=TONES["ink"],
                                         brush=pg.mkBrush(colour("paper", 230)),
                                         labelTextSize="8pt", colCount=legend_columns,
                                         horSpacing=2, verSpacing=-6)
        if self.legend is not None:
            self.legend.clear()

    def say(self, text: str) -> None:
        self.setToolTip(text)
        self.setAccessibleDescription(text)

    def categories(self, labels: list[str], every: int = 1) -> None:
        self.getPlotItem().getAxis("bottom").setTicks(
            [[(i, label) for i, label in enumerate(labels) if i % every == 0], []])

    def fit(self, count: int, top: float, legend_rows: int = 0) -> None:
        item = self.getPlotItem()
        item.setXRange(-0.6, max(count, 1) - 0.4, padding=0)
        item.setYRange(0, max(top, 1) * (1.12 + 0.22 * legend_rows), padding=0)


class DashboardView(View):
    title = "Dashboard"
    hint = ("The lab at a glance: turnaround, receipts, outcomes and who did what. "
            "It follows the lab as it changes; click a waiting stone to open it.")

    def __init__(self, lab, window):
        super().__init__(lab, window)
        self.data = None
        pg.setConfigOptions(antialias=True)
        tiles = QHBoxLayout()
        tiles.setSpacing(10)
        self.tile_waiting = Tile("stones waiting in the lab", "Stones waiting")
        self.tile_review = Tile("findings awaiting review", "Findings awaiting review")
        self.tile_reports = Tile("reports issued this week", "Reports this week")
        self.tile_turnaround = Tile("median turnaround, last 4 weeks",
                                    "Median turnaround")
        for tile in (self.tile_waiting, self.tile_review, self.tile_reports,
                     self.tile_turnaround):
            tiles.addWidget(tile)
        self.outer.addLayout(tiles)

        self.turnaround = Plot("Days from receipt to report", "Turnaround per week")
        self.received = Plot("Stones received per day", "Stones received per day")
        self.outcomes = Plot("Outcomes per jurisdiction", "Outcomes per jurisdiction")
        self.work = Plot(f"Work per person, {WORK_DAYS} days", "Work per person")

        self.longest = QTableWidget(0, 3)
        self.longest.setAccessibleName("Stones waiting longest")
        self.longest.setHorizontalHeaderLabels(["Stone", "Waiting", "Where it stands"])
        self.longest.verticalHeader().hide()
        self.longest.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.longest.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.longest.setSelectionMode(QAbstractItemView.SingleSelection)
        self.longest.setShowGrid(False)
        self.longest.setCursor(Qt.PointingHandCursor)
        header = self.longest.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        self.longest.cellClicked.connect(self._open_row)
        self.longest.cellActivated.connect(self._open_row)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        caption = QLabel("Waiting longest")
        caption.setObjectName("Caption")
        side_layout.addWidget(caption)
        side_layout.addWidget(self.longest, 1)
        side.setMinimumWidth(250)

        grid = QGridLayout()
        grid.setSpacing(10)
        grid.addWidget(self.turnaround, 0, 0)
        grid.addWidget(self.received, 0, 1)
        grid.addWidget(self.outcomes, 1, 0)
        grid.addWidget(self.work, 1, 1)
        grid.addWidget(side, 0, 2, 2, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 2)
        self.outer.addLayout(grid, 1)

    # ------------------------------------------------------------------ reading
    def refresh(self) -> None:
        data = self.act(self.lab.dashboard)
        if data is None:
            return
        self.data = data
        set_badge = getattr(self.window_, "set_review_badge", None)
        if callable(set_badge):
            set_badge(data.review)
        self._tiles(data)
        self._turnaround(data)
        self._received(data)
        self._outcomes(data)
        self._work(data)
        self._longest(data)

    def _tiles(self, data) -> None:
        self.tile_waiting.set(f"{data.waiting_total:,}", "; ".join(
            f"{STATE_WORDS[state]}: {count:,}" for state, count in data.waiting.items()))
        self.tile_review.set(f"{data.review:,}", "Proposed findings that a supervisor "
                                                 "has not yet approved or rejected")
        self.tile_reports.set(f"{data.reports_this_week:,}",
                              "First reports issued since Monday (reissues not counted)")
        recent = [w for w in data.turnaround[-4:] if w.reports]
        if recent:
            # the weeks' medians weighed by their reports: a fair single figure
            total = sum(w.reports for w in recent)
            median = sum(w.median_days * w.reports for w in recent) / total
            self.tile_turnaround.set(_days(median).replace(" d", " days"),
                                     f"{plural(total, 'report')} in the last 4 weeks")
        else:
            self.tile_turnaround.set("—", "No report issued in the last 4 weeks")

    def _turnaround(self, data) -> None:
        plot = self.turnaround
        plot.reset(legend_columns=2)
        weeks = data.turnaround
        xs = [i for i, w in enumerate(weeks) if w.reports]
        for values, name, tone, style, symbol in (
                ([weeks[i].median_days for i in xs], "median", "blue", Qt.SolidLine, "o"),
                ([weeks[i].p90_days for i in xs], "90th percentile", "vermilion",
                 Qt.DashLine, "t1")):
            plot.plot(xs, values, name=name,
                      pen=pg.mkPen(colour(tone), width=2, style=style), symbol=symbol,
                      symbolSize=9, symbolBrush=colour(tone), symbolPen=colour("paper"))
        plot.categories([w.start.strftime("%d %b") for w in weeks], every=2)
        plot.fit(len(weeks), max([w.p90_days or 0 for w in weeks] + [1]), legend_rows=1)
        plot.say("Turnaround per week (week of, reports, median, 90th percentile): " +
                 "; ".join(f"{w.start:%d %b}: {w.reports}, {_days(w.median_days)}, "
                           f"{_days(w.p90_days)}" for w in weeks))

    def _received(self, data) -> None:
        plot = self.received
        plot.reset()
        days = data.received
        heights = [d.stones for d in days]
        plot.addItem(pg.BarGraphItem(x=list(range(len(days))), height=heights, width=0.75,
                                     brush=colour("blue"), pen=None))
        plot.categories([d.day.strftime("%d %b") for d in days], every=7)
        plot.fit(len(days), max(heights + [1]))
        plot.say(f"{sum(heights):,} stones received in 30 days; by day: " +
                 ", ".join(f"{d.day:%d %b} {d.stones:,}" for d in days if d.stones))

    def _outcomes(self, data) -> None:
        plot = self.outcomes
        plot.reset(legend_columns=3)
        codes = list(data.outcomes)
        width = 0.26
        top = 1
        for k, outcome in enumerate(OUTCOMES):
            heights = [data.outcomes[c].get(outcome, 0) for c in codes]
            top = max([top] + heights)
            if codes:
                plot.addItem(bar := pg.BarGraphItem(
                    x=[i + (k - 1) * width for i in range(len(codes))], height=heights,
                    width=width * 0.92, brush=colour(OUTCOME_PLOT_TONES[outcome]),
                    pen=None))
                plot.legend.addItem(bar, OUTCOME_SHORT[outcome])
        plot.categories(codes)
        plot.fit(len(codes), top, legend_rows=1)
        plot.say("Outcomes of the standing findings proposed in the last "
                 f"{WEEKS} weeks: " + "; ".join(
                     f"{c}: " + ", ".join(f"{OUTCOME_WORDS[o].lower()} "
                                          f"{data.outcomes[c].get(o, 0):,}"
                                          for o in OUTCOMES) for c in codes)
                 if codes else f"No finding proposed in the last {WEEKS} weeks.")

    def _work(self, data) -> None:
        plot = self.work
        plot.reset(legend_columns=2)
        people = list(data.work)[:8]
        width = 0.2
        top = 1
        for k, (key, label, tone) in enumerate(WORK_SERIES):
            heights = [getattr(p, key) for p in people]
            top = max([top] + heights)
            if people:
                plot.addItem(bar := pg.BarGraphItem(
                    x=[i + (k - 1.5) * width for i in range(len(people))], height=heights,
                    width=width * 0.92, brush=colour(tone), pen=None))
                plot.legend.addItem(bar, label)
        plot.categories([p.name.split()[0] if p.name else p.username for p in people])
        plot.fit(len(people), top, legend_rows=2)
        plot.say(f"Work in the last {WORK_DAYS} days: " + "; ".join(
            f"{p.name}: {p.received:,} received, {p.proposed:,} proposed, "
            f"{p.decided:,} decided, {p.issued:,} issued" for p in data.work)
            if data.work else f"Nobody's work recorded in the last {WORK_DAYS} days.")

    def _longest(self, data) -> None:
        table = self.longest
        table.setRowCount(len(data.longest))
        for row, stone in enumerate(data.longest):
            cells = (stone.number, f"{stone.days:.0f} days" if stone.days >= 1
                     else "today", STATE_WORDS.get(stone.state, stone.state))
            tip = (f"{stone.number} of {stone.submission} from {stone.client}: "
                   f"{STATE_WORDS.get(stone.state, stone.state).lower()}. Click to open it.")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, stone.number)
                item.setToolTip(tip)
                if column == 1:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                table.setItem(row, column, item)
        if not data.longest:
            table.setRowCount(1)
            item = QTableWidgetItem("No stone is waiting.")
            item.setFlags(Qt.NoItemFlags)
            table.setItem(0, 0, item)
            table.setSpan(0, 0, 1, 3)
        else:
            table.clearSpans()

    def _open_row(self, row: int, _column: int = 0) -> None:
        item = self.longest.item(row, 0)
        number = item.data(Qt.UserRole) if item is not None else None
        if number:
            self.window_.open_stone(number)

