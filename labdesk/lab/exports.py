"""Exports: the Stones page's list (its filter and sort) and the audit trail as CSV or
XLSX, and the client's compliance pack for one submission (a signed PDF and an XLSX).

A service of the ``Lab`` facade (``labdesk.lab.facade``).  The two long exports work as
``backup`` does: the door is taken only to ask who exports and to record the export; the
rows are read from a snapshot of their own and streamed to the file (constant memory
for a million stones), so the window stays live meanwhile.  The pack (one submission)
is made inside the door.  Every export is an audit event naming who exported what.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from labdesk.core import fields as parse
from labdesk.core import grading, workflow
from labdesk.core.assessment import assess as assess_stone
from labdesk.core.evidence import kind_label
from labdesk.core.records import Verification
from labdesk.core.weights import format_weight
from labdesk.errors import NotFound, ValidationError
from labdesk.lab.rulesets import in_use as rulesets_in_use
from labdesk.reports import pack, pack_claims, sheets
from labdesk.store import audit, queries
from labdesk.store.connection import transaction, utcnow
from labdesk.store.disk import write_atomically

STONE_HEADER = ("Stone", "Submission", "Client", "Client ref", "Carat", "Shape", "Colour",
                "Clarity", "Cut", "Polish", "Symmetry", "Fluorescence", "Measurements",
                "Inscription", "Identification", "Growth method", "State", "Received",
                "Updated", "Notes")
AUDIT_HEADER = ("Event", "At (UTC)", "Actor", "Action", "Entity", "Entity id", "Stone",
                "Submission", "Data", "Previous hash", "Hash")
ENTITY = "export"
WORDS = ("shape", "identification", "state", "cut", "polish", "symmetry", "fluorescence")


@dataclass(frozen=True)
class CompliancePack:
    """A compliance pack written: its PDF and XLSX, and the signed digest in its QR."""
    submission: str
    pdf: Path
    xlsx: Path
    token: str
    stones: int


class Exports:
    """The ``Lab`` facade's export work."""

    def __init__(self, ctx):
        self.ctx = ctx

    @property
    def db(self):
        return self.ctx.db

    # -- the Stones page and the audit trail: streamed from a snapshot ---------------------

    def export_stones(self, path, *, state=None, client=None, search=None,
                      received_from=None, received_to=None, order: str = "number",
                      descending: bool = False, progress=None) -> int:
        """Write every stone the Stones page lists under this filter and sort (all of
        them, not one page) to ``path`` (.csv or .xlsx); returns how many."""
        if state not in (None, "") and state not in workflow.STATES:
            raise ValidationError(f"state: {state!r} is not a state (one of "
                                  f"{', '.join(workflow.STATES)})", field="state")
        target = sheets.check_target(path)
        filters = {"state": state or None, "client": client or None,
                   "search": (search or "").strip() or None,
                   "received_from": parse.day_text(received_from),
                   "received_to": parse.day_text(received_to, 1)}
        with self.ctx.door:
            actor = self.ctx.require_reader()
            if filters["client"] and queries.client_by_name(self.db, filters["client"]) \
                    is None:
                raise NotFound(f"client: no client named {filters['client']!r}",
                               field="client")

        def rows(db):
            for row in queries.stone_rows_for_export(db, order=order,
                                                     descending=descending, **filters):
                yield [row["number"], row["submission_number"], row["client_name"],
                       row["client_ref"], row["weight_mct"] / 1000,
                       *(grading.label(row[k]) if k in WORDS else row[k] for k in
                         ("shape", "colour", "clarity", "cut", "polish", "symmetry",
                          "fluorescence", "measurements", "inscription",
                          "identification", "growth_method", "state")),
                       row["received_at"], row["updated_at"], row["notes"]]

        count = self._stream(target, STONE_HEADER, rows, "Stones", progress)
        self._record(actor, "export.stones", target, count,
                     filter={k: v for k, v in filters.items() if v},
                     order=order, descending=bool(descending))
        return count

    def export_audit(self, path, date_from, date_to, progress=None) -> int:
        """Write the audit events from ``date_from`` to ``date_to`` (both days whole,
        UTC) to ``path`` (.csv or .xlsx), oldest first; returns how many."""
        start, end = parse.day_text(date_from), parse.day_text(date_to, 1)
        if start is None or end is None:
            raise ValidationError("from: give the first and the last day "
                                  "(--from DATE --to DATE)", field="from")
        if start >= end:
            raise ValidationError(f"to: {date_to} is before {date_from}", field="to")
        target = sheets.check_target(path)
        with self.ctx.door:
            actor = self.ctx.require_reader()

        def rows(db):
            for row in queries.audit_rows_for_export(db, start, end):
                yield [row[c] for c in queries.EXPORT_AUDIT_COLUMNS]

        count = self._stream(target, AUDIT_HEADER, rows, "Audit trail", progress)
        self._record(actor, "export.audit", target, count,
                     date_from=start, date_to=parse.day_text(date_to))
        return count

    def _stream(self, target: Path, header, rows, sheet: str, progress) -> int:
        with self.ctx.snapshot() as db:
            return self.ctx.storage_guarded(
                f"exporting to {target.name}",
                lambda: sheets.write(target, list(header), rows(db), sheet, progress),
                own_connection=True)

    def _record(self, actor, action: str, target: Path, count: int, **data) -> None:
        """The export's audit event (entity ``export``: no table's record, so the check
        compares no row with it)."""
        def record():
            with transaction(self.db):
                audit.record(self.db, actor.username, action, ENTITY, target.name,
                             file=target.name, rows=count, **data)

        with self.ctx.door:
            self.ctx.storage_guarded(f"recording the export {target.name}", record)

    # -- the client's compliance pack --------------------------------------------------------

    def compliance_pack(self, submission, outdir, on=None) -> CompliancePack:
        """Write ``<SUB>-pack.pdf`` and ``<SUB>-pack.xlsx`` into the folder ``outdir``:
        one line per stone (number, client reference, weight, identification, finding,
        mining country, report and its status, the EU, US and UK outcomes on ``on``,
        default today, with the ruleset versions, the evidence relied on with its
        references and documents' SHA-256).  The PDF carries the lab's signed digest of
        the pack (``LDP1.``) in its QR code.  Audited."""
        actor = self.ctx.require_reader()
        number = parse.number_text(submission)
        row = queries.submission_by_number(self.db, number)
        if row is None:
            raise NotFound(f"submission: no submission {number}", field="submission")
        folder = Path(outdir)
        if folder.exists() and not folder.is_dir():
            raise ValidationError(f"out: {folder} is a file; name a folder", field="out")
        day = parse.parse_day(on, "on") if on is not None else dt.date.today()
        kid, private = self.ctx.reports.signing_key()  # refuses a desk without the key
        content = self.content(row, actor, day)
        body = pack_claims.claim(kid, content["lab"]["name"], number, day.isoformat(),
                                 len(content["stones"]),
                                 pack_claims.canonical_bytes(content))
        token = pack_claims.sign(private, body)
        settings = self.ctx.accounts.settings()
        logo = self.ctx.documents.read(settings["logo"]) if settings.get("logo") else None
        pdf_bytes = pack.build(content, token, logo)

        def write() -> tuple[Path, Path]:
            folder.mkdir(parents=True, exist_ok=True)
            pdf_path = folder / f"{number}-pack.pdf"
            xlsx_path = folder / f"{number}-pack.xlsx"
            write_atomically(pdf_path, pdf_bytes, mode=0o644)
            pack.write_xlsx(xlsx_path, content)
            with transaction(self.db):
                audit.record(self.db, actor.username, "export.pack", ENTITY, number,
                             submission_id=row["id"], file=pdf_path.name,
                             stones=len(content["stones"]), on=day.isoformat(),
                             digest=body["h"], kid=kid)
            return pdf_path, xlsx_path

        pdf_path, xlsx_path = self.ctx.storage_guarded(
            f"writing the compliance pack of {number}", write)
        return CompliancePack(submission=number, pdf=pdf_path, xlsx=xlsx_path,
                              token=token, stones=len(content["stones"]))

    def content(self, sub: dict, actor, day: dt.date) -> dict:
        """The pack's canonical content: every line it prints, as text."""
        settings = self.ctx.accounts.settings()
        rulesets = rulesets_in_use()
        codes = [j for j in pack.JURISDICTIONS if j in rulesets]
        reports: dict[int, dict] = {}
        for report in queries.reports_for_submission(self.db, sub["id"]):
            reports[report["stone_id"]] = report        # the latest of each stone
        stones, evidence = [], {}
        for row in queries.stones_of_submission(self.db, sub["id"]):
            facts = self.ctx.findings.facts(row)
            outcomes, versions = {}, {}
            for code in codes:
                found = assess_stone(facts, rulesets[code], day)
                outcomes[code] = found.outcome if found.in_scope else \
                    f"{found.outcome} (not in scope)"
                versions[code] = found.ruleset
            finding = queries.current_finding(self.db, row["id"])
            rows = queries.evidence_for_stone(self.db, row["id"], row["submission_id"])
            relied = set(json.loads(finding["evidence_ids"] or "[]")) \
                if finding and finding.get("evidence_ids") else set()
            used = [e for e in rows if not relied or e["id"] in relied]
            for ev in self.ctx.evidence.evidence_list(used):
                evidence.setdefault(ev.id, ev)
            report = reports.get(row["id"])
            stones.append({
                "number": row["number"], "client_ref": row["client_ref"] or "",
                "weight": format_weight(row["weight_mct"]),
                "identification": grading.label(row["identification"]) or "not recorded",
                "finding": (f"{grading.label(finding['origin'])} ({finding['status']})"
                            if finding else "none yet"),
                "mining_country": (finding or {}).get("mining_country") or "",
                "report": report["number"] if report else "",
                "report_status": report["status"] if report else "",
                "outcomes": outcomes, "rulesets": versions,
                "evidence": [f"E{e['id']}" for e in used]})
        return {
            "v": 1, "layout": pack.LAYOUT,
            "lab": {"name": settings["lab_name"], "address": settings.get("address") or "",
                    "accreditation": settings.get("accreditation") or ""},
            "paper_size": settings.get("paper_size", "A4"),
            "submission": sub["number"], "client": sub["client_name"],
            "reference": sub["reference"] or "", "received": sub["received_at"][:10],
            "on": day.isoformat(), "made_at": utcnow()[:19] + "Z",
            "made_by": actor.full_name,
            "rulesets": [f"{c} {rulesets[c].version}" for c in codes],
            "stones": stones,
            "evidence": [{
                "ref": f"E{ev.id}", "kind": kind_label(ev.kind),
                "reference": ev.fields.get("reference") or "",
                "issuer": ev.fields.get("issuer") or "", "covers": ev.target,
                "documents": [{"filename": a.filename, "sha256": a.sha256}
                              for a in ev.attachments]}
                for _, ev in sorted(evidence.items())]}

    # -- verifying a pack --------------------------------------------------------------------

    def verify(self, text) -> Verification:
        """``Lab.verify``: a pack's digest (``LDP1.``) checked here, a report's token by
        the reports service."""
        if pack_claims.is_pack_token(text):
            self.ctx.require_reader()
            parsed = pack_claims.check(text, self.ctx.reports.public_keys())
            problems = list(parsed.problems)
            if parsed.valid:
                problems.append("this is the digest of a compliance pack: it says the "
                                "lab signed the pack, and the pack's PDF file itself "
                                "(labdesk verify PACK.pdf) shows whether its lines are "
                                "the ones signed")
            return Verification(valid=parsed.valid, status=parsed.status,
                                claim=parsed.claim, problems=tuple(problems))
        return self.ctx.reports.verify(text)

    def verify_pack(self, path) -> Verification:
        """Whether the PDF at ``path`` is a compliance pack this lab signed, unaltered;
        a note names each of its reports withdrawn since."""
        self.ctx.require_reader()
        result = pack.verify_pdf(path, self.ctx.reports.public_keys())
        if not result.valid:
            return result
        content = json.loads(pack.attached_content(Path(path).read_bytes()))
        notes = []
        for stone in content["stones"]:
            if stone["report"]:
                row = queries.report_by_number(self.db, stone["report"])
                if row is not None and row["status"] != stone["report_status"]:
                    notes.append(f"report {stone['report']} of {stone['number']} is "
                                 f"{row['status']} now (it was {stone['report_status']} "
                                 f"when the pack was made)")
        return Verification(valid=True, status="valid", claim=result.claim,
                            problems=tuple(notes))
