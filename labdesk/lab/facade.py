"""The ``Lab`` facade: the one door through which the UI and the CLI act (design.md).

``Lab`` is flat: each method is the name design.md promises, guarded by the door (one
call at a time per open lab; the GUI calls from worker threads) and handed to the service
that does the work, one module per job:

* ``accounts``: logging in, the wait after wrong passwords, users, settings, clients;
* ``intake``: receiving stones (typed or from a packing list), their facts, labels;
* ``evidence``: origin evidence and its scanned documents;
* ``findings``: assessments, proposals, the four-eyes review, reopening, rules changes;
* ``reports``: issuing, revoking and verifying reports, the verify site, the keys;
* ``reads``: what the pages show;
* ``returns``: stones handed back to the client, their receipts and custody;
* ``upkeep``: the integrity check, backups, the search index.

The services share a ``LabContext`` (the home, the database, who is logged in, and the
one write helper: guard, begin the write, guard again).  They never call back through the
door: the door refuses to be entered twice by one thread.  ``check`` and ``backup`` read
their own snapshot of the database without the door, so that every other call goes on
while they run.  No Qt here, no SQL here: SQL lives in ``labdesk.store``.
"""
from __future__ import annotations

import functools
import os
import threading
from pathlib import Path

from labdesk.core.records import (Attachment, AuditEvent, CheckResult, Client,
                                  CustodyEvent, Evidence, Finding, Page, Report, Return,
                                  RuleChange, RulesReview, SigningKey, Stone, StoneDetail,
                                  Submission, User, Verification)
from labdesk.errors import IntegrityError, LabError
from labdesk.lab import creation, desks, moving
from labdesk.lab.accounts import Accounts
from labdesk.lab.context import DB_NAME, LabContext
from labdesk.lab.evidence import EvidenceService
from labdesk.lab.exports import CompliancePack, Exports
from labdesk.lab.findings import Findings
from labdesk.lab.intake import Intake
from labdesk.lab.reads import Reads
from labdesk.lab.dashboard import DashboardService
from labdesk.core.dashboard import Dashboard
from labdesk.lab.reports import Reports
from labdesk.lab.returns import Returns
from labdesk.lab.upkeep import Upkeep
from labdesk.store import backup as backups, changes, queries, schema
from labdesk.store.connection import connect, utcnow

FOLDERS = creation.FOLDERS


class Door:
    """One facade call at a time per ``Lab``.  A service that called back through the
    door would wait for itself for ever, so a second entry by the thread already inside
    is refused at once."""

    def __init__(self):
        self._lock = threading.Lock()
        self._owner: int | None = None

    def __enter__(self):
        me = threading.get_ident()
        if self._owner == me:
            raise RuntimeError("the Lab's door was entered again from inside: a service "
                               "must not call the facade")
        self._lock.acquire()
        self._owner = me
        return self

    def __exit__(self, *exc):
        self._owner = None
        self._lock.release()


def _door(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._ctx.door:
            return method(self, *args, **kwargs)
    return wrapper


class Lab:
    """A lab's home folder opened: its database, documents, reports and keys."""

    def __init__(self, home: Path, db):
        self._ctx = ctx = LabContext(home, db)
        ctx.door = Door()
        ctx.accounts = self._accounts = Accounts(ctx)
        ctx.intake = self._intake = Intake(ctx)
        ctx.evidence = self._evidence = EvidenceService(ctx)
        ctx.findings = self._findings = Findings(ctx)
        ctx.reports = self._reports = Reports(ctx)
        ctx.reads = self._reads = Reads(ctx)
        ctx.upkeep = self._upkeep = Upkeep(ctx)
        ctx.returns = self._returns = Returns(ctx)
        self._dashboard = DashboardService(ctx)
        self._exports = Exports(ctx)
        self._watch = None

    @property
    def home(self) -> Path:
        return self._ctx.home

    @property
    def documents(self):
        return self._ctx.documents

    @property
    def _db(self):
        """The database (tests and the benchmark's bulk builder reach it here)."""
        return self._ctx.db

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def init(cls, home, lab_name: str, admin_username: str, admin_password: str,
             admin_name: str, database: str | None = None, **settings) -> "Lab":
        """Create a new lab in ``home`` (which must hold no lab yet) with its first admin;
        built whole beside it, then moved into place (an interrupted creation leaves
        nothing in ``home``).  The returned lab is logged in as that admin.

        ``database``: a PostgreSQL address (``postgresql://user@host/db``, no password)
        of an empty database that is to hold the lab's records for several desks;
        ``home`` is then the first desk (its settings, cache and the signing key).
        """
        row = creation.create(Path(home), lab_name, admin_username, admin_password,
                              admin_name, settings, database)
        lab = cls.open(home)
        lab._ctx.log_in(row)
        return lab

    @classmethod
    def join(cls, home, database: str) -> "Lab":
        """Make ``home`` (absent or empty) a new desk of the lab whose records are in the
        PostgreSQL database ``database``; returned open, nobody logged in.  The desk
        holds no signing key until one is imported (``import_private_key``)."""
        desks.join(Path(home), database)
        return cls.open(home)

    @classmethod
    def open(cls, home) -> "Lab":
        """Open an existing lab; ``LabError`` when ``home`` holds none or a damaged one."""
        home = Path(home)
        if desks.is_desk(home):
            db = desks.open_database(desks.dsn_of(home))
            for folder in desks.DESK_FOLDERS:
                (home / folder).mkdir(parents=True, exist_ok=True)
            return cls(home, db)
        path = home / DB_NAME
        if not path.is_file():
            raise LabError(f"no lab in {home} (no {DB_NAME}); create one with "
                           f"'labdesk init' or open the demo lab")
        try:
            db = connect(path)
            current = schema.version(db)
            if current == 0:
                db.close()
                raise LabError(f"{path} is not a LabDesk lab (an empty or foreign "
                               f"database); create a lab in a new folder")
            if current < schema.LATEST:
                stamp = utcnow().replace(":", "").replace("-", "")[:15]
                schema.migrate(db, home / "backups" / f"before-v{schema.LATEST}-{stamp}.db")
            elif current == schema.MOVED:
                db.close()
                raise LabError(f"{path} was moved to a lab server; its home is a desk of "
                               f"that server now")
            elif current > schema.LATEST:
                schema.migrate(db)  # raises with a message naming both versions
        except LabError:
            raise
        except Exception as exc:  # sqlite3.DatabaseError: not a database, damaged...
            raise LabError(f"{path} cannot be opened as a LabDesk database: {exc}") from exc
        if not queries.users(db):
            db.close()
            raise LabError(f"{path} holds no users: the lab's creation was interrupted. "
                           f"Move the folder aside and create the lab again.")
        for folder in FOLDERS:
            (home / folder).mkdir(parents=True, exist_ok=True)
        return cls(home, db)

    @classmethod
    def restore(cls, path, home, database: str | None = None) -> "Lab":
        """Restore a backup into a new home; the restored lab must pass ``check()``.

        ``database``: restore onto a PostgreSQL server instead (an empty database);
        ``home`` becomes a desk of it, holding the backup's signing keys."""
        staging = backups.unpack(Path(path), Path(home))
        if database is not None:
            try:
                return cls._restore_to_server(staging, Path(home), database)
            finally:
                if staging.exists():
                    backups.discard(staging)
        try:
            lab = cls.open(staging)
            try:
                result = lab._upkeep.integrity()  # before anyone can log in
            finally:
                lab.close()
            if not result.ok:
                raise IntegrityError("the restored lab fails its check: "
                                     + "; ".join(result.problems[:5]))
            backups.install(staging, Path(home))  # one rename: all of the lab or none
        except BaseException:
            if staging.exists():
                backups.discard(staging)
            raise
        return cls.open(home)

    @classmethod
    def _restore_to_server(cls, staging: Path, home: Path, database: str) -> "Lab":
        lab = cls.open(staging)
        try:
            result = lab._upkeep.integrity()  # before anyone can log in
            if not result.ok:
                raise IntegrityError("the restored lab fails its check: "
                                     + "; ".join(result.problems[:5]))
            desk = home.with_name(f".{home.name}.restoring-{os.getpid()}")
            moving.move_to_server(staging, lab._ctx.db, database, desk)
        finally:
            lab.close()
        desks.write_desk(desk, database)
        os.replace(desk, home)
        return cls.open(home)

    @_door
    def move_to_server(self, database: str, progress=None) -> "Lab":
        """Move this SQLite lab into the empty PostgreSQL database ``database`` (an
        admin's act): records, chain, documents, report PDFs and keys, in one transaction
        on the server; then this home becomes the lab's first desk (its SQLite files set
        aside in ``moved-to-server-*/``, never deleted).  The lab must pass its check
        first.  Returns the lab opened from its new home; this ``Lab`` is closed."""
        ctx = self._ctx
        self._upkeep.move_to_server(database, progress)
        ctx.log_out()
        ctx.db.close()
        moving.set_aside_sqlite_files(ctx.home)
        desks.write_desk(ctx.home, database)
        return Lab.open(ctx.home)

    @_door
    def close(self) -> None:
        if self._watch is not None:
            self._watch.close()
            self._watch = None
        self._ctx.log_out()
        self._ctx.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def database(self) -> str:
        """Where this lab's records are, as a person is told: 'SQLite: <file>' or
        'PostgreSQL <db> on <host:port>' (the status bar, ``labdesk status``)."""
        if self._ctx.on_server:
            return self._ctx.db.description
        return f"SQLite: {self._ctx.db_path}"

    def changed(self) -> bool:
        """Whether the lab's records changed since the last call (another window, another
        desk, or this one): the window polls it to refresh its pages.  Never waits for a
        lock and takes no door (the first call starts the watch and says False)."""
        if self._watch is None:
            self._watch = changes.watch(self._ctx.db, self._ctx.db_path)
            return False
        return self._watch.changed()

    @property
    def on_server(self) -> bool:
        """Whether the lab's records are on a PostgreSQL server shared by several desks."""
        return self._ctx.on_server

    @property
    def user(self) -> User | None:
        """The logged-in user, or None (as they were when they last acted)."""
        return self._ctx.user

    # ------------------------------------------------------------------ accounts: sessions, settings, users, clients

    @_door
    def login(self, username: str, password: str) -> User:
        return self._accounts.login(username, password)

    @_door
    def logout(self) -> None:
        return self._accounts.logout()

    @_door
    def reauthenticate(self, password: str) -> None:
        return self._accounts.reauthenticate(password)

    @_door
    def settings(self) -> dict:
        return self._accounts.settings()

    @_door
    def update_settings(self, **values) -> dict:
        return self._accounts.update_settings(**values)

    @_door
    def set_logo(self, path) -> str:
        return self._accounts.set_logo(path)

    @_door
    def add_user(self, username: str, full_name: str, role: str, password: str) -> User:
        return self._accounts.add_user(username, full_name, role, password)

    @_door
    def set_user_active(self, username: str, active: bool) -> User:
        return self._accounts.set_user_active(username, active)

    @_door
    def deactivate_user(self, username: str) -> User:
        return self._accounts.deactivate_user(username)

    @_door
    def set_password(self, username: str, new_password: str,
                     old_password: str | None = None) -> None:
        return self._accounts.set_password(username, new_password, old_password)

    @_door
    def users(self) -> list[User]:
        return self._accounts.users()

    @_door
    def unlock_user(self, username: str) -> User:
        return self._accounts.unlock_user(username)

    @_door
    def add_client(self, name: str, address: str | None = None,
                   contact: str | None = None) -> Client:
        return self._accounts.add_client(name, address, contact)

    @_door
    def update_client(self, client: str, **fields) -> Client:
        return self._accounts.update_client(client, **fields)

    @_door
    def clients(self, prefix: str | None = None) -> list[Client]:
        return self._accounts.clients(prefix)

    # ------------------------------------------------------------------ intake

    @_door
    def receive(self, client, stones: list[dict], reference: str | None = None,
                received_at=None, declared_count: int | None = None,
                declared_weight=None, *, left_out=(), source_sha256: str | None = None,
                progress=None, allow_duplicates: bool = True) -> Submission:
        return self._intake.receive(client, stones, reference, received_at, declared_count, declared_weight, left_out=left_out, source_sha256=source_sha256, progress=progress, allow_duplicates=allow_duplicates)

    @_door
    def held_client_refs(self, client, refs) -> list[dict]:
        return self._intake.held_client_refs(client, refs)

    @_door
    def void_submission(self, number, reason: str, password: str | None = None
                        ) -> Submission:
        return self._intake.void_submission(number, reason, password)

    @_door
    def preview_packing_list(self, path):
        return self._intake.preview_packing_list(path)

    @_door
    def import_packing_list(self, path, client, reference: str | None = None,
                            received_at=None, progress=None, declared_count=None,
                            declared_weight=None, allow_duplicates: bool = False
                            ) -> Submission:
        return self._intake.import_packing_list(path, client, reference, received_at, progress, declared_count, declared_weight, allow_duplicates)

    @_door
    def update_stone(self, stone_no, **fields) -> Stone:
        return self._intake.update_stone(stone_no, **fields)

    @_door
    def labels_pdf(self, stone_numbers, path, size: str | None = None) -> Path:
        return self._intake.labels_pdf(stone_numbers, path, size)

    # ------------------------------------------------------------------ evidence and documents

    @_door
    def add_evidence(self, target, kind: str, **fields) -> Evidence:
        return self._evidence.add_evidence(target, kind, **fields)

    @_door
    def update_evidence(self, evidence_id: int, **fields) -> Evidence:
        return self._evidence.update_evidence(evidence_id, **fields)

    @_door
    def attach(self, evidence_id: int, path) -> Attachment:
        return self._evidence.attach(evidence_id, path)

    @_door
    def document_path(self, sha256: str) -> Path:
        return self._evidence.document_path(sha256)

    @_door
    def attachment(self, attachment_id: int) -> Attachment:
        return self._evidence.attachment(attachment_id)

    @_door
    def evidence(self, evidence_id: int) -> Evidence:
        return self._evidence.evidence(evidence_id)

    @_door
    def submission_evidence(self, number) -> list[Evidence]:
        return self._evidence.submission_evidence(number)

    # ------------------------------------------------------------------ findings and rules changes

    @_door
    def assess(self, stone_no, jurisdiction: str = "EU", on=None):
        return self._findings.assess(stone_no, jurisdiction, on)

    @_door
    def propose_finding(self, stone_no, origin: str, mining_country: str | None = None,
                        statement: str = "") -> Finding:
        return self._findings.propose_finding(stone_no, origin, mining_country, statement)

    @_door
    def approve(self, stone_no, comment: str = "", password: str | None = None) -> Finding:
        return self._findings.approve(stone_no, comment, password)

    @_door
    def reject(self, stone_no, reason: str, password: str | None = None) -> Finding:
        return self._findings.reject(stone_no, reason, password)

    @_door
    def reopen(self, stone_no, reason: str, password: str | None = None) -> Stone:
        return self._findings.reopen(stone_no, reason, password)

    @_door
    def rules_review_needed(self) -> dict[str, str]:
        return self._findings.rules_review_needed()

    @_door
    def reassess(self, progress=None) -> RulesReview:
        return self._findings.reassess(progress)

    @_door
    def rule_changes(self, status: str | None = "open", stone_no=None) -> list[RuleChange]:
        return self._findings.rule_changes(status, stone_no)

    @_door
    def settle_rule_change(self, change_id: int, decision: str, note: str,
                           password: str | None = None) -> RuleChange:
        return self._findings.settle_rule_change(change_id, decision, note, password)

    # ------------------------------------------------------------------ reports, verification, keys

    @_door
    def issue_report(self, stone_no) -> Report:
        return self._reports.issue_report(stone_no)

    @_door
    def report(self, report_no) -> Report:
        return self._reports.report(report_no)

    @_door
    def reports(self, *, status: str | None = None, stone_no=None, offset: int = 0,
                limit: int = 100) -> Page:
        return self._reports.reports(status=status, stone_no=stone_no, offset=offset, limit=limit)

    @_door
    def report_pdf(self, report_no, path=None, *, original: bool = False) -> Path:
        return self._reports.report_pdf(report_no, path, original=original)

    @_door
    def revoke_report(self, report_no, reason: str, password: str | None = None) -> Report:
        return self._reports.revoke_report(report_no, reason, password)

    @_door
    def verify(self, text) -> Verification:
        return self._exports.verify(text)

    @_door
    def read_qr_codes(self, path) -> list[str]:
        return self._reports.read_qr_codes(path)

    @_door
    def revocation_list(self) -> str:
        return self._reports.revocation_list()

    @_door
    def publish(self, outdir) -> list[Path]:
        return self._reports.publish(outdir)

    @_door
    def signing_keys(self) -> list[SigningKey]:
        return self._reports.signing_keys()

    @_door
    def export_public_keys(self, path=None) -> str:
        return self._reports.export_public_keys(path)

    @_door
    def rotate_key(self) -> SigningKey:
        return self._reports.rotate_key()

    @_door
    def export_private_key(self, path, passphrase: str) -> Path:
        return self._reports.export_private_key(path, passphrase)

    @_door
    def import_private_key(self, path, passphrase: str) -> str:
        return self._reports.import_private_key(path, passphrase)

    # ------------------------------------------------------------------ returns to the client

    @_door
    def return_stones(self, stone_numbers, collected_by: str, note: str = "",
                      id_document: str | None = None, password: str | None = None
                      ) -> Return:
        return self._returns.return_stones(stone_numbers, collected_by, note, id_document, password)

    @_door
    def return_receipt(self, receipt) -> Return:
        return self._returns.receipt(receipt)

    @_door
    def return_receipt_pdf(self, receipt, path=None) -> Path:
        return self._returns.receipt_pdf(receipt, path)

    @_door
    def custody(self, stone_no) -> list[CustodyEvent]:
        return self._returns.custody(stone_no)

    # ------------------------------------------------------------------ reads

    @_door
    def stone(self, stone_no) -> Stone:
        return self._reads.stone(stone_no)

    @_door
    def stone_detail(self, stone_no) -> StoneDetail:
        return self._reads.stone_detail(stone_no)

    @_door
    def jurisdictions(self) -> tuple[str, ...]:
        return self._reads.jurisdictions()

    @_door
    def submission(self, number) -> Submission:
        return self._reads.submission(number)

    @_door
    def stones(self, *, state: str | None = None, client: str | None = None,
               search: str | None = None, received_from=None, received_to=None,
               order: str = "number", descending: bool = False, offset: int = 0,
               limit: int = 100, count: bool = True) -> Page:
        return self._reads.stones(state=state, client=client, search=search, received_from=received_from, received_to=received_to, order=order, descending=descending, offset=offset, limit=limit, count=count)

    @_door
    def review_queue(self) -> list[Finding]:
        return self._reads.review_queue()

    @_door
    def finding(self, stone_no) -> Finding | None:
        return self._reads.finding(stone_no)

    @_door
    def history(self, stone_no) -> list[AuditEvent]:
        return self._reads.history(stone_no)

    @_door
    def audit_events(self, *, actor: str | None = None, action: str | None = None,
                     date_from=None, date_to=None, offset: int = 0,
                     limit: int = 200) -> Page:
        return self._reads.audit_events(actor=actor, action=action, date_from=date_from, date_to=date_to, offset=offset, limit=limit)

    @_door
    def audit_event(self, event_id: int) -> AuditEvent:
        return self._reads.audit_event(event_id)

    @_door
    def audit_actions(self) -> list[str]:
        return self._reads.audit_actions()

    @_door
    def find(self, text: str) -> list[tuple[str, str]]:
        return self._reads.find(text)

    @_door
    def counts(self) -> dict:
        return self._reads.counts()

    @_door
    def dashboard(self, now=None) -> Dashboard:
        return self._dashboard.dashboard(now)

    @_door
    def review_count(self) -> int:
        return self._dashboard.review_count()

    # ------------------------------------------------------------------ upkeep

    def check(self, progress=None) -> CheckResult:
        return self._upkeep.check(progress)

    def backup(self, path=None, progress=None) -> Path:
        return self._upkeep.backup(path, progress)

    @_door
    def rebuild_search_index(self) -> int:
        return self._upkeep.rebuild_search_index()

    # ------------------------------------------------------------------ exports (issue 17)

    def export_stones(self, path, *, state: str | None = None, client: str | None = None,
                      search: str | None = None, received_from=None, received_to=None,
                      order: str = "number", descending: bool = False,
                      progress=None) -> int:
        return self._exports.export_stones(path, state=state, client=client, search=search, received_from=received_from, received_to=received_to, order=order, descending=descending, progress=progress)

    def export_audit(self, path, date_from, date_to, progress=None) -> int:
        return self._exports.export_audit(path, date_from, date_to, progress)

    @_door
    def compliance_pack(self, submission, outdir, on=None) -> CompliancePack:
        return self._exports.compliance_pack(submission, outdir, on)

    @_door
    def verify_pack(self, path) -> Verification:
        return self._exports.verify_pack(path)
