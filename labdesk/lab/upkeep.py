"""Looking after the lab: the integrity check, backups, the search index.

A service of the ``Lab`` facade (``labdesk.lab.facade``): called with the door's lock
held, it never takes it again and reaches the other services through its context.
"""
from __future__ import annotations

import json
from pathlib import Path

from labdesk.core import workflow
from labdesk.core.records import CheckResult
from labdesk.errors import (IntegrityError, StateError, ValidationError)
from labdesk.lab import desks, moving
from labdesk.reports import keys
from labdesk.store import audit, backup as backups, queries, schema, search_index
from labdesk.store.connection import transaction, utcnow
from labdesk.store.disk import read_verified
from labdesk.store.pg_documents import DatabaseDocumentStore


class Upkeep:
    """The ``Lab`` facade's upkeep work."""

    def __init__(self, ctx):
        self.ctx = ctx

    @property
    def db(self):
        return self.ctx.db

    def check(self, progress=None) -> CheckResult:
        """Check the database, the audit chain against every table, and every document,
        for a logged-in user (the problems it names are the lab's records).

        Reads its own snapshot of the database and takes the lock only to ask who is
        logged in: every other call goes on meanwhile (the window stays live for the
        30-50 s a million stones take).  ``progress(step, done, total)`` is called now
        and then.
        """
        with self.ctx.door:
            self.ctx.require_reader()
        return self.integrity(progress)

    def integrity(self, progress=None) -> CheckResult:
        """``check`` without asking who reads: a backup being restored is checked
        before anyone can log in to it."""
        problems: list[str] = []
        report = lambda step, done, total: progress and progress(step, done, total)  # noqa
        report("database", 0, 1)
        with self.ctx.snapshot() as db:
            problems.extend(queries.database_problems(db))
            chain = audit.verify(db, lambda d, t: report("audit", d, t))
            problems.extend(chain.problems)
            problems.extend(search_index.problems(db))
            documents = list(queries.all_document_hashes(db))
            logo = json.loads(queries.settings(db).get("logo") or "null")
            if logo:
                documents.append((logo, "the lab's logo"))
            reports = list(queries.all_reports(db))
            records = queries.counts(db)
            if self.ctx.on_server:  # the database's copies, read through the snapshot
                stored = DatabaseDocumentStore(db, self.ctx.home / "cache" / "documents")
                problems.extend(self._documents_problems(
                    reports, documents, stored.verify_stored, report,
                    lambda row: stored.verify_stored(row["pdf_sha256"])))
        problems.extend(f"keys: {problem}" for problem in keys.exposure(self.ctx.home / "keys"))
        if not self.ctx.on_server:
            problems.extend(self._documents_problems(
                reports, documents, self.ctx.documents.verify, report,
                lambda row: read_verified(self.ctx.reports.report_path(row["number"]),
                                          row["pdf_sha256"], f"report {row['number']}")))
        return CheckResult(ok=not problems, problems=tuple(problems), events=chain.events,
                           documents=len(documents), records=records)

    @staticmethod
    def _documents_problems(reports, documents, verify, report, verify_report) -> list[str]:
        """Each report's archived PDF and each document, checked against its SHA-256."""
        problems = []
        for row in reports:
            try:
                verify_report(row)
            except IntegrityError as exc:
                text = str(exc)
                if row["number"] not in text:
                    text = f"report {row['number']}: {text}"
                problems.append(f"reports: {text}")
        for index, (sha, what) in enumerate(documents):
            try:
                verify(sha)
            except (IntegrityError, ValidationError) as exc:
                problems.append(f"documents: {what}: {exc}")
            if index % 100 == 0:
                report("documents", index, len(documents))
        return problems

    def backup(self, path=None, progress=None) -> Path:
        """Write a backup zip (default: the home's ``backups/`` folder); returns its path.

        The copy is made from a snapshot of its own, outside the door: only the checks
        before and the audit event after take it."""
        with self.ctx.door:
            actor = self.ctx.require_actor()
        if path is None:
            stamp = utcnow()[:19].replace(":", "").replace("-", "")
            path = self.ctx.home / "backups" / f"labdesk-{stamp}.zip"
        path = Path(path)
        if path.is_dir():
            raise ValidationError(f"backup: {path} is a folder; name the backup file",
                                  field="backup")
        with self.ctx.snapshot() as db:
            if self.ctx.on_server:  # the same portable zip, restorable into either backend
                manifest = self.ctx.storage_guarded(
                    f"writing the backup {path.name}",
                    lambda: moving.backup_from_server(db, self.ctx.home, path, progress),
                    own_connection=True)
            else:
                manifest = backups.create(db.conn, self.ctx.home, path, schema.version(db),
                                          progress)  # one LabError for a full disk

        def record():
            with transaction(self.db):
                audit.record(self.db, actor.username, "lab.backup", "lab", "backup",
                             file=path.name, files=len(manifest["files"]))

        with self.ctx.door:
            self.ctx.storage_guarded(f"recording the backup {path.name}", record)
        return path

    def rebuild_search_index(self) -> int:
        """Index every stone for search again (an admin's repair when ``check()`` reports
        the index incomplete); returns how many stones are indexed."""
        actor = self.ctx.require_actor()
        workflow.check_admin(actor, "rebuild the search index")
        with transaction(self.db):
            count = search_index.rebuild(self.db)
            audit.record(self.db, actor.username, "lab.reindex", "lab", "search index",
                         stones=count)
        return count

    def move_to_server(self, database: str, progress=None) -> None:
        """Copy this SQLite lab into the empty PostgreSQL database ``database`` (an
        admin's act, audited here first so that the server's chain holds it too); the
        facade then turns the home into a desk.  The lab must pass its check first."""
        actor = self.ctx.require_actor()
        workflow.check_admin(actor, "move the lab to a server")
        if self.ctx.on_server:
            raise StateError("this lab is already on a server")
        result = self.integrity(progress)
        if not result.ok:
            raise IntegrityError("the lab fails its check; it is not moved: "
                                 + "; ".join(result.problems[:5]))
        moving.check_names_stay_apart(self.db)
        # under SQLite's write lock from first read to last: no other window writes
        # meanwhile, and once it is committed the file refuses every later write
        with transaction(self.db):
            audit.record(self.db, actor.username, "lab.move", "lab", "database",
                         to=desks.pg.describe(database))
            moving.move_to_server(self.ctx.home, self.db, database, self.ctx.home)
            schema.mark_moved(self.db)
