"""The dashboard's figures through the Lab facade (issue 17, part 1), on SQLite and on
PostgreSQL: turnaround per week, receipts per day, outcomes per jurisdiction, work per
person, the stones waiting longest and the review queue's count."""
from __future__ import annotations

import datetime as dt

import pytest

from labdesk.core import dashboard as board
from labdesk.errors import AuthError
from support.homes import PASSWORDS, login_as
from support.labs import approve_stone, kp_fields, propose, receive_stones


def _ago(days: int) -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=days)


@pytest.fixture
def busy(lab, sub):
    """sub (three stones received now by tech), and an older parcel received 20 days ago
    whose first stone is reported (proposed by tech, approved and issued by sup1) and
    whose second is proposed and waits for a supervisor."""
    older = receive_stones(lab, [{"client_ref": f"OLD-{n}", "weight": "0.700",
                                  "identification": "natural"} for n in (1, 2)],
                           client="Beta Gems", reference="OLD", received_at=_ago(20))
    first, second = (s.number for s in older.stones)
    lab.add_evidence(first, "kp_certificate", **kp_fields())
    approve_stone(lab, first)
    report = lab.issue_report(first)
    propose(lab, second)
    return {"sub": sub, "older": older, "reported": first, "proposed": second,
            "report": report}


def test_reading_the_dashboard_needs_a_login(lab, sub):
    lab.logout()
    with pytest.raises(AuthError):
        lab.dashboard()
    with pytest.raises(AuthError):
        lab.review_count()


def test_a_new_lab_has_empty_weeks_and_days(lab):
    login_as(lab, "sup1")
    data = lab.dashboard()
    assert data.review == 0 and data.waiting_total == 0
    assert len(data.turnaround) == board.WEEKS
    assert all(w.reports == 0 and w.median_days is None for w in data.turnaround)
    assert data.turnaround[-1].start == board.week_start(data.on)
    assert [d.day for d in data.received][-1] == data.on and len(data.received) == 30
    assert sum(d.stones for d in data.received) == 0
    assert data.work == () and data.longest == () and data.outcomes == {}


def test_the_figures_follow_the_lab(lab, busy):
    login_as(lab, "sup2")
    data = lab.dashboard()
    # the review queue's count (the sidebar's badge) and the waiting stones
    assert data.review == 1 == lab.review_count()
    assert data.waiting == {"received": 3, "rejected": 0, "proposed": 1, "approved": 0}
    # received per day: three today, two twenty days ago
    by_day = {d.day: d.stones for d in data.received}
    assert by_day[data.on] == 3 and by_day[_ago(20)] == 2
    assert sum(by_day.values()) == 5
    # turnaround: one report this week, twenty days (and a little) after its receipt
    week = data.turnaround[-1]
    assert week.reports == 1 and data.reports_this_week == 1
    assert 19.9 < week.median_days < 21.1 and week.p90_days == week.median_days
    assert sum(w.reports for w in data.turnaround) == 1
    # outcomes: the two standing findings (one approved, one proposed) in each jurisdiction
    assert set(data.outcomes) >= {"EU", "US", "UK"}
    for counts in data.outcomes.values():
        assert sum(counts.values()) == 2
        assert set(counts) >= set(board.OUTCOMES)
    # work per person
    work = {p.username: p for p in data.work}
    assert (work["tech"].received, work["tech"].proposed) == (5, 2)
    assert (work["sup1"].decided, work["sup1"].issued) == (1, 1)
    assert work["tech"].name == "Tom Tech" and "sup2" not in work
    # the stones waiting longest: the older parcel's proposed stone first, then today's
    longest = [s.number for s in data.longest]
    assert longest == [busy["proposed"], *[s.number for s in busy["sub"].stones]]
    assert busy["reported"] not in longest
    assert data.longest[0].state == "proposed" and data.longest[0].client == "Beta Gems"
    assert 19.9 < data.longest[0].days < 21.1


def test_a_decision_and_a_voided_parcel_move_the_figures(lab, busy):
    login_as(lab, "sup1")
    lab.approve(busy["proposed"], comment="ok", password=PASSWORDS["sup1"])
    lab.void_submission(busy["sub"].number, "received by mistake",
                        password=PASSWORDS["sup1"])
    data = lab.dashboard()
    assert data.review == 0 == lab.review_count()
    assert [s.number for s in data.longest] == [busy["proposed"]]
    assert data.longest[0].state == "approved"
    assert sum(d.stones for d in data.received) == 2       # the voided parcel's are not
    assert {p.username: p.decided for p in data.work}["sup1"] == 2


def test_old_work_falls_out_of_the_windows(lab, busy):
    login_as(lab, "sup1")
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(weeks=14)
    data = lab.dashboard(now=later)
    assert sum(w.reports for w in data.turnaround) == 0
    assert sum(d.stones for d in data.received) == 0 and data.work == ()
    assert data.outcomes == {}
    assert data.longest[0].number == busy["proposed"] and data.longest[0].days > 110
