"""What the pages show: a stone with everything about it, submissions, the lists,
the review queue, history and the audit trail, the search box.

A service of the ``Lab`` facade (``labdesk.lab.facade``): called with the door's lock
held, it never takes it again and reaches the other services through its context.

Every read of the lab's records needs a logged-in user (``ctx.require_reader``: one
sentence, an ``AuthError``, when nobody is); the stone counts and the jurisdictions name
no record, so ``labdesk status`` may show them before a login.
"""
from __future__ import annotations


from labdesk.core import fields as parse
from labdesk.core import permissions, voids, workflow
from labdesk.core.stones import missing_for_report
from labdesk.core.records import (AuditEvent, Finding, Page, Stone, StoneDetail,
                                  Submission)
from labdesk.core.weights import format_weight
from labdesk.errors import (NotFound, ValidationError)
from labdesk.lab.rulesets import in_use as rulesets_in_use
from labdesk.store import queries
from labdesk.store import rows as as_record


class Reads:
    """The ``Lab`` facade's reads work."""

    def __init__(self, ctx):
        self.ctx = ctx

    @property
    def db(self):
        return self.ctx.db

    def stone(self, stone_no) -> Stone:
        self.ctx.require_reader()
        return as_record.stone(self.ctx.stone_row(stone_no))

    def stone_detail(self, stone_no) -> StoneDetail:
        """A stone with its evidence (its own and its parcel's), attachments, findings and
        history."""
        self.ctx.require_reader()
        row = self.ctx.stone_row(stone_no)
        evidence = queries.evidence_for_stone(self.db, row["id"], row["submission_id"])
        findings = queries.findings_for_stone(self.db, row["id"])
        events = queries.history(self.db, row["id"], row["submission_id"])
        return StoneDetail(
            actions=self.actions(row, findings[-1] if findings else None),
            stone=as_record.stone(row), evidence=tuple(self.ctx.evidence.evidence_list(evidence)),
            findings=tuple(as_record.finding(f, row["number"]) for f in findings),
            history=tuple(as_record.event(e) for e in events),
            reports=tuple(self.ctx.reports.report_record(r) for r in
                          queries.reports_for_stone(self.db, row["id"])))

    def actions(self, row: dict, finding: dict | None) -> dict:
        """What the logged-in user may do with the stone of ``row`` now (one query for
        the parcel: its first stone under review or locked)."""
        actor = self.ctx.actor
        return permissions.stone_actions(
            actor, row["number"], row["state"],
            proposer_id=finding["proposed_by"] if finding else None,
            frozen_sibling=queries.frozen_stone_of(self.db, row["submission_id"]),
            submission=row["submission_number"],
            issue_check=lambda: self.ctx.reports.check_issuable(actor, row),
            missing_for_report=missing_for_report(row["identification"]),
            voided=voids.refusal(row["number"], row["submission_number"],
                                 row.get("voided_at"), "propose a finding for it"))

    def jurisdictions(self) -> tuple[str, ...]:
        """The jurisdictions whose rules the lab applies (EU, US, UK first)."""
        first = ("EU", "US", "UK")
        return tuple(sorted(rulesets_in_use(), key=lambda c: (c not in first,
                                                              first.index(c) if c in first
                                                              else 0, c)))

    def submission(self, number) -> Submission:
        self.ctx.require_reader()
        return self.submission_record(parse.number_text(number))

    def submission_record(self, number: str, with_stones: bool = True) -> Submission:
        row = queries.submission_by_number(self.db, number)
        if row is None:
            raise NotFound(f"submission: no submission {number}", field="submission")
        stones = tuple(as_record.stone(s) for s in queries.stones_of_submission(
            self.db, row["id"])) if with_stones else ()
        return Submission(
            id=row["id"], number=row["number"], client=row["client_name"],
            reference=row["reference"], received_at=row["received_at"],
            declared_count=row["declared_count"],
            declared_weight=format_weight(row["declared_weight_mct"]) or None,
            received_by=row["received_by_name"], stones=stones,
            voided_at=row.get("voided_at"), voided_by=row.get("voided_by_name"),
            void_reason=row.get("void_reason"))

    def submission_row_record(self, submission_id: int) -> Submission:
        """The submission without its stones (a report names the parcel, and a parcel may
        hold ten thousand stones)."""
        row = queries.submission_by_id(self.db, submission_id)
        return self.submission_record(row["number"], with_stones=False)

    def stones(self, *, state: str | None = None, client: str | None = None,
               search: str | None = None, received_from=None, received_to=None,
               order: str = "number", descending: bool = False, offset: int = 0,
               limit: int = 100, count: bool = True) -> Page:
        """One page of stones (never all of them), filtered and sorted.  With
        ``count=False`` the total is not counted (-1): the next pages of a list whose
        total is known."""
        self.ctx.require_reader()
        if state is not None and state not in workflow.STATES:
            raise ValidationError(f"state: {state!r} is not a state", field="state")
        limit, offset = max(1, min(int(limit), 1000)), max(0, int(offset))
        rows, total = queries.list_stones(
            self.db, state=state, client=client, search=search,
            received_from=parse.day_text(received_from), received_to=parse.day_text(received_to, 1),
            order=order, descending=descending, offset=offset, limit=limit, count=count)
        capped = queries.COUNT_CAP if search and total > queries.COUNT_CAP else None
        return Page(items=tuple(as_record.stone(r) for r in rows), total=total, offset=offset,
                    limit=limit, more_than=capped)

    def review_queue(self) -> list[Finding]:
        """Proposed findings awaiting a supervisor, oldest first."""
        self.ctx.require_reader()
        return [as_record.finding(r, r["stone_number"]) for r in queries.review_queue(self.db)]

    def finding(self, stone_no) -> Finding | None:
        self.ctx.require_reader()
        return self.current_finding(self.ctx.stone_row(stone_no))

    def current_finding(self, row: dict) -> Finding | None:
        found = queries.findings_for_stone(self.db, row["id"])
        return as_record.finding(found[-1], row["number"]) if found else None

    def history(self, stone_no) -> list[AuditEvent]:
        self.ctx.require_reader()
        row = self.ctx.stone_row(stone_no)
        return [as_record.event(e) for e in queries.history(self.db, row["id"], row["submission_id"])]

    def audit_events(self, *, actor: str | None = None, action: str | None = None,
                     date_from=None, date_to=None, offset: int = 0,
                     limit: int = 200) -> Page:
        """Audit events, newest first.  A batch event (the stones of an intake) comes with
        the span it created under ``data["batch"]`` (``first``, ``last`` ids, ``rows``);
        ``audit_event(id)`` gives its snapshots."""
        self.ctx.require_reader()
        limit, offset = max(1, min(int(limit), 1000)), max(0, int(offset))
        rows, total = queries.audit_page(
            self.db, actor=actor, action=action, date_from=parse.day_text(date_from),
            date_to=parse.day_text(date_to, 1), offset=offset, limit=limit)
        return Page(items=tuple(as_record.event(r) for r in rows), total=total, offset=offset,
                    limit=limit)

    def audit_event(self, event_id: int) -> AuditEvent:
        """One audit event with everything it recorded (a batch event's every snapshot,
        which ``audit_events`` leaves out)."""
        self.ctx.require_reader()
        row = queries.audit_event(self.db, int(event_id))
        if row is None:
            raise NotFound(f"event: no audit event {event_id}", field="event")
        return as_record.event(row)

    def audit_actions(self) -> list[str]:
        self.ctx.require_reader()
        return queries.audit_actions(self.db)

    def find(self, text: str) -> list[tuple[str, str]]:
        """What a search box or a barcode scanner's input names: a list of
        ``(kind, number)`` with kind ``stone``, ``submission`` or ``evidence``."""
        self.ctx.require_reader()
        query = " ".join(str(text or "").split())
        if not query:
            return []
        if "#" in query or query.startswith("LD1."):
            return [("token", query)]
        up = query.upper()
        hits: list[tuple[str, str]] = []
        if queries.stone_by_number(self.db, up):
            hits.append(("stone", up))
        if queries.submission_by_number(self.db, up):
            hits.append(("submission", up))
        if queries.report_by_number(self.db, up):
            hits.append(("report", up))
        for ev in queries.find_evidence_by_reference(self.db, query):
            hits.append(("evidence", str(ev["id"])))
        for st in queries.stones_by_client_ref(self.db, query):
            hits.append(("stone", st["number"]))
        for st in queries.stones_by_earlier_report(self.db, query):
            if ("stone", st["number"]) not in hits:
                hits.append(("stone", st["number"]))
        for sub in queries.submissions_by_reference(self.db, query):
            hits.append(("submission", sub["number"]))
        return hits

    def counts(self) -> dict:
        return {"stones": queries.state_counts(self.db),
                "review": len(queries.review_queue(self.db))}
