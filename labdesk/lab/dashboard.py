"""The lab manager's dashboard (issue 17): turnaround, receipts, outcomes, work per
person and the stones waiting longest, read at once for the Dashboard page.

A service of the ``Lab`` facade (``labdesk.lab.facade``): called with the door's lock
held, it never takes it again.  Its reads are windows of recent time over indexes
(``store.aggregates``), so the page costs the same in a lab of a million stones as in a
young one doing the same work.
"""
from __future__ import annotations

import datetime as dt

from labdesk.core import dashboard as board
from labdesk.store import aggregates


class DashboardService:
    """The ``Lab`` facade's dashboard work."""

    def __init__(self, ctx):
        self.ctx = ctx

    def review_count(self) -> int:
        """Findings awaiting a supervisor (the Review page's badge)."""
        self.ctx.require_reader()
        return aggregates.review_count(self.ctx.db)

    def dashboard(self, now=None) -> board.Dashboard:
        """Everything the Dashboard page shows; ``now`` (an aware datetime, default the
        present) fixes the windows for tests and screenshots."""
        self.ctx.require_reader()
        db = self.ctx.db
        now = now or dt.datetime.now(dt.timezone.utc)
        today = now.astimezone(dt.timezone.utc).date()
        weeks = board.first_week(today).isoformat()
        days = board.first_day(today, max(board.DAYS, board.WORK_DAYS)).isoformat()
        work_from = board.first_day(today, board.WORK_DAYS).isoformat()
        received = aggregates.received_since(db, days)
        return board.Dashboard(
            on=today, review=aggregates.review_count(db),
            waiting=aggregates.waiting_counts(db),
            turnaround=board.turnaround(aggregates.first_reports_since(db, weeks), today),
            received=board.received_per_day(received, today),
            outcomes=board.outcomes(aggregates.outcome_groups(db, weeks),
                                    aggregates.outcome_changes(db, weeks)),
            work=board.work([r for r in received if r[0] >= work_from],
                            aggregates.work_since(db, work_from),
                            aggregates.user_names(db)),
            longest=board.waiting(aggregates.waiting_longest(db, 10), now))
