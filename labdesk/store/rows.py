"""Rows as the store reads them, turned into the records the facade hands out
(``labdesk.core.records``) and the facts the rules judge (``labdesk.core.facts``)."""
from __future__ import annotations

import datetime as dt
import json

from labdesk.core import workflow
from labdesk.core.facts import EvidenceFacts, StoneFacts
from labdesk.core.records import (Attachment, AuditEvent, Client, Finding, RuleChange, Stone,
                                  StoneReturn, User)
from labdesk.core.records import build as build_record
from labdesk.core.weights import format_weight
from labdesk.core.workflow import Actor
from labdesk.store import audit


def actor(row: dict) -> Actor:
    return Actor(id=row["id"], username=row["username"], full_name=row["full_name"],
                 role=row["role"])


def user(row: dict) -> User:
    return User(id=row["id"], username=row["username"], full_name=row["full_name"],
                role=row["role"], active=bool(row["active"]), created_at=row["created_at"],
                failed_logins=row.get("failed_logins") or 0,
                locked_until=row.get("locked_until"))


def client(row: dict) -> Client:
    return Client(id=row["id"], name=row["name"], address=row["address"],
                  contact=row["contact"], created_at=row["created_at"])


def stone(row: dict) -> Stone:
    return build_record(Stone, {
        "id": row["id"], "number": row["number"], "submission": row["submission_number"],
        "client": row["client_name"], "client_ref": row["client_ref"],
        "weight": format_weight(row["weight_mct"]), "weight_mct": row["weight_mct"],
        "shape": row["shape"], "colour": row["colour"], "clarity": row["clarity"],
        "cut": row["cut"], "polish": row["polish"], "symmetry": row["symmetry"],
        "fluorescence": row["fluorescence"], "measurements": row["measurements"],
        "inscription": row["inscription"], "identification": row["identification"],
        "growth_method": row["growth_method"], "notes": row["notes"], "state": row["state"],
        "locked": workflow.is_locked(row["state"]), "received_at": row["received_at"],
        "created_at": row["created_at"], "updated_at": row["updated_at"],
        "mounted": bool(row.get("mounted")), "earlier_lab": row.get("earlier_lab"),
        "earlier_report": row.get("earlier_report"),
        "declared_origin": row.get("declared_origin"), "voided_at": row.get("voided_at")})


def attachment(row: dict, creator: str) -> Attachment:
    return Attachment(id=row["id"], evidence_id=row["evidence_id"], sha256=row["sha256"],
                      filename=row["filename"], size=row["size"],
                      media_type=row["media_type"], created_by=creator,
                      created_at=row["created_at"])


def finding(row: dict, stone_no: str) -> Finding:
    return Finding(
        id=row["id"], stone=stone_no, origin=row["origin"],
        mining_country=row["mining_country"], statement=row["statement"],
        status=row["status"], proposed_by=row["proposed_by_name"],
        proposed_by_name=row["proposed_by_full"], proposed_at=row["proposed_at"],
        decided_by=row.get("decided_by_name"), decided_by_name=row.get("decided_by_full"),
        decided_at=row["decided_at"], decision_comment=row["decision_comment"],
        evidence_ids=tuple(json.loads(row["evidence_ids"])),
        assessments=json.loads(row["assessments"]))


def event(row: dict) -> AuditEvent:
    if row["data"] is None:  # a batch event in a listing: its span, not its snapshots
        data = audit.batch_summary(row["entity_id"])
    else:
        data = row["data"] if isinstance(row["data"], dict) else audit.loads(row["data"])
    return AuditEvent(id=row["id"], at=row["at"], actor=row["actor"], action=row["action"],
                      entity=row["entity"], entity_id=row["entity_id"], data=data,
                      hash=row["hash"])


def evidence_facts(row: dict, attachments: int) -> EvidenceFacts:
    day = lambda v: dt.date.fromisoformat(v) if v else None  # noqa: E731
    return EvidenceFacts(
        id=row["id"], kind=row["kind"],
        level="stone" if row["stone_id"] is not None else "submission",
        reference=row["reference"], issuer=row["issuer"],
        issuing_country=row["issuing_country"], issued_on=day(row["issued_on"]),
        expires_on=day(row["expires_on"]),
        origin_countries=tuple(json.loads(row["origin_countries"] or "[]")),
        origin_type=row["origin_type"],
        transit_countries=tuple(json.loads(row["transit_countries"] or "[]")),
        processing_countries=tuple(json.loads(row.get("processing_countries") or "[]")),
        weight_mct=row["weight_mct"], value_cents=row["value_cents"],
        parcels=row["parcels"], hs_code=row["hs_code"], exporter=row["exporter"],
        importer=row["importer"], seller=row["seller"], buyer=row["buyer"],
        sow_statement=None if row["sow_statement"] is None else bool(row["sow_statement"]),
        platform=row["platform"], outside_russia_since=day(row["outside_russia_since"]),
        notes=row["notes"], attachments=attachments)


def candidate_facts(candidate: dict, evidence: list[dict], totals: tuple[int, int]
                     ) -> StoneFacts:
    """A re-assessment candidate's facts (``queries.reassessment_candidates``)."""
    return StoneFacts(
        number=candidate["number"], weight_mct=candidate["weight_mct"],
        identification=candidate["identification"],
        received_on=dt.date.fromisoformat(candidate["received_at"][:10]),
        submission_weight_mct=totals[1], submission_count=totals[0],
        evidence=tuple(evidence_facts(e, 0) for e in evidence),
        mounted=bool(candidate["mounted"]))


def rule_change(row: dict) -> RuleChange:
    return RuleChange(
        id=row["id"], stone=row["stone_number"], finding_id=row["finding_id"],
        finding_status=row["finding_status"], report=row["report_number"],
        jurisdiction=row["jurisdiction"], assessed_on=row["assessed_on"],
        old_ruleset=row["old_ruleset"], new_ruleset=row["new_ruleset"],
        old_outcome=row["old_outcome"], new_outcome=row["new_outcome"],
        worse=bool(row["worse"]), rules=tuple(json.loads(row["rules"])),
        found_at=row["found_at"], status=row["status"],
        decided_by=row["decided_by_name"], decided_at=row["decided_at"],
        decision_note=row["decision_note"])


def stone_return(row: dict) -> StoneReturn:
    """A row of ``queries.RETURN_SELECT`` as the record the facade hands out."""
    return StoneReturn(
        id=row["id"], receipt=row["receipt"], stone=row["stone_number"],
        client_ref=row["client_ref"], weight=format_weight(row["weight_mct"]),
        weight_mct=row["weight_mct"], from_state=row["from_state"],
        report=row["report_number"], report_status=row["report_status"],
        collected_by=row["collected_by"], id_document=row["id_document"],
        note=row["note"], returned_by=row["returned_by_name"],
        returned_by_name=row["returned_by_full"], returned_at=row["returned_at"])
