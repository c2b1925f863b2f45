"""The Dashboard (issue 17, part 1): the first page for supervisors and admins (a
technician's stays their own work), the Review entry's badge, the plots drawn from
Lab.dashboard(), the stones waiting longest opening their page, and the page following
what another window records."""
from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage

from labdesk.lab import Lab
from labdesk.ui.views.dashboard import BADGE_ROLE, DashboardView
from ui_helpers import login, password

LIVE_MS = 1500


@pytest.fixture
def other_window(lab):
    """A second ``Lab`` on the same home: another window of this computer."""
    other = Lab.open(lab.home)
    yield other
    other.close()


def _nav_item(win, key):
    return next(win.nav.item(i) for i in range(win.nav.count())
                if win.nav.item(i).data(Qt.UserRole) == key)


def _bars(plot) -> list:
    return [item for item in plot.getPlotItem().items if isinstance(item, pg.BarGraphItem)]


@pytest.mark.parametrize("username", ["sue", "ada"])
def test_supervisors_and_admins_start_on_the_dashboard(window, username):
    win = window(username)
    assert win.current_key() == "dashboard"
    assert isinstance(win.stack.currentWidget(), DashboardView)
    assert win.nav.item(0).text() == "Dashboard" and win.nav.currentRow() == 0


def test_a_technician_starts_on_their_own_work(window, lab, monkeypatch):
    QSettings("LabDesk", "LabDesk").setValue("main/page", "intake")
    # (no re-assessment at start: it would open Review when an outcome moved)
    monkeypatch.setattr(lab, "rules_review_needed", lambda: {})
    win = window("tom")
    assert win.current_key() == "intake"
    assert "dashboard" in win.views          # the page is there, one click away


def test_the_review_entry_carries_the_queue_count(window, lab):
    win = window("sue")
    count = len(lab.review_queue())
    assert count > 0
    item = _nav_item(win, "review")
    assert item.data(BADGE_ROLE) == count
    assert f"{count} findings awaiting review" in item.toolTip()
    assert win.views["dashboard"].tile_review.figure.text() == f"{count:,}"


def test_the_plots_show_the_lab_s_figures(window, lab, tmp_path):
    win = window("sue")
    view = win.views["dashboard"]
    data = lab.dashboard()
    # receipts: one bar a day, their heights the stones received
    (received,) = _bars(view.received)
    assert list(received.opts["height"]) == [d.stones for d in data.received]
    assert sum(received.opts["height"]) > 0
    # outcomes: a series per outcome, a bar per jurisdiction, in the legend by name
    outcomes = _bars(view.outcomes)
    assert len(outcomes) == 3
    assert [len(b.opts["x"]) for b in outcomes] == [len(data.outcomes)] * 3
    assert sum(sum(b.opts["height"]) for b in outcomes) == sum(
        sum(row.values()) for row in data.outcomes.values())
    legend = [label.text for _sample, label in view.outcomes.legend.items]
    assert legend == ["Clear", "Insufficient", "Prohibited"]
    # work per person: the busiest first, by first name
    ticks = view.work.getPlotItem().getAxis("bottom")._tickLevels[0]
    assert [t[1] for t in ticks] == [p.name.split()[0] for p in data.work][:8]
    # turnaround: the weeks with reports, median and 90th percentile
    curves = view.turnaround.getPlotItem().listDataItems()
    assert len(curves) == 2
    weeks = [w for w in data.turnaround if w.reports]
    assert list(curves[0].getData()[1]) == [w.median_days for w in weeks]
    # the figures in words for a screen reader (and under the pointer)
    assert "stones received in 30 days" in view.received.accessibleDescription()
    assert "EU:" in view.outcomes.toolTip()
    assert view.tile_waiting.figure.text() == f"{data.waiting_total:,}"
    # it is drawn: not one flat colour
    path = tmp_path / "dashboard.png"
    assert win.grab().save(str(path))
    image = QImage(str(path))
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    assert len(colours) > 20


def test_a_waiting_stone_opens_its_page_on_click(window, lab, qtbot):
    win = window("sue")
    view = win.views["dashboard"]
    table = view.longest
    first = lab.dashboard().longest[0]
    assert table.item(0, 0).text() == first.number
    rect = table.visualItemRect(table.item(0, 2))
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=rect.center())
    assert win.stack.currentWidget() is win.stone_view
    assert win.stone_view.number == first.number


def test_the_dashboard_and_badge_follow_another_window(window, lab, other_window, qtbot):
    win = window("sue")
    view = win.views["dashboard"]
    before = lab.review_count()
    waiting = lab.dashboard().waiting_total
    login(other_window, "sam")
    finding = other_window.review_queue()[0]
    if finding.proposed_by == "sam":
        finding = other_window.review_queue()[1]
    other_window.approve(finding.stone, comment="checked", password=password("sam"))
    qtbot.waitUntil(lambda: view.tile_review.figure.text() == f"{before - 1:,}",
                    timeout=LIVE_MS)
    assert _nav_item(win, "review").data(BADGE_ROLE) == before - 1
    assert view.tile_waiting.figure.text() == f"{waiting:,}"     # approved still waits

    # on another page, the badge follows all the same
    win.show_page("stones")
    login(other_window, "tom")
    stone = other_window.stones(state="received", limit=1).items[0].number
    other_window.propose_finding(stone, origin="non_russian", mining_country="BW",
                                 statement="Botswana KP certificate.")
    qtbot.waitUntil(lambda: _nav_item(win, "review").data(BADGE_ROLE) == before,
                    timeout=LIVE_MS)
    assert "dashboard" in win.stale
