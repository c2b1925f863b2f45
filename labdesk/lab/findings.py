"""Origin findings: the assessment under each jurisdiction's rules, proposing,
the four-eyes review (approve, reject), reopening; and what a rules change does to
findings already made.

A service of the ``Lab`` facade (``labdesk.lab.facade``): called with the door's lock
held, it never takes it again and reaches the other services through its context.
"""
from __future__ import annotations

import datetime as dt
import json

from labdesk.lab import reassessment
from labdesk.core import fields as parse
from labdesk.core import grading, voids, workflow
from labdesk.core.stones import missing_for_report
from labdesk.core.assessment import assess as assess_stone, russian_links
from labdesk.core.countries import RUSSIA, parse_country
from labdesk.core.facts import StoneFacts
from labdesk.core.records import (Finding, RuleChange, RulesReview, Stone)
from labdesk.core.workflow import Actor
from labdesk.errors import (NotFound, StateError, ValidationError)
from labdesk.lab.rulesets import in_use as rulesets_in_use
from labdesk.store import queries, writes
from labdesk.store import rows as as_record
from labdesk.store.connection import transaction, utcnow


class Findings:
    """The ``Lab`` facade's findings work."""

    def __init__(self, ctx):
        self.ctx = ctx

    @property
    def db(self):
        return self.ctx.db

    def assess(self, stone_no, jurisdiction: str = "EU", on=None):
        """The origin assessment of a stone under ``jurisdiction``'s rules in force ``on``
        (default today): may this stone enter that market on that date."""
        self.ctx.require_reader()
        code = str(jurisdiction or "").strip().upper()
        rulesets = rulesets_in_use()
        if code not in rulesets:
            raise ValidationError(f"jurisdiction: {jurisdiction!r} has no ruleset (known: "
                                  f"{', '.join(sorted(rulesets))})", field="jurisdiction")
        day = parse.parse_day(on, "on") if on is not None else dt.date.today()
        return assess_stone(self.facts(self.ctx.stone_row(stone_no)), rulesets[code], day)

    def facts(self, row: dict) -> StoneFacts:
        evidence = queries.evidence_for_stone(self.db, row["id"], row["submission_id"])
        attachments = queries.attachments_for(self.db, [e["id"] for e in evidence])
        counts: dict[int, int] = {}
        for a in attachments:
            counts[a["evidence_id"]] = counts.get(a["evidence_id"], 0) + 1
        totals = queries.submission_totals(self.db, row["submission_id"])
        return StoneFacts(
            number=row["number"], weight_mct=row["weight_mct"],
            identification=row["identification"],
            received_on=dt.date.fromisoformat(row["received_at"][:10]),
            submission_weight_mct=totals[1], submission_count=totals[0],
            evidence=tuple(as_record.evidence_facts(e, counts.get(e["id"], 0)) for e in evidence),
            mounted=bool(row.get("mounted")))

    def propose_finding(self, stone_no, origin: str, mining_country: str | None = None,
                        statement: str = "") -> Finding:
        """Propose where the stone was mined; a supervisor other than you reviews it.

        The EU, US and UK assessments of today are recorded with the finding.
        """
        actor = self.ctx.require_actor()
        row = self.ctx.stone_row(stone_no)
        workflow.check_can_propose(actor, row["number"], row["state"])
        voids.check_not_voided(row["number"], row["submission_number"], row["voided_at"],
                               "propose a finding for it")
        missing = missing_for_report(row["identification"])
        if missing:   # an approved finding that can never become a report helps no one
            raise StateError(f"{row['number']} cannot be reported, so no finding is "
                             f"proposed for it: {'; '.join(missing)}. Record its "
                             f"identification first.")
        origin = grading.parse_origin(origin)
        if origin is None:
            raise ValidationError("origin: choose the finding's origin (Not of Russian "
                                  "origin, Russian origin or Origin undetermined)",
                                  field="origin")
        country = parse_country(mining_country, "mining_country")
        text = parse.optional_text(statement, "statement", 2000) or ""
        if origin == "russian":
            country = country or RUSSIA
            if country != RUSSIA:
                raise ValidationError(f"mining_country: a Russian-origin finding names RU, "
                                      f"not {country}", field="mining_country")
        if origin == "non_russian" and country == RUSSIA:
            raise ValidationError("mining_country: RU contradicts a non-Russian finding",
                                  field="mining_country")
        facts = self.facts(row)
        if origin == "non_russian":
            links = russian_links(facts)
            if links:
                raise ValidationError("origin: a non-Russian finding cannot be proposed: "
                                      + "; ".join(link.text for link in links),
                                      field="origin")
        assessments = self.assessments(facts)
        if origin == "non_russian":
            weak = [j for j, a in assessments.items() if a["outcome"] == "insufficient"]
            if weak and not text:
                raise ValidationError(
                    f"statement: the evidence is insufficient under {', '.join(weak)}; say "
                    f"why the stone is not of Russian origin", field="statement")
        def guard() -> dict:
            row = self.ctx.stone_row(stone_no)
            workflow.check_can_propose(actor, row["number"], row["state"])
            voids.check_not_voided(row["number"], row["submission_number"],
                                   row["voided_at"], "propose a finding for it")
            return row

        def work(row: dict, _ready) -> dict:
            writes.insert(self.db, "findings", {
                "stone_id": row["id"], "origin": origin, "mining_country": country,
                "statement": text,
                "evidence_ids": json.dumps([e.id for e in facts.evidence]),
                "assessments": json.dumps(assessments, sort_keys=True),
                "status": "proposed", "proposed_by": actor.id, "proposed_at": utcnow()},
                actor.username, "finding.propose", stone_id=row["id"],
                submission_id=row["submission_id"])
            self.set_state(row, "proposed", actor)
            return row

        return self.ctx.reads.current_finding(self.ctx.write(guard, work))

    def assessments(self, facts: StoneFacts) -> dict:
        today = dt.date.today()
        out = {}
        for code, ruleset in sorted(rulesets_in_use().items()):
            result = assess_stone(facts, ruleset, today)
            out[code] = {"ruleset": result.ruleset, "on": today.isoformat(),
                         "outcome": result.outcome, "in_scope": result.in_scope}
        return out

    def set_state(self, row: dict, state: str, actor: Actor, **extra) -> None:
        writes.update(self.db, "stones", row["id"], {"state": state, "updated_at": utcnow()},
                      actor.username, f"stone.{state}", submission_id=row["submission_id"],
                      **extra)

    def review(self, stone_no, decision: str, text: str, password: str | None):
        actor = self.ctx.require_actor()
        check = (workflow.check_can_approve if decision == "approved"
                 else workflow.check_can_reject)

        def guard():
            row = self.ctx.stone_row(stone_no)
            finding = queries.current_finding(self.db, row["id"])
            check(actor, row["number"], row["state"],
                  finding["proposed_by"] if finding else None)
            if decision == "approved":
                self.check_unchanged_since_proposal(row, finding)
            return row, finding

        def work(checked, signature) -> dict:
            row, finding = checked
            writes.update(self.db, "findings", finding["id"], {
                "status": decision, "decided_by": actor.id, "decided_at": signature["at"],
                "decision_comment": text}, actor.username,
                "finding.approve" if decision == "approved" else "finding.reject",
                stone_id=row["id"], submission_id=row["submission_id"],
                signature=signature)
            self.set_state(row, decision, actor)
            self.settle_changes(actor, "kept" if decision == "approved" else "rejected",
                                text, signature["at"], finding_id=finding["id"])
            return row

        meaning = "approval" if decision == "approved" else "rejection"
        row = self.ctx.write(guard, work,
                             before=lambda: self.ctx.signature(meaning, password))
        return self.ctx.reads.current_finding(row)

    def check_unchanged_since_proposal(self, row: dict, finding: dict) -> None:
        """The evidence a supervisor approves is the evidence that was proposed."""
        facts = self.facts(row)
        if sorted(e.id for e in facts.evidence) != sorted(json.loads(finding["evidence_ids"])):
            raise StateError(f"the evidence of {row['number']} changed after the finding was "
                             f"proposed; reject it so that it is proposed again")
        if finding["origin"] == "non_russian" and russian_links(facts):
            raise StateError(f"evidence of {row['number']} names Russia: a non-Russian "
                             f"finding cannot be approved; reject it")

    def approve(self, stone_no, comment: str = "", password: str | None = None) -> Finding:
        """Approve the proposed finding: a signature (supervisor, never the proposer).

        With ``password`` the signer's password is checked again (the GUI always passes
        it); the audit event records the signer's name, the time and the meaning.
        """
        text = parse.optional_text(comment, "comment", 2000) or ""
        return self.review(stone_no, "approved", text, password)

    def reject(self, stone_no, reason: str, password: str | None = None) -> Finding:
        """Reject the proposed finding with a reason; the technician proposes again."""
        text = workflow.check_reason(reason, "rejection")
        return self.review(stone_no, "rejected", text, password)

    def reopen(self, stone_no, reason: str, password: str | None = None) -> Stone:
        """Unlock an approved or reported stone for correction (supervisor, reason)."""
        actor = self.ctx.require_actor()

        def guard() -> dict:
            row = self.ctx.stone_row(stone_no)
            workflow.check_can_reopen(actor, row["number"], row["state"])
            return row

        guard()
        text = workflow.check_reason(reason, "reopening")

        def work(row: dict, signature: dict) -> dict:
            finding = queries.current_finding(self.db, row["id"])
            writes.update(self.db, "findings", finding["id"], {
                "status": "reopened", "reopened_by": actor.id,
                "reopened_at": signature["at"], "reopen_reason": text}, actor.username,
                "finding.reopen", stone_id=row["id"], submission_id=row["submission_id"],
                signature=signature, reason=text)
            self.on_reopen(row, actor, text)
            self.set_state(row, "received", actor, reason=text)
            self.settle_changes(actor, "reopened", text, signature["at"],
                                finding_id=finding["id"])
            return row

        row = self.ctx.write(guard, work,
                             before=lambda: self.ctx.signature("reopening", password))
        return self.ctx.reads.stone(row["number"])

    def on_reopen(self, row: dict, actor: Actor, reason: str) -> None:
        """A reopened stone's issued report is withdrawn as superseded; the report issued
        after the new approval names it and it names its successor."""
        for report in queries.reports_for_stone(self.db, row["id"]):
            if report["status"] == "issued":
                writes.update(self.db, "reports", report["id"], {
                    "status": "superseded", "withdrawn_by": actor.id,
                    "withdrawn_at": utcnow(), "withdrawn_reason": reason},
                    actor.username, "report.supersede", stone_id=row["id"],
                    submission_id=row["submission_id"])

    def rules_review_needed(self) -> dict[str, str]:
        """``{jurisdiction: version}`` of the rulesets in use under which the lab has not
        yet re-assessed its findings (empty when it has)."""
        return {code: ruleset.version for code, ruleset in
                reassessment.unreviewed(self.db, rulesets_in_use()).items()}

    def reassess(self, progress=None) -> RulesReview:
        """After a rules change, assess every stone whose finding stands (proposed,
        approved, reported) again under the new rules, on the day of its own assessment,
        and record each stone whose outcome moved (``rule_changes``).  An open change for
        the worse holds the stone's next report until a supervisor settles it.  Does
        nothing when the lab has already re-assessed under the rules in use."""
        return self.reassess_as(self.ctx.require_actor(), progress)

    def reassess_as(self, actor: Actor, progress=None) -> RulesReview:
        rulesets = rulesets_in_use()
        pending = reassessment.unreviewed(self.db, rulesets)
        if not pending:
            return RulesReview(versions={}, reassessed=0, changes=())
        versions = {code: [queries.last_kept_version(self.db, code), ruleset.version]
                    for code, ruleset in pending.items()}
        assessed, rows = reassessment.find_changes(self.db, pending, as_record.candidate_facts,
                                                   progress)
        now = utcnow()
        with transaction(self.db):
            if reassessment.unreviewed(self.db, rulesets) != pending:
                return RulesReview(versions={}, reassessed=0, changes=())  # done meanwhile
            first = queries.next_id(self.db, "rule_changes")
            full = [{"id": first + index, **row, "found_at": now, "status": "open",
                     "decided_by": None, "decided_at": None, "decision_note": None}
                    for index, row in enumerate(rows)]
            for start in range(0, len(full), 1000):
                writes.insert_rows(self.db, "rule_changes", full[start:start + 1000],
                                   actor.username, "rules.reassess", one_event=True)
            for ruleset_row in reassessment.ruleset_rows(pending, now):
                writes.insert(self.db, "rulesets", ruleset_row, actor.username,
                              "rules.adopt", reassessed=assessed, changes=len(full))
        found = [as_record.rule_change(r) for r in queries.rule_changes(
            self.db, since_id=first, limit=max(len(full), 1))]
        return RulesReview(versions=versions, reassessed=assessed,
                           changes=tuple(sorted(found, key=lambda c: c.id)))

    def rule_changes(self, status: str | None = "open", stone_no=None) -> list[RuleChange]:
        """What rules changes did to findings, newest first (open ones by default)."""
        self.ctx.require_reader()
        stone_id = self.ctx.stone_row(stone_no)["id"] if stone_no is not None else None
        return [as_record.rule_change(r) for r in queries.rule_changes(
            self.db, status=status, stone_id=stone_id)]

    def settle_rule_change(self, change_id: int, decision: str, note: str,
                           password: str | None = None) -> RuleChange:
        """A supervisor's decision on a stone a rules change moved (a signature):
        ``keep`` the finding and any report as they are (with the reason), ``reject`` a
        proposed finding, ``reopen`` an approved or reported one (its report is
        superseded), or ``revoke`` its issued report.  Every open change of the same
        finding is settled with it."""
        actor = self.ctx.require_actor()
        workflow.require_role(actor, "supervisor", action="settle a rules change")
        row = queries.rule_change(self.db, parse.optional_count(change_id, "change") or 0)
        if row is None:
            raise NotFound(f"change: no rules change {change_id}")
        if row["status"] != "open":
            raise StateError(f"rules change {row['id']} of {row['stone_number']} was "
                             f"already settled ({row['status']})")
        text = workflow.check_reason(note, "decision")
        choice = str(decision or "").strip().lower()
        if choice == "reopen":
            self.reopen(row["stone_number"], text, password)
        elif choice == "reject":
            self.reject(row["stone_number"], text, password)
        elif choice == "revoke":
            if not row["report_number"]:
                raise ValidationError(f"decision: {row['stone_number']} has no issued "
                                      f"report to revoke", field="decision")
            self.ctx.reports.revoke_report(row["report_number"], text, password)
        elif choice == "keep":
            signature = self.ctx.signature("review of a rules change", password)
            with transaction(self.db):
                self.settle_changes(actor, "kept", text, signature["at"],
                                     finding_id=row["finding_id"], signature=signature)
        else:
            raise ValidationError(f"decision: {decision!r} is not one of keep, reject, "
                                  f"reopen, revoke", field="decision")
        return as_record.rule_change(queries.rule_change(self.db, row["id"]))

    def settle_changes(self, actor: Actor, status: str, note: str, at: str, *,
                        finding_id: int | None = None, report_id: int | None = None,
                        **extra) -> None:
        """Close the open rules changes of a finding (or of a report) in the caller's
        transaction, with the decision that settled them."""
        for change in queries.rule_changes(self.db, status="open", finding_id=finding_id,
                                           report_id=report_id):
            writes.update(self.db, "rule_changes", change["id"], {
                "status": status, "decided_by": actor.id, "decided_at": at,
                "decision_note": note}, actor.username, "rules.settle",
                stone_id=change["stone_id"], **extra)

