"""Reports: issuing (signed claim, PDF, record: all or nothing), revoking,
verifying a claim, the revocation list and verify site, the signing keys.

A service of the ``Lab`` facade (``labdesk.lab.facade``): called with the door's lock
held, it never takes it again and reaches the other services through its context.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from labdesk.core import fields as parse
from labdesk.core import voids, workflow
from labdesk.core.stones import missing_for_report
from labdesk.core.records import (Page, Report, SigningKey, Verification)
from labdesk.core.workflow import Actor
from labdesk.errors import (IntegrityError, NotFound, StateError, ValidationError,
                            storage_error)
from labdesk.reports import claims, content, keys, pdf, stamp
from labdesk.store import audit, pg_documents, queries, writes
from labdesk.store import rows as as_record
from labdesk.store.connection import transaction, utcnow
from labdesk.store.disk import (read_verified, remove_dead_writers_temporary_files,
                                write_atomically)


class Reports:
    """The ``Lab`` facade's reports work."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.reports_swept = False   # reports/ swept of unrecorded PDFs once per Lab
        self.stamped: dict[Path, str] = {}  # stamped copies made: path -> SHA-256

    @property
    def db(self):
        return self.ctx.db

    def signing_key(self):
        row = queries.active_signing_key(self.db)
        if row is None:
            raise IntegrityError("the lab has no active signing key")
        if self.ctx.on_server and not (self.ctx.home / "keys" / f"{row['kid']}.key").exists():
            raise StateError("this desk holds no signing key, so it cannot issue reports: "
                             "an admin exports the key at a desk that holds it (labdesk "
                             "keys export-private) and imports it here (labdesk keys "
                             "import-private)")
        return row["kid"], keys.load_private(self.ctx.home / "keys", row["kid"])

    def export_private_key(self, path, passphrase: str) -> Path:
        """Write the active signing key, encrypted with ``passphrase``, to ``path`` (an
        admin's act, audited): for a desk of the lab that is to issue reports."""
        actor = self.ctx.require_actor()
        workflow.check_admin(actor, "export the signing key")
        row = queries.active_signing_key(self.db)
        if row is None:
            raise IntegrityError("the lab has no active signing key")
        data = keys.export_private(self.ctx.home / "keys", row["kid"], passphrase)
        target = Path(path)
        with transaction(self.db):
            write_atomically(target, data, mode=0o600, action="exporting the signing key")
            # about the lab's keys, not a change to a signing_keys row (the check
            # compares those rows with their events)
            audit.record(self.db, actor.username, "key.export", "lab", "signing key",
                         kid=row["kid"], file=target.name)
        return target

    def import_private_key(self, path, passphrase: str) -> str:
        """Keep at this desk the signing key exported to ``path`` (an admin's act,
        audited); returns its id.  Only one of the lab's own keys is taken."""
        actor = self.ctx.require_actor()
        workflow.check_admin(actor, "import the signing key")
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ValidationError(f"key: {path} cannot be read ({exc.strerror or exc})",
                                  field="key") from None
        known = {r["kid"] for r in queries.signing_keys(self.db)}
        with transaction(self.db):
            kid = keys.import_private(self.ctx.home / "keys", data, passphrase, known)
            audit.record(self.db, actor.username, "key.import", "lab", "signing key",
                         kid=kid, desk=str(self.ctx.home))
        return kid

    def public_keys(self) -> dict:
        return {r["kid"]: keys.load_public(r["public_pem"])
                for r in queries.signing_keys(self.db)}

    def issue_report(self, stone_no) -> Report:
        """Sign the approved finding's claim, write the PDF and record the report, all or
        nothing.  A report issued after a reopening supersedes the earlier one.

        The PDF is written (fsynced, renamed) before the record is committed, so a record
        never lacks its PDF; a PDF whose record was not committed (the disk filled up, the
        process was killed) is removed or set aside in ``reports/orphans/``, never left
        under a report's name.  A full or read-only disk is one ``LabError``."""
        actor = self.ctx.require_actor()
        self.check_issuable(actor, self.ctx.stone_row(stone_no))  # refuse early
        self.signing_key()  # refuses an exposed or missing key before any work
        self.ctx.findings.reassess_as(actor)  # new rules first: they may hold this very
        #                                       stone (checked again in the transaction)
        written: list[tuple[Path, str]] = []
        try:
            with transaction(self.db):
                row = self.ctx.stone_row(stone_no)  # again under the write lock: another
                self.check_issuable(actor, row)  # window may have issued it meanwhile
                kid, private = self.signing_key()  # or rotated the key
                settings = self.ctx.accounts.settings()
                stone = as_record.stone(row)
                finding = self.ctx.reads.current_finding(row)
                submission = self.ctx.reads.submission_row_record(row["submission_id"])
                client = queries.client_by_name(self.db, submission.client)
                evidence = self.ctx.evidence.evidence_list(
                    queries.evidence_for_stone(self.db, row["id"], row["submission_id"]))
                logo = self.ctx.documents.read(settings["logo"]) if settings.get("logo") \
                    else None
                earlier = [r for r in queries.reports_for_stone(self.db, row["id"])
                           if r["status"] == "superseded" and not r["superseded_by"]]
                issued_at = utcnow()
                today = issued_at[:10]
                report_id = queries.next_id(self.db, "reports")
                number = f"{settings['report_prefix']}{today[2:4]}-{report_id:06d}"
                body = content.claim(number, today, kid, settings["lab_name"], stone,
                                     finding)
                token = claims.sign(private, body)
                url = settings.get("verify_url") or ""
                qr_text = f"{url}#{token}" if url else token
                supersedes = earlier[-1]["number"] if earlier else None
                data = content.page(number, today, settings, logo, stone, submission,
                                    as_record.client(client) if client else None, finding, evidence,
                                    actor.full_name, issued_at, qr_text, supersedes)
                pdf_bytes = pdf.build(data)
                if self.ctx.on_server:
                    # the archive is the database's copy, written in this transaction
                    # (no file at the desk under the lab's write lock: each desk caches
                    # it when first read)
                    sha = hashlib.sha256(pdf_bytes).hexdigest()
                    pg_documents.store_bytes(self.db, sha, pdf_bytes)
                else:
                    path = self.report_path(number)
                    self.set_aside_unrecorded_reports(number)
                    sha = write_atomically(path, pdf_bytes,
                                           action=f"issuing the report of {row['number']}")
                    written.append((path, number))
                stored = writes.insert(self.db, "reports", {
                    "id": report_id, "number": number, "stone_id": row["id"],
                    "finding_id": finding.id, "kid": kid,
                    "claim": claims.canonical_bytes(body).decode(), "token": token,
                    "qr_text": qr_text, "pdf_sha256": sha, "status": "issued",
                    "issued_by": actor.id, "issued_at": issued_at,
                    "supersedes": supersedes},
                    actor.username, "report.issue", stone_id=row["id"],
                    submission_id=row["submission_id"])
                if supersedes:
                    writes.update(self.db, "reports", earlier[-1]["id"],
                                  {"superseded_by": number}, actor.username,
                                  "report.supersede", stone_id=row["id"],
                                  submission_id=row["submission_id"])
                self.ctx.findings.set_state(row, "reported", actor)
        except BaseException as exc:
            self.ctx.roll_back_if_left_open()
            for path, number in written:  # its record was not committed: never issued
                self.remove_unrecorded_pdf(path, number)
            error = storage_error(exc, f"issuing the report of {parse.stone_number_text(stone_no)}")
            if error is not None:
                raise error from exc
            raise
        return self.report_record(stored)

    def report_path(self, number: str) -> Path:
        """Where the report's archived PDF is read: the home's ``reports/`` (on a desk
        of a PostgreSQL lab, its cache of the database's copies: ``archived_pdf``)."""
        return self.ctx.home / "reports" / f"{number}.pdf"

    def archived_pdf(self, row: dict, *, verify: bool = False) -> Path:
        """The path of report ``row``'s archived PDF.  On a desk of a PostgreSQL lab
        (any desk may have issued it) the database's copy is cached there when absent,
        and with ``verify`` also when the cached file is another's (a database restored
        to an earlier point gives numbers again); listing reports hashes no file."""
        path = self.report_path(row["number"])
        if self.ctx.on_server and (not path.is_file() or
                                   (verify and not _holds(path, row["pdf_sha256"]))):
            if path.exists():
                os.chmod(path, 0o644)
            write_atomically(path, self.ctx.documents.read(row["pdf_sha256"]),
                             mode=0o444, action=f"caching report {row['number']}")
        return path

    def report_record(self, row: dict) -> Report:
        people = {r["id"]: r["username"] for r in queries.users(self.db)}
        return Report(
            id=row["id"], number=row["number"],
            stone=queries.stone_number_by_id(self.db, row["stone_id"]),
            status=row["status"], token=row["token"], qr_text=row["qr_text"],
            pdf_path=self.archived_pdf(row), pdf_sha256=row["pdf_sha256"],
            kid=row["kid"], claim=json.loads(row["claim"]),
            issued_by=people.get(row["issued_by"], "?"), issued_at=row["issued_at"],
            supersedes=row["supersedes"], superseded_by=row["superseded_by"],
            withdrawn_by=people.get(row["withdrawn_by"]), withdrawn_at=row["withdrawn_at"],
            withdrawn_reason=row["withdrawn_reason"])

    def report_row(self, report_no) -> dict:
        number = parse.number_text(report_no)
        row = queries.report_by_number(self.db, number)
        if row is None:
            raise NotFound(f"report: no report {number}", field="report")
        return row

    def report(self, report_no) -> Report:
        self.ctx.require_reader()
        return self.report_record(self.report_row(report_no))

    def reports(self, *, status: str | None = None, stone_no=None, offset: int = 0,
                limit: int = 100) -> Page:
        self.ctx.require_reader()
        stone_id = self.ctx.stone_row(stone_no)["id"] if stone_no is not None else None
        rows, total = queries.list_reports(self.db, status=status, stone_id=stone_id,
                                           offset=offset, limit=limit)
        return Page(items=tuple(self.report_record(r) for r in rows), total=total,
                    offset=offset, limit=limit)

    def report_pdf(self, report_no, path=None, *, original: bool = False) -> Path:
        """The PDF of a report as LabDesk shows, prints and saves it; with ``path``, a
        copy written there.  The archived original is read and checked against the
        SHA-256 recorded at issue.  A revoked or superseded report's PDF is that original
        stamped with its withdrawal across every page (``labdesk.reports.stamp``): derived
        data, kept in the home's ``cache/stamped/``, never in the archive.  ``original``
        gives the archived PDF as issued (the evidence; check and backups read it too)."""
        self.ctx.require_reader()
        row = self.report_row(report_no)
        source = self.archived_pdf(row, verify=True)
        data = read_verified(source, row["pdf_sha256"], f"report {row['number']}")
        notice = None if original else self.withdrawal(row)
        if path is None:
            return source if notice is None else self.stamped_copy(row, data, notice)
        if notice is not None:
            data = stamp.stamp(data, notice)
        target = Path(path)
        write_atomically(target, data, mode=0o644)
        return target

    def withdrawal(self, row: dict) -> stamp.Withdrawal | None:
        """What a withdrawn report's stamp says (None for a report that stands)."""
        successor = row["superseded_by"]
        successor_row = queries.report_by_number(self.db, successor) if successor else None
        return stamp.withdrawal(row["status"], row["withdrawn_at"], row["withdrawn_reason"],
                                successor, successor_row["issued_at"] if successor_row
                                else None)

    def stamped_copy(self, row: dict, original: bytes, notice: stamp.Withdrawal) -> Path:
        """The stamped copy's path in the cache, made (again) when this ``Lab`` has not
        made it yet or the file differs from what it made; older copies of the report
        (another notice) are removed."""
        number = row["number"]
        folder = self.ctx.home / "cache" / "stamped"
        target = folder / f"{number}-{stamp.cache_key(row['pdf_sha256'], notice)}.pdf"
        made = self.stamped.get(target)
        if made is not None and target.is_file() and \
                hashlib.sha256(target.read_bytes()).hexdigest() == made:
            return target
        self.stamped[target] = write_atomically(
            target, stamp.stamp(original, notice), mode=0o644,
            action=f"stamping the copy of withdrawn report {number}")
        for old in folder.glob("*.pdf"):
            if old != target and old.stem.rsplit("-", 1)[0] == number:
                old.unlink(missing_ok=True)
        return target

    def revoke_report(self, report_no, reason: str, password: str | None = None) -> Report:
        """Withdraw an issued report (supervisor, reason); a signature, like an approval.
        The next revocation list names it, so verifiers see it as revoked."""
        actor = self.ctx.require_actor()

        def guard() -> dict:
            row = self.report_row(report_no)
            workflow.check_can_revoke(actor, row["number"], row["status"])
            return row

        row = guard()
        text = workflow.check_reason(reason, "revocation")
        stone_submission = queries.stone_submission_id(self.db, row["stone_id"])

        def work(row: dict, signature: dict) -> dict:
            stored, _ = writes.update(self.db, "reports", row["id"], {
                "status": "revoked", "withdrawn_by": actor.id,
                "withdrawn_at": signature["at"], "withdrawn_reason": text},
                actor.username, "report.revoke", stone_id=row["stone_id"],
                submission_id=stone_submission, signature=signature)
            self.ctx.findings.settle_changes(actor, "revoked", text, signature["at"],
                                             report_id=row["id"])
            return stored

        return self.report_record(self.ctx.write(
            guard, work, before=lambda: self.ctx.signature("revocation", password)))

    def verify(self, text) -> Verification:
        """Check a token, a URL with the token after '#', or QR text against the lab's
        records, for a logged-in user (``AuthError`` otherwise: the records say why a
        report was withdrawn; anyone may check with the public key instead).  Never
        raises for the text: the result's ``status`` and ``problems`` say what is wrong."""
        self.ctx.require_reader()
        parsed = claims.check_token(text, self.public_keys())
        if not parsed.valid:
            return Verification(valid=False, status=parsed.status, claim=parsed.claim,
                                problems=tuple(parsed.problems),
                                report=parsed.claim.get("n") if parsed.claim else None)
        number = parsed.claim["n"]
        row = queries.report_by_number(self.db, number)
        if row is None:
            return Verification(valid=True, status="valid", claim=parsed.claim,
                                problems=(f"the signature is the lab's, but this "
                                          f"workstation has no record of report {number}",),
                                report=number)
        if row["token"] != claims.extract_token(text):
            return Verification(valid=False, status="forged", claim=parsed.claim,
                                problems=(f"the claim differs from report {number} as "
                                          f"issued",), report=number)
        if row["status"] == "revoked":
            return Verification(valid=False, status="revoked", claim=parsed.claim,
                                problems=(f"report {number} was revoked on "
                                          f"{row['withdrawn_at'][:10]}: "
                                          f"{row['withdrawn_reason']}",),
                                report=number, reason=row["withdrawn_reason"])
        if row["status"] == "superseded":
            successor = row["superseded_by"]
            return Verification(valid=False, status="superseded", claim=parsed.claim,
                                problems=(f"report {number} was superseded" +
                                          (f" by {successor}" if successor else
                                           "; a corrected report is pending") +
                                          f": {row['withdrawn_reason']}",),
                                report=number, successor=successor,
                                reason=row["withdrawn_reason"])
        return Verification(valid=True, status="valid", claim=parsed.claim, report=number)

    def read_qr_codes(self, path) -> list[str]:
        """The text of every QR code in a photo, scan or PDF (for Verify and the search
        box); ``ValidationError`` for a file that is neither."""
        from labdesk.reports.scan import decode_file
        return decode_file(path)

    def revocation_list(self) -> str:
        """The signed list of withdrawn reports (revoked and superseded), for publishing
        next to the verify page.  ``superseded`` (an extension) maps each superseded report
        to its successor."""
        kid, private = self.signing_key()
        withdrawn = queries.withdrawn_reports(self.db)
        return claims.sign_revocations(
            private, kid, utcnow()[:19] + "Z", [r["number"] for r in withdrawn],
            superseded={r["number"]: r["superseded_by"] for r in withdrawn
                        if r["status"] == "superseded"})

    def publish(self, outdir) -> list[Path]:
        """Write the static verification site (index.html, revocations.txt, keys) for the
        lab's verify URL; run it again after a revocation to refresh the list."""
        from labdesk.reports import site
        pems = {r["kid"]: r["public_pem"] for r in queries.signing_keys(self.db)}
        revocations = self.revocation_list()
        return self.ctx.storage_guarded("publishing the verify site", lambda: site.publish(
            Path(outdir), self.ctx.accounts.settings()["lab_name"], pems, revocations))

    def signing_keys(self) -> list[SigningKey]:
        return [SigningKey(kid=r["kid"], public_pem=r["public_pem"],
                           created_at=r["created_at"], retired_at=r["retired_at"])
                for r in queries.signing_keys(self.db)]

    def export_public_keys(self, path=None) -> str:
        """Every public key (retired ones too, so old reports still verify) as PEM."""
        text = "".join(r["public_pem"] for r in queries.signing_keys(self.db))
        if path is not None:
            write_atomically(Path(path), text.encode(), mode=0o644)
        return text

    def rotate_key(self) -> SigningKey:
        """A new key signs from now on; the old one is retired, still known to verify."""
        actor = self.ctx.require_actor()
        workflow.check_admin(actor, "rotate the signing key")
        kid, pem = keys.new_key(self.ctx.home / "keys")
        now = utcnow()
        with transaction(self.db):
            for old in queries.signing_keys(self.db):
                if old["retired_at"] is None:
                    writes.update(self.db, "signing_keys", old["id"], {"retired_at": now},
                                  actor.username, "key.retire")
            writes.insert(self.db, "signing_keys", {"kid": kid, "public_pem": pem,
                                                     "created_at": now, "retired_at": None},
                          actor.username, "key.create")
        return SigningKey(kid=kid, public_pem=pem, created_at=now, retired_at=None)

    def check_issuable(self, actor: Actor, row: dict) -> None:
        workflow.check_can_issue(actor, row["number"], row["state"],
                                 self.ctx.accounts.settings()["report_issuers"])
        voids.check_not_voided(row["number"], row["submission_number"],
                               row.get("voided_at"), "issue a report for it")
        finding = queries.current_finding(self.db, row["id"])
        held = [c for c in queries.rule_changes(self.db, status="open",
                                                finding_id=finding["id"]) if c["worse"]] \
            if finding else []
        if held:
            moves = "; ".join(f"{c['jurisdiction']} {c['old_outcome']} -> {c['new_outcome']} "
                              f"under {c['new_ruleset']}" for c in held)
            raise StateError(f"{row['number']}: the origin rules changed after its finding "
                             f"was made ({moves}); a supervisor keeps the finding or reopens "
                             f"it (Review page, or labdesk rules settle) before a report is "
                             f"issued")
        missing = missing_for_report(row["identification"])
        if missing:
            raise StateError(f"{row['number']} cannot be reported: {'; '.join(missing)}. "
                             f"Reopen the stone and record its identification.")

    def set_aside_unrecorded_reports(self, number: str) -> None:
        """Under the write lock, before report ``number`` is written: move report PDFs that
        no record names (a process was killed between writing a PDF and committing its
        record) to ``reports/orphans/``, and remove the temporary files of killed writers.
        The whole folder is swept once per ``Lab``; after that only ``number``'s path."""
        folder = self.ctx.home / "reports"
        if self.reports_swept:
            candidates = [self.report_path(number)]
        else:
            candidates = sorted(folder.glob("*.pdf"))
            remove_dead_writers_temporary_files(folder)
        leftovers = [p for p in candidates if p.is_file()]
        if leftovers:
            recorded = {r["number"] for r in queries.all_reports(self.db)}
            stamp = utcnow()[:19].replace(":", "")
            for path in leftovers:
                if path.stem not in recorded:
                    orphans = folder / "orphans"
                    orphans.mkdir(exist_ok=True)
                    os.replace(path, orphans / f"{path.stem}-{stamp}.pdf")
        self.reports_swept = True

    def remove_unrecorded_pdf(self, path: Path, number: str) -> None:
        """After a failed issue: the PDF written for ``number`` whose record was rolled
        back is removed (it was never issued; its claim must not circulate)."""
        try:
            if queries.report_by_number(self.db, number) is None:
                path.unlink(missing_ok=True)
        except Exception:  # noqa: BLE001 - the sweep at the next issue sets it aside
            pass


def _holds(path: Path, sha256: str) -> bool:
    """Whether the file at ``path`` is there and hashes to ``sha256``."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == sha256
    except OSError:
        return False
