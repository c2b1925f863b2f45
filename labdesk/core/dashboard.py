"""The lab manager's dashboard (issue 17): what it shows, and the arithmetic that turns
the store's counts into it (weeks, days, percentiles).  Pure: no database, no Qt.

Days and weeks are those of the UTC times the lab records; a week starts on Monday.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import statistics
from dataclasses import dataclass, field

#: The weeks of turnaround shown (the current one last), the days of receipts, and the
#: days of work per person.
WEEKS = 12
DAYS = 30
WORK_DAYS = 30
OUTCOMES = ("clear", "insufficient", "prohibited")
#: The states of a stone still in the lab's hands and not yet reported on.
WAITING_STATES = ("received", "rejected", "proposed", "approved")
#: The audited actions counted as a person's work, and the column each one fills.
WORK_ACTIONS = {"finding.propose": "proposed", "finding.approve": "decided",
                "finding.reject": "decided", "report.issue": "issued"}


@dataclass(frozen=True)
class TurnaroundWeek:
    """Reports first issued in the week starting ``start`` (a Monday): how many, and the
    median and 90th percentile of days from receipt to report (None without reports)."""
    start: dt.date
    reports: int
    median_days: float | None
    p90_days: float | None


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    stones: int


@dataclass(frozen=True)
class PersonWork:
    """What one person did in the last ``WORK_DAYS`` days: stones received, findings
    proposed, findings decided (approved or rejected), reports issued."""
    username: str
    name: str
    received: int = 0
    proposed: int = 0
    decided: int = 0
    issued: int = 0

    @property
    def total(self) -> int:
        return self.received + self.proposed + self.decided + self.issued


@dataclass(frozen=True)
class WaitingStone:
    number: str
    state: str
    client: str
    submission: str
    received_at: str
    days: float


@dataclass(frozen=True)
class Dashboard:
    """Everything the Dashboard page shows, read at once (``on``: today, UTC).
    ``outcomes``: ``{jurisdiction: {outcome: findings}}`` of the standing findings
    proposed in the last ``WEEKS`` weeks (a rules change's later outcome counted)."""
    on: dt.date
    review: int
    waiting: dict = field(default_factory=dict)
    turnaround: tuple = ()
    received: tuple = ()
    outcomes: dict = field(default_factory=dict)
    work: tuple = ()
    longest: tuple = ()

    @property
    def waiting_total(self) -> int:
        return sum(self.waiting.values())

    @property
    def reports_this_week(self) -> int:
        return self.turnaround[-1].reports if self.turnaround else 0


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def first_week(today: dt.date) -> dt.date:
    """The Monday of the first of the ``WEEKS`` weeks shown."""
    return week_start(today) - dt.timedelta(weeks=WEEKS - 1)


def first_day(today: dt.date, days: int = DAYS) -> dt.date:
    return today - dt.timedelta(days=days - 1)


def percentile(ordered: list[float], q: float) -> float:
    """The nearest-rank ``q`` percentile of a sorted, non-empty list."""
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def turnaround(pairs, today: dt.date) -> tuple[TurnaroundWeek, ...]:
    """``WEEKS`` weeks of turnaround from ``(issued_at, received_at)`` pairs."""
    start = first_week(today)
    days: list[list[float]] = [[] for _ in range(WEEKS)]
    for issued_at, received_at in pairs:
        issued = _moment(issued_at)
        week = (issued.date() - start).days // 7
        if 0 <= week < WEEKS:
            days[week].append(max(0.0, (issued - _moment(received_at)).total_seconds()
                                  / 86400))
    out = []
    for k, values in enumerate(days):
        values.sort()
        out.append(TurnaroundWeek(
            start + dt.timedelta(weeks=k), len(values),
            statistics.median(values) if values else None,
            percentile(values, 0.9) if values else None))
    return tuple(out)


def received_per_day(rows, today: dt.date) -> tuple[DayCount, ...]:
    """``DAYS`` days of stones received (zero on a day without) from ``(day, user,
    stones)`` rows."""
    counts: dict[str, int] = {}
    for day, _user, stones in rows:
        counts[day] = counts.get(day, 0) + stones
    start = first_day(today)
    return tuple(DayCount(start + dt.timedelta(days=k),
                          counts.get((start + dt.timedelta(days=k)).isoformat(), 0))
                 for k in range(DAYS))


def outcomes(groups, changes) -> dict[str, dict[str, int]]:
    """``{jurisdiction: {outcome: findings}}`` from ``(assessments JSON, count)`` groups,
    each later rules change moving one finding from its first outcome to its last."""
    out: dict[str, dict[str, int]] = {}
    for text, count in groups:
        for code, assessment in (json.loads(text or "{}") or {}).items():
            if not assessment.get("in_scope", True):
                continue
            outcome = assessment.get("outcome")
            row = out.setdefault(code, dict.fromkeys(OUTCOMES, 0))
            row[outcome] = row.get(outcome, 0) + count
    moved: dict[tuple[int, str], list[str]] = {}
    for finding_id, code, old, new in changes:
        moved.setdefault((finding_id, code), [old, new])[1] = new
    for (_finding, code), (first, last) in moved.items():
        row = out.get(code)
        if row is None or row.get(first, 0) <= 0 or first == last:
            continue
        row[first] -= 1
        row[last] = row.get(last, 0) + 1
    first_codes = ("EU", "US", "UK")
    return {code: out[code] for code in sorted(out, key=lambda c: (
        first_codes.index(c) if c in first_codes else len(first_codes), c))}


def work(received_rows, work_rows, users: dict) -> tuple[PersonWork, ...]:
    """Each person's work, busiest first, from the receipts ``(day, user id, stones)``,
    the audited actions ``(username, action, events)`` and ``users`` ``{id: (username,
    full name)}``; a person who did nothing is left out."""
    names = {username: name for username, name in users.values()}
    tally: dict[str, dict[str, int]] = {}
    for _day, user_id, stones in received_rows:
        username = users.get(user_id, (str(user_id), ""))[0]
        row = tally.setdefault(username, {})
        row["received"] = row.get("received", 0) + stones
    for username, action, events in work_rows:
        column = WORK_ACTIONS.get(action)
        if column:
            row = tally.setdefault(username, {})
            row[column] = row.get(column, 0) + events
    people = [PersonWork(username, names.get(username) or username, **row)
              for username, row in tally.items()]
    return tuple(sorted(people, key=lambda p: (-p.total, p.username)))


def waiting(rows, now: dt.datetime) -> tuple[WaitingStone, ...]:
    return tuple(WaitingStone(r["number"], r["state"], r["client_name"],
                              r["submission_number"], r["received_at"],
                              max(0.0, (now - _moment(r["received_at"])).total_seconds()
                                  / 86400)) for r in rows)
