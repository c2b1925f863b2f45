"""The origin evidence of a stone or a parcel, its scanned documents, and whether
it may still change.

A service of the ``Lab`` facade (``labdesk.lab.facade``): called with the door's lock
held, it never takes it again and reaches the other services through its context.
"""
from __future__ import annotations

from pathlib import Path

from labdesk.core import evidence as evidence_rules
from labdesk.core import fields as parse
from labdesk.core import workflow
from labdesk.core.records import (Attachment, Evidence)
from labdesk.errors import (NotFound, ValidationError)
from labdesk.store import queries, writes
from labdesk.store import rows as as_record
from labdesk.store.connection import transaction, utcnow
from labdesk.store.documents import safe_filename


class EvidenceService:
    """The ``Lab`` facade's evidence work."""

    def __init__(self, ctx):
        self.ctx = ctx

    @property
    def db(self):
        return self.ctx.db

    def add_evidence(self, target, kind: str, **fields) -> Evidence:
        """Record a document that came with a stone (``target`` a stone number) or with a
        whole submission (``target`` a submission number: it covers every stone)."""
        actor = self.ctx.require_actor()
        workflow.require_role(actor, *workflow.ROLES, action="record evidence")
        kind = evidence_rules.parse_kind(kind)
        values = evidence_rules.parse_evidence_fields(kind, fields)
        self.evidence_target(target)  # refuse early
        now = utcnow()
        with transaction(self.db):
            stone_id, submission_id, audit_sub = self.evidence_target(target)  # locked
            row = writes.insert(self.db, "evidence", {
                "stone_id": stone_id, "submission_id": submission_id, "kind": kind,
                **values, "created_by": actor.id, "created_at": now, "updated_at": now},
                actor.username, "evidence.add", stone_id=stone_id,
                submission_id=audit_sub)
        return self.evidence_record(row)

    def evidence_target(self, target) -> tuple[int | None, int | None, int]:
        """(stone id, submission id, the submission it belongs to) for new evidence on a
        stone or a whole submission, after checking that it may change now."""
        text = parse.number_text(target)
        if text.startswith("SUB-"):
            sub = queries.submission_by_number(self.db, text)
            if sub is None:
                raise NotFound(f"target: no submission {text}", field="target")
            self.check_parcel_editable(sub["id"], text)
            return None, sub["id"], sub["id"]
        stone = self.ctx.stone_row(target, field="target")
        workflow.check_editable(stone["number"], stone["state"], "its evidence")
        return stone["id"], None, stone["submission_id"]

    def update_evidence(self, evidence_id: int, **fields) -> Evidence:
        actor = self.ctx.require_actor()

        def guard() -> dict:
            row = self.evidence_row(evidence_id)
            self.check_evidence_editable(row)
            return row

        row = guard()
        values = evidence_rules.parse_evidence_fields(row["kind"], fields, partial=True)
        values = {k: v for k, v in values.items() if row[k] != v}

        def work(row: dict, _ready) -> dict:
            if values:
                values["updated_at"] = utcnow()
            stored, _ = writes.update(self.db, "evidence", row["id"], values,
                                      actor.username, "evidence.update",
                                      stone_id=row["stone_id"],
                                      submission_id=self.evidence_submission(row))
            return stored

        return self.evidence_record(self.ctx.write(guard, work))

    def attach(self, evidence_id: int, path) -> Attachment:
        """Attach a scanned document (PDF or image) to evidence; stored by SHA-256.

        The file is refused before it is read when it is over the lab's size limit; it is
        copied in constant memory, and what is checked (type, completeness) is the copy
        that is stored.  A full or read-only disk is one ``LabError``; nothing changes."""
        actor = self.ctx.require_actor()
        row = self.evidence_row(evidence_id)
        self.check_evidence_editable(row)
        path = Path(path)
        limit = self.ctx.accounts.settings()["max_attachment_mb"] * 1_000_000
        self.ctx.documents.check_file(path, limit)  # refuse early, before copying anything
        checked = {}

        def check(copy):
            checked["size"], checked["media_type"] = self.ctx.documents.check_file(
                copy, limit, name=path.name)

        sha = self.ctx.documents.put(path, limit, check=check)

        def record():
            with transaction(self.db):
                current = self.evidence_row(row["id"])  # again under the write lock:
                self.check_evidence_editable(current)  # another window may have approved
                return writes.insert(self.db, "attachments", {
                    "evidence_id": row["id"], "sha256": sha,
                    "filename": safe_filename(path.name), "size": checked["size"],
                    "media_type": checked["media_type"], "created_by": actor.id,
                    "created_at": utcnow()}, actor.username, "attachment.add",
                    stone_id=row["stone_id"], submission_id=self.evidence_submission(row))

        stored = self.ctx.storage_guarded(f"attaching {safe_filename(path.name)}", record)
        return as_record.attachment(stored, actor.username)

    def document_path(self, sha256: str) -> Path:
        """The path of a stored document, after verifying its hash (IntegrityError)."""
        self.ctx.require_reader()
        return self.ctx.documents.verify(sha256)

    def attachment(self, attachment_id: int) -> Attachment:
        self.ctx.require_reader()
        row = queries.attachment_by_id(self.db, int(attachment_id))
        if row is None:
            raise NotFound(f"attachment: no attachment {attachment_id}", field="attachment")
        creator = queries.user_by_id(self.db, row["created_by"])
        return as_record.attachment(row, creator["username"])

    def evidence_row(self, evidence_id) -> dict:
        try:
            key = int(getattr(evidence_id, "id", evidence_id))
            if not 0 < key < 2 ** 63:
                raise ValueError(key)
        except (TypeError, ValueError, OverflowError):
            raise ValidationError(f"evidence_id: {evidence_id!r} is not an evidence id",
                                  field="evidence_id") from None
        row = queries.evidence_by_id(self.db, key)
        if row is None:
            raise NotFound(f"evidence_id: no evidence {key}", field="evidence_id")
        return row

    def evidence_submission(self, row: dict) -> int:
        if row["submission_id"] is not None:
            return row["submission_id"]
        return queries.stone_submission_id(self.db, row["stone_id"])

    def check_evidence_editable(self, row: dict) -> None:
        if row["stone_id"] is not None:
            stone = queries.stone_by_id(self.db, row["stone_id"])
            workflow.check_editable(stone["number"], stone["state"],
                                    f"its evidence ({row['id']})")
        else:
            self.check_parcel_editable(row["submission_id"], f"evidence {row['id']}")

    def check_parcel_editable(self, submission_id: int, what: str) -> None:
        """Parcel evidence covers every stone of the submission, so it changes only while
        none of them is under review or locked."""
        for number, state in queries.stone_states(self.db, submission_id):
            if state in ("proposed", *workflow.LOCKED_STATES):
                workflow.check_editable(number, state, f"the parcel evidence ({what})")

    def evidence_list(self, rows: list[dict]) -> list[Evidence]:
        attachments = queries.attachments_for(self.db, [r["id"] for r in rows])
        out = []
        for r in rows:
            mine = tuple(as_record.attachment(a, a["created_by_name"]) for a in attachments
                         if a["evidence_id"] == r["id"])
            out.append(self.evidence_record(r, mine))
        return out

    def evidence_record(self, row: dict, attachments=None) -> Evidence:
        if attachments is None:
            attachments = tuple(as_record.attachment(a, a["created_by_name"])
                                for a in queries.attachments_for(self.db, [row["id"]]))
        level = "stone" if row["stone_id"] is not None else "submission"
        target = queries.evidence_target_number(self.db, row)
        creator = queries.user_by_id(self.db, row["created_by"])
        return Evidence(id=row["id"], kind=row["kind"], target=target, level=level,
                        fields=evidence_rules.evidence_values(row),
                        created_by=creator["username"], created_at=row["created_at"],
                        locked=queries.evidence_locked(self.db, row),
                        attachments=attachments)

    def evidence(self, evidence_id: int) -> Evidence:
        self.ctx.require_reader()
        return self.evidence_record(self.evidence_row(evidence_id))

    def submission_evidence(self, number) -> list[Evidence]:
        self.ctx.require_reader()
        row = queries.submission_by_number(self.db, parse.number_text(number))
        if row is None:
            raise NotFound(f"submission: no submission {number}", field="submission")
        return self.evidence_list(queries.evidence_for_submission(self.db, row["id"]))
