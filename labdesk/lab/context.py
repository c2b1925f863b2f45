"""What the services of the ``Lab`` facade share: the lab's home, its database and
documents, who is logged in, and the few steps every service takes (who acts, a
signature, a stone by its number, a write that is checked before and again inside its
transaction, a full disk turned into one message)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, TypeVar

from labdesk.core import fields as parse
from labdesk.core.records import User
from labdesk.core.workflow import Actor
from labdesk.errors import AuthError, NotFound, storage_error
from labdesk.store import queries, rows
from labdesk.store.connection import (is_pg, roll_back_if_left_open, snapshot_of,
                                      transaction, utcnow)
from labdesk.store.documents import DocumentStore
from labdesk.store.pg_documents import DatabaseDocumentStore

T = TypeVar("T")

DB_NAME = "labdesk.db"


class LabContext:
    """One open lab's shared state; the services find each other here
    (``ctx.findings``, ``ctx.reports``...)."""

    def __init__(self, home: Path, db):
        self.home = Path(home)
        self.db = db
        if is_pg(db):  # a desk of a lab on a PostgreSQL server (lab.desks)
            self.db_path = None
            self.documents = DatabaseDocumentStore(db, self.home / "cache" / "documents")
        else:
            self.db_path = self.home / DB_NAME
            self.documents = DocumentStore(self.home / "documents")
        self.actor: Actor | None = None
        self.user: User | None = None
        self.door = None           # the facade's Door: only check and backup take it
        # the services, set by the facade
        self.accounts = self.intake = self.evidence = self.findings = None
        self.reports = self.reads = self.upkeep = None

    def write(self, guard: Callable[[], T], work: Callable[[T, object], object], *,
              before: Callable[[], object] | None = None):
        """The one way a checked change is written.

        ``guard()`` checks the change (and returns what ``work`` needs) once before the
        transaction, so that a refusal costs nothing and comes before any password is
        asked; then ``before()`` runs, if given (a signature: the password asked again);
        then, in one transaction, ``guard()`` checks once more, under SQLite's write lock
        (another window or desk may have changed the lab in between), and
        ``work(checked, before's result)`` writes, with its audit events."""
        guard()
        ready = before() if before is not None else None
        with transaction(self.db):
            return work(guard(), ready)

    def log_in(self, row: dict) -> User:
        """``row`` (a user's) acts from now on."""
        self.actor, self.user = rows.actor(row), rows.user(row)
        return self.user

    def log_out(self) -> None:
        self.actor = self.user = None

    def require_actor(self) -> Actor:
        """Who acts, as the database says now: ``AuthError`` when nobody is logged in or
        the account was deactivated meanwhile (by an admin at another desk)."""
        if self.actor is None:
            raise AuthError("nobody is logged in")
        row = queries.user_by_id(self.db, self.actor.id)
        if not row or not row["active"]:
            self.log_out()
            raise AuthError("this account was deactivated; log in again")
        self.log_in(row)
        return self.actor

    def require_reader(self) -> Actor:
        """Who reads the lab's records (stones, submissions, evidence, findings, reports,
        history, the audit trail, the check): a logged-in, active user, since ISO/IEC
        17025 and 21 CFR 11.10(d) limit access to authorised people.  ``AuthError`` with
        one sentence otherwise.  Only a report's verification with the lab's public key
        needs no one (``labdesk verify --public-key``)."""
        if self.actor is None:
            raise AuthError("the lab's records are shown only to a logged-in user: log in "
                            "first")
        return self.require_actor()

    def signature(self, meaning: str, password: str | None) -> dict:
        """A signature's manifestation (21 CFR 11): printed name, time, meaning."""
        actor = self.require_actor()
        if password is not None:
            self.accounts.reauthenticate(password)
        return {"signer": actor.username, "name": actor.full_name, "at": utcnow(),
                "meaning": meaning, "reauthenticated": password is not None}

    def stone_row(self, stone_no, field: str = "stone") -> dict:
        number = parse.stone_number_text(stone_no)
        row = queries.stone_by_number(self.db, number)
        if row is None:
            raise NotFound(f"{field}: no stone {number}", field=field)
        return row

    def storage_guarded(self, action: str, write, *, own_connection: bool = False):
        """``write()``, with a full or read-only disk (file system or SQLite) turned into
        one ``LabError`` naming ``action``; anything else goes through unchanged.

        ``own_connection``: the work read its own snapshot outside the door, so the lab's
        connection is not rolled back (another thread may be in the middle of a write on
        it)."""
        try:
            return write()
        except Exception as exc:
            if not own_connection:
                self.roll_back_if_left_open()
            error = storage_error(exc, action)
            if error is None:
                raise
            raise error from exc

    def roll_back_if_left_open(self) -> None:
        """After a failed COMMIT (a full disk) SQLite may leave the transaction open; the
        next write would then join it and never be committed."""
        roll_back_if_left_open(self.db.conn)

    @property
    def on_server(self) -> bool:
        """Whether the lab's records are on a PostgreSQL server (several desks)."""
        return is_pg(self.db)

    def snapshot(self):
        """A read-only snapshot of the lab's database (``check``, ``backup``)."""
        return snapshot_of(self.db, self.db_path)
