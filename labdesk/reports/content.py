"""What a report says: the signed claim and the printed page, built from the facade's
records (pure functions: no database, no files)."""
from __future__ import annotations

from labdesk.core import grading
from labdesk.core.countries import country_name
from labdesk.core.evidence import kind_label
from labdesk.core.weights import format_weight
from labdesk.reports.claims import IDENTIFICATION_CODES, ORIGIN_CODES
from labdesk.reports.pdf import ReportData

METHOD = (
    "Weight on an electronic balance reading to 0.001 ct (reported to 0.01 ct); "
    "measurements by optical gauge; colour and clarity graded by trained graders under "
    "standard daylight-equivalent lighting with 10x magnification; natural or "
    "laboratory-grown by spectroscopic screening, referred stones tested further. The "
    "origin finding rests on the documentary evidence listed, examined by a technician "
    "and authorised by a different supervisor (four eyes); it is not a geological "
    "determination of origin.")


def claim(number: str, issued_on: str, kid: str, lab_name: str, stone, finding) -> dict:
    """The claim that is signed (design.md): keys as the wire format names them."""
    body = {"v": 1, "kid": kid, "lab": lab_name, "n": number, "d": issued_on,
            "w": format_weight(stone.weight_mct, 2), "sh": stone.shape or "other",
            "col": stone.colour or "", "cla": stone.clarity or "",
            "id": IDENTIFICATION_CODES[stone.identification],
            "o": ORIGIN_CODES[finding.origin]}
    if finding.mining_country:
        body["mc"] = finding.mining_country
    return body


def _when(moment: str | None) -> str:
    """'2026-11-29T10:15:02.123Z' -> '2026-11-29 10:15 UTC'."""
    if not moment:
        return ""
    return f"{moment[:10]} {moment[11:16]} UTC"


def page(number: str, issued_on: str, settings: dict, logo: bytes | None, stone,
         submission, client, finding, evidence, issued_by, issued_at: str,
         qr_text: str, supersedes: str | None = None) -> ReportData:
    """Everything printed on the report."""
    shape = grading.label(stone.shape) if stone.shape else "—"
    if stone.shape == "round":
        shape = "Round brilliant"
    stone_rows = [
        ("Shape and cutting style", shape),
        ("Measurements", f"{stone.measurements} mm" if stone.measurements else ""),
        ("Carat weight", f"{format_weight(stone.weight_mct, 2)} ct"),
        ("Colour grade", stone.colour or ""),
        ("Clarity grade", stone.clarity or ""),
        ("Cut grade", grading.label(stone.cut) if stone.shape == "round" else
         (grading.label(stone.cut) if stone.cut else "Not graded (fancy shape)")),
        ("Polish", grading.label(stone.polish)),
        ("Symmetry", grading.label(stone.symmetry)),
        ("Fluorescence", grading.label(stone.fluorescence)),
        ("Inscription", stone.inscription or "None"),
    ]
    earlier = " ".join(p for p in (getattr(stone, "earlier_lab", None),
                                   getattr(stone, "earlier_report", None)) if p)
    if earlier:  # only when the client's list named one: other reports print as before
        stone_rows.append(("Earlier report", f"{earlier} (as the client's list states)"))
    ident = grading.label(stone.identification)
    if stone.identification == "laboratory_grown":
        ident += f" ({stone.growth_method})" if stone.growth_method else ""
    relied = set(finding.evidence_ids)
    rows = []
    for ev in evidence:
        if ev.id not in relied:
            continue
        scans = ", ".join(a.sha256 for a in ev.attachments) or "no scan"
        level = " (parcel)" if ev.level == "submission" else ""
        rows.append((kind_label(ev.kind) + level, ev.fields.get("reference") or "—",
                     ev.fields.get("issuer") or ev.fields.get("seller") or
                     ev.fields.get("platform") or "—",
                     ev.fields.get("issued_on") or "—", scans))
    assessments = []
    for code, a in sorted((finding.assessments or {}).items()):
        outcome = {"clear": "clear", "insufficient": "evidence insufficient",
                   "prohibited": "prohibited"}.get(a.get("outcome"), a.get("outcome"))
        scope = "in scope" if a.get("in_scope") else "not in scope"
        assessments.append((code, f"{outcome}; {scope} on {a.get('on')} under ruleset "
                                  f"{a.get('ruleset')}"))
    approved_name = finding.decided_by_name or finding.decided_by or ""
    comment = finding.decision_comment or ""
    return ReportData(
        number=number, issued_on=issued_on, issued_at=issued_at,
        lab_name=settings["lab_name"],
        lab_address=settings.get("address") or "",
        accreditation=settings.get("accreditation") or "", logo=logo,
        paper_size=settings.get("paper_size", "A4"),
        customer=client.name if client else submission.client,
        customer_contact=", ".join(x for x in ((client.address or "").replace("\n", ", "),
                                               client.contact or "") if x) if client else "",
        customer_ref=stone.client_ref or "", submission=submission.number,
        received_at=_when(submission.received_at),
        work_dates=f"{submission.received_at[:10]} to {(finding.decided_at or '')[:10]}",
        stone=stone_rows, identification=ident,
        origin=grading.label(finding.origin),
        mining_country=(f"{country_name(finding.mining_country)} "
                        f"({finding.mining_country})" if finding.mining_country else ""),
        statement=finding.statement, evidence=rows, assessments=assessments,
        proposed=(finding.proposed_by_name, _when(finding.proposed_at)),
        approved=(approved_name, _when(finding.decided_at), comment),
        issued_by=(issued_by, _when(issued_at)), qr_text=qr_text,
        verify_url=settings.get("verify_url") or "", supersedes=supersedes or "",
        method=METHOD)
