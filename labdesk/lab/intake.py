"""Stones coming in: receiving a submission (typed or from a packing list), their
grading facts, intake labels.

A service of the ``Lab`` facade (``labdesk.lab.facade``): called with the door's lock
held, it never takes it again and reaches the other services through its context.
"""
from __future__ import annotations

from pathlib import Path

from labdesk.core import fields as parse
from labdesk.core import declared, voids, workflow
from labdesk.core.records import (Client, Stone, Submission)
from labdesk.core.settings import label_size, parse_setting
from labdesk.core.stones import held_refs_message, parse_stone_fields, stone_number
from labdesk.core.weights import MAX_PARCEL_MCT, format_weight, parse_weight
from labdesk.errors import DuplicateIntake, NotFound, ValidationError
from labdesk.reports import labels
from labdesk.store import queries, writes
from labdesk.store import rows as as_record
from labdesk.store.connection import transaction, utcnow
from labdesk.store.disk import write_atomically
from labdesk.store.documents import safe_filename


class Intake:
    """The ``Lab`` facade's intake work."""

    def __init__(self, ctx):
        self.ctx = ctx

    @property
    def db(self):
        return self.ctx.db

    def receive(self, client, stones: list[dict], reference: str | None = None,
                received_at=None, declared_count: int | None = None,
                declared_weight=None, *, left_out=(), source_sha256: str | None = None,
                progress=None, allow_duplicates: bool = True) -> Submission:
        """Record a submission of ``stones`` from ``client`` (a name; created if new).

        All or nothing: every stone is checked first, and one ``ValidationError`` lists
        every problem with its row (1-based position in ``stones``).

        With ``allow_duplicates=False`` a list whose client references the lab already
        holds for that client (in a submission not voided) is refused with
        ``DuplicateIntake`` naming the earlier submissions (checked again under the write
        lock).
        """
        actor = self.ctx.require_actor()
        workflow.require_role(actor, *workflow.ROLES, action="receive stones")
        client_name = parse.client_name(client.name if isinstance(client, Client) else client)
        if not isinstance(stones, (list, tuple)) or not stones:
            raise ValidationError("stones: a submission needs at least one stone",
                                  field="stones")
        parsed = parse.parse_stone_rows(stones)
        when = parse.parse_received_at(received_at)
        ref = parse.optional_text(reference, "reference", 100)
        count = parse.optional_count(declared_count, "declared_count")
        declared_mct = (parse_weight(declared_weight, "declared_weight", MAX_PARCEL_MCT)
                        if declared_weight not in (None, "") else None)
        now = utcnow()
        db = self.db
        refs = [p.get("client_ref") for p in parsed if p.get("client_ref")]
        if not allow_duplicates:
            self.refuse_held_refs(client_name, refs)
        with transaction(db):
            if not allow_duplicates:
                self.refuse_held_refs(client_name, refs)   # under the write lock
            client_row = queries.client_by_name(db, client_name)
            if client_row is None:
                client_row = writes.insert(db, "clients", {
                    "name": client_name, "address": None, "contact": None,
                    "created_at": now}, actor.username, "client.add")
            sub_id = queries.next_id(db, "submissions")
            sub = writes.insert(db, "submissions", {
                "id": sub_id, "number": f"SUB-{sub_id:06d}", "client_id": client_row["id"],
                "reference": ref, "received_at": when, "declared_count": count,
                "declared_weight_mct": declared_mct, "source_file": source_sha256,
                "received_by": actor.id, "created_at": now}, actor.username,
                "submission.receive", submission_id=sub_id,
                left_out=list(left_out))
            first = queries.next_id(db, "stones")
            blank = dict.fromkeys(writes.columns(db, "stones"))
            rows = [{**blank, **values, "id": first + index,
                     "number": stone_number(first + index), "submission_id": sub_id,
                     "state": "received", "created_at": now, "updated_at": now}
                    for index, values in enumerate(parsed)]
            for start in range(0, len(rows), 1000):
                writes.insert_rows(db, "stones", rows[start:start + 1000], actor.username,
                                   "stone.receive", submission_id=sub_id, one_event=True)
                if progress:
                    progress(min(start + 1000, len(rows)), len(rows))
        stones_made = tuple(as_record.stone({**row, "submission_number": sub["number"],
                                    "received_at": when, "client_name": client_row["name"]})
                            for row in rows)
        return Submission(id=sub_id, number=sub["number"], client=client_row["name"],
                          reference=ref, received_at=when, declared_count=count,
                          declared_weight=format_weight(declared_mct) or None,
                          received_by=actor.username, stones=stones_made,
                          left_out=tuple(left_out),
                          warnings=tuple(declared.discrepancies(
                              count, declared_mct, len(rows),
                              sum(r["weight_mct"] for r in rows), "the submission holds")))

    def held_client_refs(self, client, refs) -> list[dict]:
        """Of ``refs``, the client references the lab already holds for ``client`` in a
        submission not voided: ``client_ref``, ``stone``, ``submission``,
        ``received_at`` each, first received first."""
        self.ctx.require_actor()
        name = str(client.name if isinstance(client, Client) else client or "").strip()
        row = queries.client_by_name(self.db, name) if name else None
        if row is None:
            return []
        return [{"client_ref": r["client_ref"], "stone": r["number"],
                 "submission": r["submission_number"], "received_at": r["received_at"]}
                for r in queries.client_refs_held(self.db, row["id"], list(refs))]

    def refuse_held_refs(self, client_name: str, refs: list[str]) -> None:
        earlier = self.held_client_refs(client_name, refs)
        if earlier:
            listed = len({str(r).casefold() for r in refs})
            known = queries.client_by_name(self.db, client_name)["name"]
            raise DuplicateIntake(held_refs_message(known, earlier, listed), earlier)

    def void_submission(self, number, reason: str, password: str | None = None
                        ) -> Submission:
        """Void a submission received by mistake (supervisor, with a reason; a
        signature when ``password`` is given).  Its stones are kept, shown as voided,
        and nothing is proposed or issued from them.  Refused while any of its stones
        has a finding under review, approved or reported."""
        actor = self.ctx.require_actor()
        sub_no = parse.number_text(number)

        def guard() -> dict:
            row = queries.submission_by_number(self.db, sub_no)
            if row is None:
                raise NotFound(f"submission: no submission {sub_no}", field="submission")
            voids.check_can_void(actor, row["number"], row["voided_at"],
                                 queries.frozen_stone_of(self.db, row["id"]))
            return row

        guard()
        text = workflow.check_reason(reason, "void")

        def work(row: dict, signature) -> dict:
            at = signature["at"] if signature else utcnow()
            extra = {"signature": signature} if signature else {}
            writes.update(self.db, "submissions", row["id"], {
                "voided_at": at, "voided_by": actor.id, "void_reason": text},
                actor.username, "submission.void", submission_id=row["id"], reason=text,
                stones=queries.submission_stone_count(self.db, row["id"]), **extra)
            return row

        before = (lambda: self.ctx.signature("voiding", password)) \
            if password is not None else None
        row = self.ctx.write(guard, work, before=before)
        return self.ctx.reads.submission_record(row["number"])

    def preview_packing_list(self, path):
        """Read a packing list without saving anything: its stones, the columns read and
        left out; ``ValidationError`` listing every problem."""
        from labdesk.core.packing_list import read_packing_list
        return read_packing_list(path)

    def import_packing_list(self, path, client, reference: str | None = None,
                            received_at=None, progress=None, declared_count=None,
                            declared_weight=None, allow_duplicates: bool = False
                            ) -> Submission:
        """Receive every stone of a dealer's packing list (CSV or XLSX), all or nothing.

        The file itself is kept in the document store as the intake's record: the very
        bytes that were read (the file is read once).

        A list whose client references the lab already holds for that client (the same
        list imported twice) is refused with ``DuplicateIntake`` naming the earlier
        submission, unless ``allow_duplicates=True``; nothing is saved then.
        """
        from labdesk.core.packing_list import read_packing_list_file
        self.ctx.require_actor()
        client_name = parse.client_name(client.name if isinstance(client, Client)
                                        else client)
        parse.parse_received_at(received_at)
        parse.optional_text(reference, "reference", 100)
        data, packing = read_packing_list_file(path)
        if not allow_duplicates:   # before the file is stored: a refusal changes nothing
            self.refuse_held_refs(client_name, [s.get("client_ref") for s in packing.stones
                                                if s.get("client_ref")])
        name = safe_filename(Path(path).name)
        sha = self.ctx.documents.put_bytes(data, name)
        return self.ctx.storage_guarded(f"importing {name}", lambda: self.receive(
            client, packing.stones, reference=reference, received_at=received_at,
            declared_count=declared_count, declared_weight=declared_weight,
            left_out=packing.left_out, source_sha256=sha, progress=progress,
            allow_duplicates=allow_duplicates))

    def update_stone(self, stone_no, **fields) -> Stone:
        """Change grading facts of a stone that is not locked."""
        actor = self.ctx.require_actor()
        workflow.require_role(actor, *workflow.ROLES, action="change grading facts")
        row = self.ctx.stone_row(stone_no)
        workflow.check_editable(row["number"], row["state"], "its grading facts")
        changes = parse_stone_fields(fields, partial=True)
        merged = {k: row[k] for k in ("identification", "growth_method")}
        merged.update({k: v for k, v in changes.items() if k in merged})
        from labdesk.core.stones import check_consistency
        check_consistency(merged)
        changes = {k: v for k, v in changes.items() if row[k] != v}
        with transaction(self.db):
            current = self.ctx.stone_row(stone_no)  # under the write lock
            workflow.check_editable(current["number"], current["state"],
                                    "its grading facts")
            if changes:
                changes["updated_at"] = utcnow()
            writes.update(self.db, "stones", row["id"], changes, actor.username,
                          "stone.update", submission_id=row["submission_id"])
        return self.ctx.reads.stone(row["number"])

    def labels_pdf(self, stone_numbers, path, size=None) -> Path:
        """The stones' envelope labels, for printing at reception: on ``size`` stock
        (a ``LABEL_SIZES`` key), by default the lab's label size setting."""
        self.ctx.require_actor()
        settings = self.ctx.accounts.settings()
        size = label_size(settings) if size is None else parse_setting("label_size", size)
        rows = [self.ctx.stone_row(n) for n in stone_numbers]
        if not rows:
            raise ValidationError("stones: name at least one stone", field="stones")
        data = labels.build([labels.Label(number=r["number"], client_ref=r["client_ref"] or "",
                                          weight=format_weight(r["weight_mct"]),
                                          client=r["client_name"],
                                          received=r["received_at"][:10]) for r in rows],
                            settings["lab_name"], size or label_size(settings))
        target = Path(path)
        write_atomically(target, data, mode=0o644)
        return target
