"""Returns to the client: stones handed back against a signature, the receipt the
collector signs, and a stone's custody (received from the client, returned to them).

A return is a signature (the staff member's password re-entered, as an approval is):
every stone named goes back, or none does.  A stone goes back once, from ``reported``
(with its report) or, ungraded, from ``received`` or ``rejected``; never while its
finding is under review or approved without a report (``workflow.check_can_return``).
A returned stone takes no further work.

A service of the ``Lab`` facade (``labdesk.lab.facade``): called with the door's lock
held, it never takes it again and reaches the other services through its context.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from labdesk.core import fields as parse
from labdesk.core import workflow
from labdesk.core.records import CustodyEvent, Return
from labdesk.core.weights import format_weight
from labdesk.errors import LabError, NotFound, ValidationError
from labdesk.reports import receipt as receipt_pdf
from labdesk.store import queries, writes
from labdesk.store import rows as as_record
from labdesk.store.disk import write_atomically

#: The most stones one receipt lists (a parcel handed back whole).
MOST_STONES = 5000


class Returns:
    """The ``Lab`` facade's returns work."""

    def __init__(self, ctx):
        self.ctx = ctx

    @property
    def db(self):
        return self.ctx.db

    def return_stones(self, stone_numbers, collected_by: str, note: str = "",
                      id_document: str | None = None, password: str | None = None
                      ) -> Return:
        """Hand ``stone_numbers`` back to their client: who collected them (and the
        identity document seen), when, and the staff member's signature.  Every stone
        goes back on one receipt, or none does (the first refusal names its stone).
        Returns the receipt, with its PDF made (``receipt_path``)."""
        actor = self.ctx.require_actor()
        numbers = self._numbers(stone_numbers)
        who = parse.optional_text(collected_by, "collected_by", 200)
        if not who:
            raise ValidationError("collected_by: name the person who collects the stones",
                                  field="collected_by")
        document = parse.optional_text(id_document, "id_document", 200)
        text = parse.optional_text(note, "note", 2000)

        def guard() -> list[dict]:
            found = [self.ctx.stone_row(number) for number in numbers]
            for row in found:
                workflow.check_can_return(actor, row["number"], row["state"])
            clients = sorted({row["client_name"] for row in found})
            if len(clients) > 1:
                raise ValidationError(f"stones: one receipt is for one client's stones; "
                                      f"these belong to {', '.join(clients)}",
                                      field="stones")
            return found

        def work(found: list[dict], signature: dict) -> str:
            first = queries.next_id(self.db, "returns")
            receipt = f"RET-{first:06d}"
            for index, row in enumerate(found):
                report = queries.latest_report_of_stone(self.db, row["id"]) \
                    if row["state"] == "reported" else None
                writes.insert(self.db, "returns", {
                    "id": first + index, "receipt": receipt, "stone_id": row["id"],
                    "from_state": row["state"],
                    "report_id": report["id"] if report else None,
                    "collected_by": who, "id_document": document, "note": text,
                    "returned_by": actor.id, "returned_at": signature["at"]},
                    actor.username, "stone.return", stone_id=row["id"],
                    submission_id=row["submission_id"], signature=signature)
                self.ctx.findings.set_state(row, "returned", actor, receipt=receipt)
            return receipt

        receipt = self.ctx.write(guard, work, before=lambda: self.ctx.signature(
            "return to the client", password))
        made = self.record(receipt)
        try:
            return self._with_pdf(made, None)
        except LabError as exc:  # the return stands; only its paper is missing
            raise LabError(f"the stones were returned on receipt {receipt}, but the "
                           f"receipt's PDF could not be written ({exc}); make it again "
                           f"with 'labdesk return --reprint {receipt}'") from exc

    def _numbers(self, stone_numbers) -> list[str]:
        if isinstance(stone_numbers, (str, bytes)):
            stone_numbers = [stone_numbers]
        numbers = [parse.stone_number_text(n) for n in (stone_numbers or [])]
        numbers = [n for n in numbers if n]
        if not numbers:
            raise ValidationError("stones: name at least one stone to return",
                                  field="stones")
        if len(numbers) > MOST_STONES:
            raise ValidationError(f"stones: {len(numbers)} stones; one receipt lists at "
                                  f"most {MOST_STONES}", field="stones")
        twice = sorted({n for n in numbers if numbers.count(n) > 1})
        if twice:
            raise ValidationError(f"stones: {', '.join(twice)} named more than once",
                                  field="stones")
        return numbers

    def record(self, receipt: str) -> Return:
        found = queries.returns_of_receipt(self.db, receipt)
        if not found:
            raise NotFound(f"receipt: no receipt {receipt}", field="receipt")
        first = found[0]
        stones = tuple(as_record.stone_return(r) for r in found)
        return Return(
            receipt=receipt, client=first["client_name"],
            submission=", ".join(dict.fromkeys(r["submission_number"] for r in found)),
            collected_by=first["collected_by"], id_document=first["id_document"],
            note=first["note"], returned_by=first["returned_by_name"],
            returned_by_name=first["returned_by_full"], returned_at=first["returned_at"],
            stones=stones)

    def receipt(self, receipt) -> Return:
        """A receipt by its number (``RET-000001``)."""
        self.ctx.require_reader()
        return self.record(parse.number_text(receipt))

    def receipt_pdf(self, receipt, path=None) -> Path:
        """The receipt's PDF (made again from the records: the same bytes every time);
        with ``path``, written there, else into the home's ``cache/receipts/``."""
        self.ctx.require_reader()
        return self._with_pdf(self.record(parse.number_text(receipt)), path).receipt_path

    def _with_pdf(self, made: Return, path) -> Return:
        """``made`` with its receipt's PDF written (to ``path``, or the cache)."""
        settings = self.ctx.accounts.settings()
        logo = self.ctx.documents.read(settings["logo"]) if settings.get("logo") else None
        data = receipt_pdf.ReceiptData(
            number=made.receipt, returned_at=made.returned_at,
            returned_on=_when(made.returned_at), lab_name=settings["lab_name"],
            lab_address=settings.get("address") or "",
            accreditation=settings.get("accreditation") or "", logo=logo,
            paper_size=settings.get("paper_size", "A4"), client=made.client,
            submissions=made.submission, collected_by=made.collected_by,
            id_document=made.id_document or "", note=made.note or "",
            staff=made.returned_by_name,
            signed=f"signed electronically as {made.returned_by}, {_when(made.returned_at)}",
            total_weight=format_weight(made.total_weight_mct),
            stones=[receipt_pdf.ReceiptStone(
                number=s.stone, client_ref=s.client_ref or "", weight=s.weight,
                report=_report_words(s)) for s in made.stones])
        target = Path(path) if path is not None else \
            self.ctx.home / "cache" / "receipts" / f"{made.receipt}.pdf"
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, receipt_pdf.build(data), mode=0o644,
                         action=f"writing receipt {made.receipt}")
        return replace(made, receipt_path=target)

    def custody(self, stone_no) -> list[CustodyEvent]:
        """Who had the stone: received from its client (the submission), and, when it
        went back, returned to whoever collected it.  Oldest first."""
        self.ctx.require_reader()
        row = self.ctx.stone_row(stone_no)
        intake = queries.intake_of_stone(self.db, row["id"])
        events = [CustodyEvent(at=intake["received_at"], kind="received",
                               party=intake["client_name"],
                               staff=intake["received_by_full"],
                               receipt=intake["submission_number"])]
        back = queries.return_of_stone(self.db, row["id"])
        if back is not None:
            events.append(CustodyEvent(at=back["returned_at"], kind="returned",
                                       party=back["collected_by"],
                                       staff=back["returned_by_full"],
                                       id_document=back["id_document"],
                                       note=back["note"], receipt=back["receipt"]))
        return events


def _when(moment: str) -> str:
    """'2026-11-29T10:15:02.123Z' -> '2026-11-29 10:15 UTC'."""
    return f"{moment[:10]} {moment[11:16]} UTC" if moment else ""


def _report_words(stone) -> str:
    """The report that went back with a stone, as the receipt prints it."""
    if stone.report is None:
        return "Returned ungraded (no report)"
    return stone.report  # its status now is not printed: a reprint is the receipt signed
