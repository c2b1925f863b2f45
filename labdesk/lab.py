"""The ``Lab`` facade: the one door through which the UI and the CLI act (design.md).

Every public method checks its input and its guards first, then writes in one
transaction together with the audit event(s), and returns plain records
(``labdesk.core.records``).  No Qt here, no SQL here: SQL lives in ``labdesk.store``.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import os
import threading
from pathlib import Path

from labdesk.core import evidence as evidence_rules
from labdesk.core import grading, workflow
from labdesk.core.countries import RUSSIA, parse_country
from labdesk.core.assessment import assess as assess_stone, russian_links
from labdesk.core.facts import EvidenceFacts, StoneFacts
from labdesk.core.passwords import hash_password, verify_password
from labdesk.core.records import (Attachment, AuditEvent, CheckResult, Client, Evidence,
                                  Finding, Page, Report, RuleChange, RulesReview, SigningKey,
                                  Stone, StoneDetail, Submission, User, Verification)
from labdesk.core.records import build as build_record
from labdesk.core.settings import DEFAULT_SETTINGS, parse_setting
from labdesk.core.stones import parse_stone_fields
from labdesk.core.weights import MAX_PARCEL_MCT, format_weight, parse_weight
from labdesk.core.workflow import Actor
from labdesk.errors import (AuthError, IntegrityError, LabError, NotFound, StateError,
                            ValidationError, storage_error)
from labdesk import reassessment
from labdesk.reports import claims, content, keys, labels, pdf
from labdesk.store import audit, backup as backups, queries, schema, search_index, writes
from labdesk.store.connection import connect, transaction, utcnow
from labdesk.store.connection import roll_back_if_left_open
from labdesk.store.disk import remove_dead_writers_temporary_files, write_atomically
from labdesk.store.documents import DocumentStore, safe_filename

DB_NAME = "labdesk.db"
FOLDERS = ("documents", "reports", "keys", "backups")


def _serialised(method):
    """One facade call at a time per ``Lab`` (the GUI calls from worker threads)."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)
    return wrapper


class Lab:
    """A lab's home folder opened: its database, documents, reports and keys."""

    def __init__(self, home: Path, db):
        self.home = Path(home)
        self._db = db
        self._lock = threading.RLock()
        self._actor: Actor | None = None
        self.documents = DocumentStore(self.home / "documents")

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def init(cls, home, lab_name: str, admin_username: str, admin_password: str,
             admin_name: str, **settings) -> "Lab":
        """Create a new lab in ``home`` (which must hold no lab yet) with its first admin.

        The returned lab is logged in as that admin.
        """
        home = Path(home)
        if (home / DB_NAME).exists():
            raise LabError(f"{home} already holds a lab; open it instead")
        values = {"lab_name": lab_name, **settings}
        parsed = {k: parse_setting(k, v) for k, v in values.items()}
        username = _username(admin_username)
        full_name = _person_name(admin_name)
        password_hash = hash_password(admin_password)
        for folder in FOLDERS:
            (home / folder).mkdir(parents=True, exist_ok=True)
        os.chmod(home / "keys", 0o700)
        db = connect(home / DB_NAME)
        schema.migrate(db)
        lab = cls(home, db)
        now = utcnow()
        with transaction(db):
            row = writes.insert(db, "users", {
                "username": username, "full_name": full_name, "role": "admin",
                "password_hash": password_hash, "active": 1, "created_at": now},
                username, "lab.init")
            for key, value in {**DEFAULT_SETTINGS, **parsed}.items():
                writes.insert(db, "settings", {"key": key, "value": json.dumps(value)},
                              username, "settings.set")
            kid, pem = keys.new_key(home / "keys")
            writes.insert(db, "signing_keys", {"kid": kid, "public_pem": pem,
                                               "created_at": now, "retired_at": None},
                          username, "key.create")
            for ruleset_row in reassessment.ruleset_rows(_rulesets(), now):
                writes.insert(db, "rulesets", ruleset_row, username, "rules.adopt")
        lab._actor = _actor(row)
        return lab

    @classmethod
    def open(cls, home) -> "Lab":
        """Open an existing lab; ``LabError`` when ``home`` holds none or a damaged one."""
        home = Path(home)
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

    @_serialised
    def close(self) -> None:
        self._actor = None
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------------ sessions
    @property
    def user(self) -> User | None:
        """The logged-in user, or None."""
        if self._actor is None:
            return None
        return _user(queries.user_by_id(self._db, self._actor.id))

    @_serialised
    def login(self, username: str, password: str) -> User:
        """Log in; ``AuthError`` for an unknown user, a wrong password or a deactivated
        account (one message for all three, so it does not reveal which).

        After ``_LOGIN_FREE_FAILURES`` wrong passwords in a row for a username, each
        further attempt must wait (30 s, doubling up to 15 min): ``AuthError`` saying how
        long, without checking the password."""
        name = str(username or "").strip()
        try:
            self._check_throttle(name)
        except AuthError:
            self._actor = None
            raise
        row = queries.user_by_name(self._db, name)
        ok = row is not None and verify_password(row["password_hash"], password)
        if not ok or not row["active"]:
            self._actor = None
            wait = self._note_wrong_password(name)
            raise AuthError("wrong username or password, or the account is deactivated"
                            + (f"; too many wrong passwords: wait {self._wait_text(wait)} "
                               f"before trying again" if wait else ""))
        self._forget_wrong_passwords(name)
        self._actor = _actor(row)
        return _user(row)

    @_serialised
    def logout(self) -> None:
        self._actor = None

    @_serialised
    def reauthenticate(self, password: str) -> None:
        """Check the logged-in user's password again, before a signature.  Wrong
        passwords count towards the same wait as ``login``'s."""
        actor = self._require_actor()
        self._check_throttle(actor.username)
        row = queries.user_by_id(self._db, actor.id)
        if not row["active"] or not verify_password(row["password_hash"], password):
            wait = self._note_wrong_password(actor.username)
            raise AuthError(f"the password for {actor.username} is not correct"
                            + (f"; too many wrong passwords: wait {self._wait_text(wait)} "
                               f"before trying again" if wait else ""))
        self._forget_wrong_passwords(actor.username)

    def _require_actor(self) -> Actor:
        if self._actor is None:
            raise AuthError("nobody is logged in")
        row = queries.user_by_id(self._db, self._actor.id)
        if not row or not row["active"]:
            self._actor = None
            raise AuthError("this account was deactivated; log in again")
        self._actor = _actor(row)
        return self._actor

    def _signature(self, meaning: str, password: str | None) -> dict:
        """A signature's manifestation (21 CFR 11): printed name, time, meaning."""
        actor = self._require_actor()
        if password is not None:
            self.reauthenticate(password)
        return {"signer": actor.username, "name": actor.full_name, "at": utcnow(),
                "meaning": meaning, "reauthenticated": password is not None}

    # ------------------------------------------------------------------ settings
    @_serialised
    def settings(self) -> dict:
        values = dict(DEFAULT_SETTINGS)
        values.update({k: json.loads(v) for k, v in queries.settings(self._db).items()})
        return values

    @_serialised
    def update_settings(self, **values) -> dict:
        """Change the lab's settings (admins only); each change is audited."""
        actor = self._require_actor()
        workflow.check_admin(actor, "change the lab's settings")
        parsed = {k: parse_setting(k, v) for k, v in values.items()}
        if parsed.get("logo"):
            try:
                self.documents.verify(parsed["logo"])
            except IntegrityError:
                raise ValidationError("logo: no stored image has that SHA-256; use "
                                      "set_logo(path)", field="logo") from None
        current = queries.settings(self._db)
        with transaction(self._db):
            for key, value in parsed.items():
                text = json.dumps(value)
                if key in current:
                    writes.update(self._db, "settings", key, {"value": text},
                                  actor.username, "settings.set")
                else:
                    writes.insert(self._db, "settings", {"key": key, "value": text},
                                  actor.username, "settings.set")
        return self.settings()

    @_serialised
    def set_logo(self, path) -> str:
        """Store an image as the lab's logo (admins only); returns its SHA-256."""
        actor = self._require_actor()
        workflow.check_admin(actor, "change the lab's logo")
        limit = self.settings()["max_attachment_mb"] * 1_000_000
        path = Path(path)

        def check(copy):  # before copying, and again on the very bytes stored
            _size, media_type = self.documents.check_file(copy, limit, name=path.name)
            if not media_type.startswith("image/") or media_type == "image/tiff":
                raise ValidationError("logo: use a PNG, JPEG or GIF image", field="logo")

        check(path)
        sha = self.documents.put(path, limit, check=check)
        self._storage_guarded("setting the logo", lambda: self.update_settings(logo=sha))
        return sha

    # ------------------------------------------------------------------ users
    @_serialised
    def add_user(self, username: str, full_name: str, role: str, password: str) -> User:
        actor = self._require_actor()
        workflow.check_admin(actor, "add users")
        name = _username(username)
        role = str(role or "").strip().lower()
        if role not in workflow.ROLES:
            raise ValidationError(f"role: {role!r} is not a role (one of: "
                                  f"{', '.join(workflow.ROLES)})", field="role")
        if queries.user_by_name(self._db, name):
            raise ValidationError(f"username: {name} is taken", field="username")
        row = {"username": name, "full_name": _person_name(full_name), "role": role,
               "password_hash": hash_password(password), "active": 1,
               "created_at": utcnow()}
        with transaction(self._db):
            stored = writes.insert(self._db, "users", row, actor.username, "user.add")
        return _user(stored)

    def _user_row(self, username: str) -> dict:
        row = queries.user_by_name(self._db, str(username or "").strip())
        if row is None:
            raise NotFound(f"username: no user {username!r}", field="username")
        return row

    @_serialised
    def set_user_active(self, username: str, active: bool) -> User:
        """Deactivate (or reactivate) an account; a deactivated user cannot log in."""
        actor = self._require_actor()
        workflow.check_admin(actor, "deactivate users")
        row = self._user_row(username)
        if row["id"] == actor.id and not active:
            raise ValidationError("username: you cannot deactivate your own account",
                                  field="username")
        with transaction(self._db):
            stored, _ = writes.update(self._db, "users", row["id"], {"active": int(active)},
                                      actor.username,
                                      "user.activate" if active else "user.deactivate")
        return _user(stored)

    def deactivate_user(self, username: str) -> User:
        return self.set_user_active(username, False)

    @_serialised
    def set_password(self, username: str, new_password: str,
                     old_password: str | None = None) -> None:
        """An admin resets anyone's password; a user changes their own with the old one."""
        actor = self._require_actor()
        row = self._user_row(username)
        if row["id"] == actor.id and actor.role != "admin":
            self._check_throttle(actor.username)
            if not verify_password(row["password_hash"], old_password or ""):
                self._note_wrong_password(actor.username)  # guesses are slowed too
                raise AuthError("the current password is not correct")
        elif row["id"] != actor.id:
            workflow.check_admin(actor, "reset other users' passwords")
        with transaction(self._db):
            writes.update(self._db, "users", row["id"],
                          {"password_hash": hash_password(new_password)}, actor.username,
                          "user.password")

    @_serialised
    def users(self) -> list[User]:
        return [_user(r) for r in queries.users(self._db)]

    # ------------------------------------------------------------------ clients
    @_serialised
    def add_client(self, name: str, address: str | None = None,
                   contact: str | None = None) -> Client:
        actor = self._require_actor()
        clean = _client_name(name)
        if queries.client_by_name(self._db, clean):
            raise ValidationError(f"client: {clean} exists already", field="client")
        with transaction(self._db):
            row = writes.insert(self._db, "clients", {
                "name": clean, "address": _optional_text(address, "address", 500),
                "contact": _optional_text(contact, "contact", 200),
                "created_at": utcnow()}, actor.username, "client.add")
        return _client(row)

    @_serialised
    def update_client(self, client: str, **fields) -> Client:
        """Change a client's name, address or contact."""
        actor = self._require_actor()
        row = queries.client_by_name(self._db, str(getattr(client, "name", client)).strip())
        if row is None:
            raise NotFound(f"client: no client {client!r}", field="client")
        changes = {}
        for key, value in fields.items():
            if key == "name":
                changes["name"] = _client_name(value)
                other = queries.client_by_name(self._db, changes["name"])
                if other is not None and other["id"] != row["id"]:
                    raise ValidationError(f"name: another client is called "
                                          f"{changes['name']}", field="name")
            elif key in ("address", "contact"):
                changes[key] = _optional_text(value, key, 500)
            else:
                raise ValidationError(f"{key}: not a client field", field=key)
        with transaction(self._db):
            stored, _ = writes.update(self._db, "clients", row["id"], changes,
                                      actor.username, "client.update")
        return _client(stored)

    @_serialised
    def clients(self, prefix: str | None = None) -> list[Client]:
        return [_client(r) for r in queries.clients(self._db, prefix)]

    # ------------------------------------------------------------------ intake
    @_serialised
    def receive(self, client, stones: list[dict], reference: str | None = None,
                received_at=None, declared_count: int | None = None,
                declared_weight=None, *, left_out=(), source_sha256: str | None = None,
                progress=None) -> Submission:
        """Record a submission of ``stones`` from ``client`` (a name; created if new).

        All or nothing: every stone is checked first, and one ``ValidationError`` lists
        every problem with its row (1-based position in ``stones``).
        """
        actor = self._require_actor()
        workflow.require_role(actor, *workflow.ROLES, action="receive stones")
        client_name = _client_name(client.name if isinstance(client, Client) else client)
        if not isinstance(stones, (list, tuple)) or not stones:
            raise ValidationError("stones: a submission needs at least one stone",
                                  field="stones")
        parsed = _parse_stone_rows(stones)
        when = _parse_received_at(received_at)
        ref = _optional_text(reference, "reference", 100)
        count = _optional_count(declared_count, "declared_count")
        declared_mct = (parse_weight(declared_weight, "declared_weight", MAX_PARCEL_MCT)
                        if declared_weight not in (None, "") else None)
        now = utcnow()
        db = self._db
        with transaction(db):
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
        stones_made = tuple(_stone({**row, "submission_number": sub["number"],
                                    "received_at": when, "client_name": client_row["name"]})
                            for row in rows)
        return Submission(id=sub_id, number=sub["number"], client=client_row["name"],
                          reference=ref, received_at=when, declared_count=count,
                          declared_weight=format_weight(declared_mct) or None,
                          received_by=actor.username, stones=stones_made,
                          left_out=tuple(left_out))

    @_serialised
    def preview_packing_list(self, path):
        """Read a packing list without saving anything: its stones, the columns read and
        left out; ``ValidationError`` listing every problem."""
        from labdesk.core.packing_list import read_packing_list
        return read_packing_list(path)

    @_serialised
    def import_packing_list(self, path, client, reference: str | None = None,
                            received_at=None, progress=None, declared_count=None,
                            declared_weight=None) -> Submission:
        """Receive every stone of a dealer's packing list (CSV or XLSX), all or nothing.

        The file itself is kept in the document store as the intake's record: the very
        bytes that were read (the file is read once).
        """
        from labdesk.core.packing_list import read_packing_list_file
        self._require_actor()
        _client_name(client.name if isinstance(client, Client) else client)
        _parse_received_at(received_at)
        _optional_text(reference, "reference", 100)
        data, packing = read_packing_list_file(path)
        name = safe_filename(Path(path).name)
        sha = self.documents.put_bytes(data, name)
        return self._storage_guarded(f"importing {name}", lambda: self.receive(
            client, packing.stones, reference=reference, received_at=received_at,
            declared_count=declared_count, declared_weight=declared_weight,
            left_out=packing.left_out, source_sha256=sha, progress=progress))

    @_serialised
    def update_stone(self, stone_no, **fields) -> Stone:
        """Change grading facts of a stone that is not locked."""
        actor = self._require_actor()
        workflow.require_role(actor, *workflow.ROLES, action="change grading facts")
        row = self._stone_row(stone_no)
        workflow.check_editable(row["number"], row["state"], "its grading facts")
        changes = parse_stone_fields(fields, partial=True)
        merged = {k: row[k] for k in ("identification", "growth_method")}
        merged.update({k: v for k, v in changes.items() if k in merged})
        from labdesk.core.stones import check_consistency
        check_consistency(merged)
        changes = {k: v for k, v in changes.items() if row[k] != v}
        with transaction(self._db):
            current = self._stone_row(stone_no)  # under the write lock
            workflow.check_editable(current["number"], current["state"],
                                    "its grading facts")
            if changes:
                changes["updated_at"] = utcnow()
            writes.update(self._db, "stones", row["id"], changes, actor.username,
                          "stone.update", submission_id=row["submission_id"])
        return self.stone(row["number"])

    # ------------------------------------------------------------------ evidence
    @_serialised
    def add_evidence(self, target, kind: str, **fields) -> Evidence:
        """Record a document that came with a stone (``target`` a stone number) or with a
        whole submission (``target`` a submission number: it covers every stone)."""
        actor = self._require_actor()
        workflow.require_role(actor, *workflow.ROLES, action="record evidence")
        kind = evidence_rules.parse_kind(kind)
        values = evidence_rules.parse_evidence_fields(kind, fields)
        self._evidence_target(target)  # refuse early
        now = utcnow()
        with transaction(self._db):
            stone_id, submission_id, audit_sub = self._evidence_target(target)  # locked
            row = writes.insert(self._db, "evidence", {
                "stone_id": stone_id, "submission_id": submission_id, "kind": kind,
                **values, "created_by": actor.id, "created_at": now, "updated_at": now},
                actor.username, "evidence.add", stone_id=stone_id,
                submission_id=audit_sub)
        return self._evidence(row)

    def _evidence_target(self, target) -> tuple[int | None, int | None, int]:
        """(stone id, submission id, the submission it belongs to) for new evidence on a
        stone or a whole submission, after checking that it may change now."""
        text = _number_text(target)
        if text.startswith("SUB-"):
            sub = queries.submission_by_number(self._db, text)
            if sub is None:
                raise NotFound(f"target: no submission {text}", field="target")
            self._check_parcel_editable(sub["id"], text)
            return None, sub["id"], sub["id"]
        stone = self._stone_row(target, field="target")
        workflow.check_editable(stone["number"], stone["state"], "its evidence")
        return stone["id"], None, stone["submission_id"]

    @_serialised
    def update_evidence(self, evidence_id: int, **fields) -> Evidence:
        actor = self._require_actor()
        row = self._evidence_row(evidence_id)
        self._check_evidence_editable(row)
        values = evidence_rules.parse_evidence_fields(row["kind"], fields, partial=True)
        values = {k: v for k, v in values.items() if row[k] != v}
        with transaction(self._db):
            self._check_evidence_editable(self._evidence_row(row["id"]))  # under the lock
            if values:
                values["updated_at"] = utcnow()
            stored, _ = writes.update(self._db, "evidence", row["id"], values,
                                      actor.username, "evidence.update",
                                      stone_id=row["stone_id"],
                                      submission_id=self._evidence_submission(row))
        return self._evidence(stored)

    @_serialised
    def attach(self, evidence_id: int, path) -> Attachment:
        """Attach a scanned document (PDF or image) to evidence; stored by SHA-256.

        The file is refused before it is read when it is over the lab's size limit; it is
        copied in constant memory, and what is checked (type, completeness) is the copy
        that is stored.  A full or read-only disk is one ``LabError``; nothing changes."""
        actor = self._require_actor()
        row = self._evidence_row(evidence_id)
        self._check_evidence_editable(row)
        path = Path(path)
        limit = self.settings()["max_attachment_mb"] * 1_000_000
        self.documents.check_file(path, limit)  # refuse early, before copying anything
        checked = {}

        def check(copy):
            checked["size"], checked["media_type"] = self.documents.check_file(
                copy, limit, name=path.name)

        sha = self.documents.put(path, limit, check=check)

        def record():
            with transaction(self._db):
                current = self._evidence_row(row["id"])  # again under the write lock:
                self._check_evidence_editable(current)  # another window may have approved
                return writes.insert(self._db, "attachments", {
                    "evidence_id": row["id"], "sha256": sha,
                    "filename": safe_filename(path.name), "size": checked["size"],
                    "media_type": checked["media_type"], "created_by": actor.id,
                    "created_at": utcnow()}, actor.username, "attachment.add",
                    stone_id=row["stone_id"], submission_id=self._evidence_submission(row))

        stored = self._storage_guarded(f"attaching {safe_filename(path.name)}", record)
        return _attachment(stored, actor.username)

    @_serialised
    def document_path(self, sha256: str) -> Path:
        """The path of a stored document, after verifying its hash (IntegrityError)."""
        return self.documents.verify(sha256)

    @_serialised
    def attachment(self, attachment_id: int) -> Attachment:
        row = queries.attachment_by_id(self._db, int(attachment_id))
        if row is None:
            raise NotFound(f"attachment: no attachment {attachment_id}", field="attachment")
        creator = queries.user_by_id(self._db, row["created_by"])
        return _attachment(row, creator["username"])

    def _evidence_row(self, evidence_id) -> dict:
        try:
            key = int(getattr(evidence_id, "id", evidence_id))
            if not 0 < key < 2 ** 63:
                raise ValueError(key)
        except (TypeError, ValueError, OverflowError):
            raise ValidationError(f"evidence_id: {evidence_id!r} is not an evidence id",
                                  field="evidence_id") from None
        row = queries.evidence_by_id(self._db, key)
        if row is None:
            raise NotFound(f"evidence_id: no evidence {key}", field="evidence_id")
        return row

    def _evidence_submission(self, row: dict) -> int:
        if row["submission_id"] is not None:
            return row["submission_id"]
        return queries.stone_submission_id(self._db, row["stone_id"])

    def _check_evidence_editable(self, row: dict) -> None:
        if row["stone_id"] is not None:
            stone = queries.stone_by_id(self._db, row["stone_id"])
            workflow.check_editable(stone["number"], stone["state"],
                                    f"its evidence ({row['id']})")
        else:
            self._check_parcel_editable(row["submission_id"], f"evidence {row['id']}")

    def _check_parcel_editable(self, submission_id: int, what: str) -> None:
        """Parcel evidence covers every stone of the submission, so it changes only while
        none of them is under review or locked."""
        for number, state in queries.stone_states(self._db, submission_id):
            if state in ("proposed", *workflow.LOCKED_STATES):
                workflow.check_editable(number, state, f"the parcel evidence ({what})")

    # ------------------------------------------------------------------ findings
    @_serialised
    def assess(self, stone_no, jurisdiction: str = "EU", on=None):
        """The origin assessment of a stone under ``jurisdiction``'s rules in force ``on``
        (default today): may this stone enter that market on that date."""
        code = str(jurisdiction or "").strip().upper()
        rulesets = _rulesets()
        if code not in rulesets:
            raise ValidationError(f"jurisdiction: {jurisdiction!r} has no ruleset (known: "
                                  f"{', '.join(sorted(rulesets))})", field="jurisdiction")
        day = _parse_day(on, "on") if on is not None else dt.date.today()
        return assess_stone(self._facts(self._stone_row(stone_no)), rulesets[code], day)

    def _facts(self, row: dict) -> StoneFacts:
        evidence = queries.evidence_for_stone(self._db, row["id"], row["submission_id"])
        attachments = queries.attachments_for(self._db, [e["id"] for e in evidence])
        counts: dict[int, int] = {}
        for a in attachments:
            counts[a["evidence_id"]] = counts.get(a["evidence_id"], 0) + 1
        totals = queries.submission_totals(self._db, row["submission_id"])
        return StoneFacts(
            number=row["number"], weight_mct=row["weight_mct"],
            identification=row["identification"],
            received_on=dt.date.fromisoformat(row["received_at"][:10]),
            submission_weight_mct=totals[1], submission_count=totals[0],
            evidence=tuple(_evidence_facts(e, counts.get(e["id"], 0)) for e in evidence),
            mounted=bool(row.get("mounted")))

    @_serialised
    def propose_finding(self, stone_no, origin: str, mining_country: str | None = None,
                        statement: str = "") -> Finding:
        """Propose where the stone was mined; a supervisor other than you reviews it.

        The EU, US and UK assessments of today are recorded with the finding.
        """
        actor = self._require_actor()
        row = self._stone_row(stone_no)
        workflow.check_can_propose(actor, row["number"], row["state"])
        origin = grading.parse_origin(origin)
        if origin is None:
            raise ValidationError("origin: a finding needs an origin (non_russian, russian "
                                  "or undetermined)", field="origin")
        country = parse_country(mining_country, "mining_country")
        text = _optional_text(statement, "statement", 2000) or ""
        if origin == "russian":
            country = country or RUSSIA
            if country != RUSSIA:
                raise ValidationError(f"mining_country: a Russian-origin finding names RU, "
                                      f"not {country}", field="mining_country")
        if origin == "non_russian" and country == RUSSIA:
            raise ValidationError("mining_country: RU contradicts a non-Russian finding",
                                  field="mining_country")
        facts = self._facts(row)
        if origin == "non_russian":
            links = russian_links(facts)
            if links:
                raise ValidationError("origin: a non-Russian finding cannot be proposed: "
                                      + "; ".join(link.text for link in links),
                                      field="origin")
        assessments = self._assessments(facts)
        if origin == "non_russian":
            weak = [j for j, a in assessments.items() if a["outcome"] == "insufficient"]
            if weak and not text:
                raise ValidationError(
                    f"statement: the evidence is insufficient under {', '.join(weak)}; say "
                    f"why the stone is not of Russian origin", field="statement")
        with transaction(self._db):
            # again under the write lock: another window may have proposed meanwhile
            row = self._stone_row(stone_no)
            workflow.check_can_propose(actor, row["number"], row["state"])
            writes.insert(self._db, "findings", {
                "stone_id": row["id"], "origin": origin, "mining_country": country,
                "statement": text,
                "evidence_ids": json.dumps([e.id for e in facts.evidence]),
                "assessments": json.dumps(assessments, sort_keys=True),
                "status": "proposed", "proposed_by": actor.id, "proposed_at": utcnow()},
                actor.username, "finding.propose", stone_id=row["id"],
                submission_id=row["submission_id"])
            self._set_state(row, "proposed", actor)
        return self._current_finding(row)

    def _assessments(self, facts: StoneFacts) -> dict:
        today = dt.date.today()
        out = {}
        for code, ruleset in sorted(_rulesets().items()):
            result = assess_stone(facts, ruleset, today)
            out[code] = {"ruleset": result.ruleset, "on": today.isoformat(),
                         "outcome": result.outcome, "in_scope": result.in_scope}
        return out

    def _set_state(self, row: dict, state: str, actor: Actor, **extra) -> None:
        writes.update(self._db, "stones", row["id"], {"state": state, "updated_at": utcnow()},
                      actor.username, f"stone.{state}", submission_id=row["submission_id"],
                      **extra)

    def _review(self, stone_no, decision: str, text: str, password: str | None):
        actor = self._require_actor()
        check = (workflow.check_can_approve if decision == "approved"
                 else workflow.check_can_reject)

        def guard():
            row = self._stone_row(stone_no)
            finding = queries.current_finding(self._db, row["id"])
            check(actor, row["number"], row["state"],
                  finding["proposed_by"] if finding else None)
            if decision == "approved":
                self._check_unchanged_since_proposal(row, finding)
            return row, finding

        guard()  # refuse early, before asking for the password
        signature = self._signature("approval" if decision == "approved" else "rejection",
                                    password)
        with transaction(self._db):
            row, finding = guard()  # again under the write lock: another window may
            writes.update(self._db, "findings", finding["id"], {  # have decided meanwhile
                "status": decision, "decided_by": actor.id, "decided_at": signature["at"],
                "decision_comment": text}, actor.username,
                "finding.approve" if decision == "approved" else "finding.reject",
                stone_id=row["id"], submission_id=row["submission_id"],
                signature=signature)
            self._set_state(row, decision, actor)
            self._settle_changes(actor, "kept" if decision == "approved" else "rejected",
                                 text, signature["at"], finding_id=finding["id"])
        return self._current_finding(row)

    def _check_unchanged_since_proposal(self, row: dict, finding: dict) -> None:
        """The evidence a supervisor approves is the evidence that was proposed."""
        facts = self._facts(row)
        if sorted(e.id for e in facts.evidence) != sorted(json.loads(finding["evidence_ids"])):
            raise StateError(f"the evidence of {row['number']} changed after the finding was "
                             f"proposed; reject it so that it is proposed again")
        if finding["origin"] == "non_russian" and russian_links(facts):
            raise StateError(f"evidence of {row['number']} names Russia: a non-Russian "
                             f"finding cannot be approved; reject it")

    @_serialised
    def approve(self, stone_no, comment: str = "", password: str | None = None) -> Finding:
        """Approve the proposed finding: a signature (supervisor, never the proposer).

        With ``password`` the signer's password is checked again (the GUI always passes
        it); the audit event records the signer's name, the time and the meaning.
        """
        text = _optional_text(comment, "comment", 2000) or ""
        return self._review(stone_no, "approved", text, password)

    @_serialised
    def reject(self, stone_no, reason: str, password: str | None = None) -> Finding:
        """Reject the proposed finding with a reason; the technician proposes again."""
        text = workflow.check_reason(reason, "rejection")
        return self._review(stone_no, "rejected", text, password)

    @_serialised
    def reopen(self, stone_no, reason: str, password: str | None = None) -> Stone:
        """Unlock an approved or reported stone for correction (supervisor, reason)."""
        actor = self._require_actor()
        row = self._stone_row(stone_no)
        workflow.check_can_reopen(actor, row["number"], row["state"])
        text = workflow.check_reason(reason, "reopening")
        signature = self._signature("reopening", password)
        with transaction(self._db):
            row = self._stone_row(stone_no)
            workflow.check_can_reopen(actor, row["number"], row["state"])
            finding = queries.current_finding(self._db, row["id"])
            writes.update(self._db, "findings", finding["id"], {
                "status": "reopened", "reopened_by": actor.id,
                "reopened_at": signature["at"], "reopen_reason": text}, actor.username,
                "finding.reopen", stone_id=row["id"], submission_id=row["submission_id"],
                signature=signature, reason=text)
            self._on_reopen(row, actor, text)
            self._set_state(row, "received", actor, reason=text)
            self._settle_changes(actor, "reopened", text, signature["at"],
                                 finding_id=finding["id"])
        return self.stone(row["number"])

    def _on_reopen(self, row: dict, actor: Actor, reason: str) -> None:
        """A reopened stone's issued report is withdrawn as superseded; the report issued
        after the new approval names it and it names its successor."""
        for report in queries.reports_for_stone(self._db, row["id"]):
            if report["status"] == "issued":
                writes.update(self._db, "reports", report["id"], {
                    "status": "superseded", "withdrawn_by": actor.id,
                    "withdrawn_at": utcnow(), "withdrawn_reason": reason},
                    actor.username, "report.supersede", stone_id=row["id"],
                    submission_id=row["submission_id"])

    # ------------------------------------------------------------------ rules changes
    @_serialised
    def rules_review_needed(self) -> dict[str, str]:
        """``{jurisdiction: version}`` of the rulesets in use under which the lab has not
        yet re-assessed its findings (empty when it has)."""
        return {code: ruleset.version for code, ruleset in
                reassessment.unreviewed(self._db, _rulesets()).items()}

    @_serialised
    def reassess(self, progress=None) -> RulesReview:
        """After a rules change, assess every stone whose finding stands (proposed,
        approved, reported) again under the new rules, on the day of its own assessment,
        and record each stone whose outcome moved (``rule_changes``).  An open change for
        the worse holds the stone's next report until a supervisor settles it.  Does
        nothing when the lab has already re-assessed under the rules in use."""
        return self._reassess(self._require_actor(), progress)

    def _reassess(self, actor: Actor, progress=None) -> RulesReview:
        rulesets = _rulesets()
        pending = reassessment.unreviewed(self._db, rulesets)
        if not pending:
            return RulesReview(versions={}, reassessed=0, changes=())
        versions = {code: [queries.last_kept_version(self._db, code), ruleset.version]
                    for code, ruleset in pending.items()}
        assessed, rows = reassessment.find_changes(self._db, pending, _candidate_facts,
                                                   progress)
        now = utcnow()
        with transaction(self._db):
            if reassessment.unreviewed(self._db, rulesets) != pending:
                return RulesReview(versions={}, reassessed=0, changes=())  # done meanwhile
            first = queries.next_id(self._db, "rule_changes")
            full = [{"id": first + index, **row, "found_at": now, "status": "open",
                     "decided_by": None, "decided_at": None, "decision_note": None}
                    for index, row in enumerate(rows)]
            for start in range(0, len(full), 1000):
                writes.insert_rows(self._db, "rule_changes", full[start:start + 1000],
                                   actor.username, "rules.reassess", one_event=True)
            for ruleset_row in reassessment.ruleset_rows(pending, now):
                writes.insert(self._db, "rulesets", ruleset_row, actor.username,
                              "rules.adopt", reassessed=assessed, changes=len(full))
        found = [self._rule_change(r) for r in queries.rule_changes(
            self._db, since_id=first, limit=max(len(full), 1))]
        return RulesReview(versions=versions, reassessed=assessed,
                           changes=tuple(sorted(found, key=lambda c: c.id)))

    @_serialised
    def rule_changes(self, status: str | None = "open", stone_no=None) -> list[RuleChange]:
        """What rules changes did to findings, newest first (open ones by default)."""
        stone_id = self._stone_row(stone_no)["id"] if stone_no is not None else None
        return [self._rule_change(r) for r in queries.rule_changes(
            self._db, status=status, stone_id=stone_id)]

    @_serialised
    def settle_rule_change(self, change_id: int, decision: str, note: str,
                           password: str | None = None) -> RuleChange:
        """A supervisor's decision on a stone a rules change moved (a signature):
        ``keep`` the finding and any report as they are (with the reason), ``reject`` a
        proposed finding, ``reopen`` an approved or reported one (its report is
        superseded), or ``revoke`` its issued report.  Every open change of the same
        finding is settled with it."""
        actor = self._require_actor()
        workflow.require_role(actor, "supervisor", action="settle a rules change")
        row = queries.rule_change(self._db, _optional_count(change_id, "change") or 0)
        if row is None:
            raise NotFound(f"change: no rules change {change_id}")
        if row["status"] != "open":
            raise StateError(f"rules change {row['id']} of {row['stone_number']} was "
                             f"already settled ({row['status']})")
        text = workflow.check_reason(note, "this decision")
        choice = str(decision or "").strip().lower()
        if choice == "reopen":
            self.reopen(row["stone_number"], text, password)
        elif choice == "reject":
            self.reject(row["stone_number"], text, password)
        elif choice == "revoke":
            if not row["report_number"]:
                raise ValidationError(f"decision: {row['stone_number']} has no issued "
                                      f"report to revoke", field="decision")
            self.revoke_report(row["report_number"], text, password)
        elif choice == "keep":
            signature = self._signature("review of a rules change", password)
            with transaction(self._db):
                self._settle_changes(actor, "kept", text, signature["at"],
                                     finding_id=row["finding_id"], signature=signature)
        else:
            raise ValidationError(f"decision: {decision!r} is not one of keep, reject, "
                                  f"reopen, revoke", field="decision")
        return self._rule_change(queries.rule_change(self._db, row["id"]))

    def _settle_changes(self, actor: Actor, status: str, note: str, at: str, *,
                        finding_id: int | None = None, report_id: int | None = None,
                        **extra) -> None:
        """Close the open rules changes of a finding (or of a report) in the caller's
        transaction, with the decision that settled them."""
        for change in queries.rule_changes(self._db, status="open", finding_id=finding_id):
            if report_id is not None and change["report_id"] != report_id:
                continue
            writes.update(self._db, "rule_changes", change["id"], {
                "status": status, "decided_by": actor.id, "decided_at": at,
                "decision_note": note}, actor.username, "rules.settle",
                stone_id=change["stone_id"], **extra)

    @staticmethod
    def _rule_change(row: dict) -> RuleChange:
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

    # ------------------------------------------------------------------ reports
    def _signing_key(self):
        row = queries.active_signing_key(self._db)
        if row is None:
            raise IntegrityError("the lab has no active signing key")
        return row["kid"], keys.load_private(self.home / "keys", row["kid"])

    def _public_keys(self) -> dict:
        return {r["kid"]: keys.load_public(r["public_pem"])
                for r in queries.signing_keys(self._db)}

    @_serialised
    def issue_report(self, stone_no) -> Report:
        """Sign the approved finding's claim, write the PDF and record the report, all or
        nothing.  A report issued after a reopening supersedes the earlier one.

        The PDF is written (fsynced, renamed) before the record is committed, so a record
        never lacks its PDF; a PDF whose record was not committed (the disk filled up, the
        process was killed) is removed or set aside in ``reports/orphans/``, never left
        under a report's name.  A full or read-only disk is one ``LabError``."""
        actor = self._require_actor()
        self._check_issuable(actor, self._stone_row(stone_no))  # refuse early
        self._signing_key()  # refuses an exposed or missing key before any work
        self._reassess(actor)  # new rules first: they may hold this very stone
        self._check_issuable(actor, self._stone_row(stone_no))
        written: list[tuple[Path, str]] = []
        try:
            with transaction(self._db):
                row = self._stone_row(stone_no)  # again under the write lock: another
                self._check_issuable(actor, row)  # window may have issued it meanwhile
                kid, private = self._signing_key()  # or rotated the key
                settings = self.settings()
                stone = _stone(row)
                finding = self._current_finding(row)
                submission = self._submission_row_record(row["submission_id"])
                client = queries.client_by_name(self._db, submission.client)
                evidence = self._evidence_list(
                    queries.evidence_for_stone(self._db, row["id"], row["submission_id"]))
                logo = self.documents.read(settings["logo"]) if settings.get("logo") \
                    else None
                earlier = [r for r in queries.reports_for_stone(self._db, row["id"])
                           if r["status"] == "superseded" and not r["superseded_by"]]
                issued_at = utcnow()
                today = issued_at[:10]
                report_id = queries.next_id(self._db, "reports")
                number = f"{settings['report_prefix']}{today[2:4]}-{report_id:06d}"
                body = content.claim(number, today, kid, settings["lab_name"], stone,
                                     finding)
                token = claims.sign(private, body)
                url = settings.get("verify_url") or ""
                qr_text = f"{url}#{token}" if url else token
                supersedes = earlier[-1]["number"] if earlier else None
                data = content.page(number, today, settings, logo, stone, submission,
                                    _client(client) if client else None, finding, evidence,
                                    actor.full_name, issued_at, qr_text, supersedes)
                pdf_bytes = pdf.build(data)
                path = self._report_path(number)
                self._set_aside_unrecorded_reports(number)
                sha = write_atomically(path, pdf_bytes,
                                       action=f"issuing the report of {row['number']}")
                written.append((path, number))
                stored = writes.insert(self._db, "reports", {
                    "id": report_id, "number": number, "stone_id": row["id"],
                    "finding_id": finding.id, "kid": kid,
                    "claim": claims.canonical_bytes(body).decode(), "token": token,
                    "qr_text": qr_text, "pdf_sha256": sha, "status": "issued",
                    "issued_by": actor.id, "issued_at": issued_at,
                    "supersedes": supersedes},
                    actor.username, "report.issue", stone_id=row["id"],
                    submission_id=row["submission_id"])
                if supersedes:
                    writes.update(self._db, "reports", earlier[-1]["id"],
                                  {"superseded_by": number}, actor.username,
                                  "report.supersede", stone_id=row["id"],
                                  submission_id=row["submission_id"])
                self._set_state(row, "reported", actor)
        except BaseException as exc:
            self._roll_back_if_left_open()
            for path, number in written:  # its record was not committed: never issued
                self._remove_unrecorded_pdf(path, number)
            error = storage_error(exc, f"issuing the report of {_stone_number_text(stone_no)}")
            if error is not None:
                raise error from exc
            raise
        return self._report(stored)

    def _submission_row_record(self, submission_id: int) -> Submission:
        """The submission without its stones (a report names the parcel, and a parcel may
        hold ten thousand stones)."""
        row = queries.submission_by_id(self._db, submission_id)
        return self._submission(row["number"], with_stones=False)

    def _report_path(self, number: str) -> Path:
        return self.home / "reports" / f"{number}.pdf"

    def _report(self, row: dict) -> Report:
        people = {r["id"]: r["username"] for r in queries.users(self._db)}
        return Report(
            id=row["id"], number=row["number"],
            stone=queries.stone_number_by_id(self._db, row["stone_id"]),
            status=row["status"], token=row["token"], qr_text=row["qr_text"],
            pdf_path=self._report_path(row["number"]), pdf_sha256=row["pdf_sha256"],
            kid=row["kid"], claim=json.loads(row["claim"]),
            issued_by=people.get(row["issued_by"], "?"), issued_at=row["issued_at"],
            supersedes=row["supersedes"], superseded_by=row["superseded_by"],
            withdrawn_by=people.get(row["withdrawn_by"]), withdrawn_at=row["withdrawn_at"],
            withdrawn_reason=row["withdrawn_reason"])

    def _report_row(self, report_no) -> dict:
        number = _number_text(report_no)
        row = queries.report_by_number(self._db, number)
        if row is None:
            raise NotFound(f"report: no report {number}", field="report")
        return row

    @_serialised
    def report(self, report_no) -> Report:
        return self._report(self._report_row(report_no))

    @_serialised
    def reports(self, *, status: str | None = None, stone_no=None, offset: int = 0,
                limit: int = 100) -> Page:
        stone_id = self._stone_row(stone_no)["id"] if stone_no is not None else None
        rows, total = queries.list_reports(self._db, status=status, stone_id=stone_id,
                                           offset=offset, limit=limit)
        return Page(items=tuple(self._report(r) for r in rows), total=total,
                    offset=offset, limit=limit)

    @_serialised
    def report_pdf(self, report_no, path=None) -> Path:
        """The verified PDF of a report; with ``path``, a copy written there."""
        row = self._report_row(report_no)
        source = self._report_path(row["number"])
        data = _read_verified(source, row["pdf_sha256"], f"report {row['number']}")
        if path is None:
            return source
        target = Path(path)
        write_atomically(target, data, mode=0o644)
        return target

    @_serialised
    def revoke_report(self, report_no, reason: str, password: str | None = None) -> Report:
        """Withdraw an issued report (supervisor, reason); a signature, like an approval.
        The next revocation list names it, so verifiers see it as revoked."""
        actor = self._require_actor()
        row = self._report_row(report_no)
        workflow.check_can_revoke(actor, row["number"], row["status"])
        text = workflow.check_reason(reason, "revocation")
        signature = self._signature("revocation", password)
        stone_submission = queries.stone_submission_id(self._db, row["stone_id"])
        with transaction(self._db):
            row = self._report_row(report_no)
            workflow.check_can_revoke(actor, row["number"], row["status"])
            stored, _ = writes.update(self._db, "reports", row["id"], {
                "status": "revoked", "withdrawn_by": actor.id,
                "withdrawn_at": signature["at"], "withdrawn_reason": text},
                actor.username, "report.revoke", stone_id=row["stone_id"],
                submission_id=stone_submission, signature=signature)
            self._settle_changes(actor, "revoked", text, signature["at"],
                                 report_id=row["id"])
        return self._report(stored)

    @_serialised
    def verify(self, text) -> Verification:
        """Check a token, a URL with the token after '#', or QR text.  Never raises: the
        result's ``status`` and ``problems`` say what is wrong."""
        parsed = claims.check_token(text, self._public_keys())
        if not parsed.valid:
            return Verification(valid=False, status=parsed.status, claim=parsed.claim,
                                problems=tuple(parsed.problems),
                                report=parsed.claim.get("n") if parsed.claim else None)
        number = parsed.claim["n"]
        row = queries.report_by_number(self._db, number)
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

    @_serialised
    def revocation_list(self) -> str:
        """The signed list of withdrawn reports (revoked and superseded), for publishing
        next to the verify page.  ``superseded`` (an extension) maps each superseded report
        to its successor."""
        kid, private = self._signing_key()
        withdrawn = queries.withdrawn_reports(self._db)
        body = {"v": 1, "kid": kid, "at": utcnow()[:19] + "Z",
                "revoked": sorted(r["number"] for r in withdrawn),
                "superseded": {r["number"]: r["superseded_by"] for r in withdrawn
                               if r["status"] == "superseded"}}
        data = claims.canonical_bytes(body)
        return claims.REVOCATION_PREFIX + claims.b64url(data) + "." + \
            claims.b64url(private.sign(data))

    @_serialised
    def publish(self, outdir) -> list[Path]:
        """Write the static verification site (index.html, revocations.txt, keys) for the
        lab's verify URL; run it again after a revocation to refresh the list."""
        from labdesk.reports import site
        pems = {r["kid"]: r["public_pem"] for r in queries.signing_keys(self._db)}
        revocations = self.revocation_list()
        return self._storage_guarded("publishing the verify site", lambda: site.publish(
            Path(outdir), self.settings()["lab_name"], pems, revocations))

    @_serialised
    def signing_keys(self) -> list[SigningKey]:
        return [SigningKey(kid=r["kid"], public_pem=r["public_pem"],
                           created_at=r["created_at"], retired_at=r["retired_at"])
                for r in queries.signing_keys(self._db)]

    @_serialised
    def export_public_keys(self, path=None) -> str:
        """Every public key (retired ones too, so old reports still verify) as PEM."""
        text = "".join(r["public_pem"] for r in queries.signing_keys(self._db))
        if path is not None:
            write_atomically(Path(path), text.encode(), mode=0o644)
        return text

    @_serialised
    def rotate_key(self) -> SigningKey:
        """A new key signs from now on; the old one is retired, still known to verify."""
        actor = self._require_actor()
        workflow.check_admin(actor, "rotate the signing key")
        kid, pem = keys.new_key(self.home / "keys")
        now = utcnow()
        with transaction(self._db):
            for old in queries.signing_keys(self._db):
                if old["retired_at"] is None:
                    writes.update(self._db, "signing_keys", old["id"], {"retired_at": now},
                                  actor.username, "key.retire")
            writes.insert(self._db, "signing_keys", {"kid": kid, "public_pem": pem,
                                                     "created_at": now, "retired_at": None},
                          actor.username, "key.create")
        return SigningKey(kid=kid, public_pem=pem, created_at=now, retired_at=None)

    @_serialised
    def labels_pdf(self, stone_numbers, path) -> Path:
        """A sheet of envelope labels for the stones, for printing at reception."""
        self._require_actor()
        rows = [self._stone_row(n) for n in stone_numbers]
        if not rows:
            raise ValidationError("stones: name at least one stone", field="stones")
        settings = self.settings()
        data = labels.build([labels.Label(number=r["number"], client_ref=r["client_ref"] or "",
                                          weight=format_weight(r["weight_mct"]),
                                          client=r["client_name"],
                                          received=r["received_at"][:10]) for r in rows],
                            settings["lab_name"], settings["paper_size"])
        target = Path(path)
        write_atomically(target, data, mode=0o644)
        return target

    # ------------------------------------------------------------------ reads
    def _stone_row(self, stone_no, field: str = "stone") -> dict:
        number = _stone_number_text(stone_no)
        row = queries.stone_by_number(self._db, number)
        if row is None:
            raise NotFound(f"{field}: no stone {number}", field=field)
        return row

    @_serialised
    def stone(self, stone_no) -> Stone:
        return _stone(self._stone_row(stone_no))

    @_serialised
    def stone_detail(self, stone_no) -> StoneDetail:
        """A stone with its evidence (its own and its parcel's), attachments, findings and
        history."""
        row = self._stone_row(stone_no)
        evidence = queries.evidence_for_stone(self._db, row["id"], row["submission_id"])
        findings = queries.findings_for_stone(self._db, row["id"])
        events = queries.history(self._db, row["id"], row["submission_id"])
        return StoneDetail(
            stone=_stone(row), evidence=tuple(self._evidence_list(evidence)),
            findings=tuple(_finding(f, row["number"]) for f in findings),
            history=tuple(_event(e) for e in events),
            reports=tuple(self._report(r) for r in
                          queries.reports_for_stone(self._db, row["id"])))

    def _evidence_list(self, rows: list[dict]) -> list[Evidence]:
        attachments = queries.attachments_for(self._db, [r["id"] for r in rows])
        out = []
        for r in rows:
            mine = tuple(_attachment(a, a["created_by_name"]) for a in attachments
                         if a["evidence_id"] == r["id"])
            out.append(self._evidence(r, mine))
        return out

    def _evidence(self, row: dict, attachments=None) -> Evidence:
        if attachments is None:
            attachments = tuple(_attachment(a, a["created_by_name"])
                                for a in queries.attachments_for(self._db, [row["id"]]))
        level = "stone" if row["stone_id"] is not None else "submission"
        target = queries.evidence_target_number(self._db, row)
        creator = queries.user_by_id(self._db, row["created_by"])
        return Evidence(id=row["id"], kind=row["kind"], target=target, level=level,
                        fields=evidence_rules.evidence_values(row),
                        created_by=creator["username"], created_at=row["created_at"],
                        locked=queries.evidence_locked(self._db, row),
                        attachments=attachments)

    @_serialised
    def evidence(self, evidence_id: int) -> Evidence:
        return self._evidence(self._evidence_row(evidence_id))

    @_serialised
    def submission(self, number) -> Submission:
        return self._submission(_number_text(number))

    def _submission(self, number: str, with_stones: bool = True) -> Submission:
        row = queries.submission_by_number(self._db, number)
        if row is None:
            raise NotFound(f"submission: no submission {number}", field="submission")
        stones = tuple(_stone(s) for s in queries.stones_of_submission(
            self._db, row["id"])) if with_stones else ()
        return Submission(
            id=row["id"], number=row["number"], client=row["client_name"],
            reference=row["reference"], received_at=row["received_at"],
            declared_count=row["declared_count"],
            declared_weight=format_weight(row["declared_weight_mct"]) or None,
            received_by=row["received_by_name"], stones=stones)

    @_serialised
    def submission_evidence(self, number) -> list[Evidence]:
        row = queries.submission_by_number(self._db, _number_text(number))
        if row is None:
            raise NotFound(f"submission: no submission {number}", field="submission")
        return self._evidence_list(queries.evidence_for_submission(self._db, row["id"]))

    @_serialised
    def stones(self, *, state: str | None = None, client: str | None = None,
               search: str | None = None, received_from=None, received_to=None,
               order: str = "number", descending: bool = False, offset: int = 0,
               limit: int = 100, count: bool = True) -> Page:
        """One page of stones (never all of them), filtered and sorted.  With
        ``count=False`` the total is not counted (-1): the next pages of a list whose
        total is known."""
        if state is not None and state not in workflow.STATES:
            raise ValidationError(f"state: {state!r} is not a state", field="state")
        limit, offset = max(1, min(int(limit), 1000)), max(0, int(offset))
        rows, total = queries.list_stones(
            self._db, state=state, client=client, search=search,
            received_from=_day_text(received_from), received_to=_day_text(received_to, 1),
            order=order, descending=descending, offset=offset, limit=limit, count=count)
        capped = queries.COUNT_CAP if search and total > queries.COUNT_CAP else None
        return Page(items=tuple(_stone(r) for r in rows), total=total, offset=offset,
                    limit=limit, more_than=capped)

    @_serialised
    def review_queue(self) -> list[Finding]:
        """Proposed findings awaiting a supervisor, oldest first."""
        return [_finding(r, r["stone_number"]) for r in queries.review_queue(self._db)]

    @_serialised
    def finding(self, stone_no) -> Finding | None:
        return self._current_finding(self._stone_row(stone_no))

    def _current_finding(self, row: dict) -> Finding | None:
        found = queries.findings_for_stone(self._db, row["id"])
        return _finding(found[-1], row["number"]) if found else None

    @_serialised
    def history(self, stone_no) -> list[AuditEvent]:
        row = self._stone_row(stone_no)
        return [_event(e) for e in queries.history(self._db, row["id"], row["submission_id"])]

    @_serialised
    def audit_events(self, *, actor: str | None = None, action: str | None = None,
                     date_from=None, date_to=None, offset: int = 0,
                     limit: int = 200) -> Page:
        """Audit events, newest first.  A batch event (the stones of an intake) comes with
        the span it created under ``data["batch"]`` (``first``, ``last`` ids, ``rows``);
        ``audit_event(id)`` gives its snapshots."""
        limit, offset = max(1, min(int(limit), 1000)), max(0, int(offset))
        rows, total = queries.audit_page(
            self._db, actor=actor, action=action, date_from=_day_text(date_from),
            date_to=_day_text(date_to, 1), offset=offset, limit=limit)
        return Page(items=tuple(_event(r) for r in rows), total=total, offset=offset,
                    limit=limit)

    @_serialised
    def audit_event(self, event_id: int) -> AuditEvent:
        """One audit event with everything it recorded (a batch event's every snapshot,
        which ``audit_events`` leaves out)."""
        row = queries.audit_event(self._db, int(event_id))
        if row is None:
            raise NotFound(f"event: no audit event {event_id}", field="event")
        return _event(row)

    @_serialised
    def audit_actions(self) -> list[str]:
        return queries.audit_actions(self._db)

    @_serialised
    def find(self, text: str) -> list[tuple[str, str]]:
        """What a search box or a barcode scanner's input names: a list of
        ``(kind, number)`` with kind ``stone``, ``submission`` or ``evidence``."""
        query = " ".join(str(text or "").split())
        if not query:
            return []
        if "#" in query or query.startswith("LD1."):
            return [("token", query)]
        up = query.upper()
        hits: list[tuple[str, str]] = []
        if queries.stone_by_number(self._db, up):
            hits.append(("stone", up))
        if queries.submission_by_number(self._db, up):
            hits.append(("submission", up))
        if queries.report_by_number(self._db, up):
            hits.append(("report", up))
        for ev in queries.find_evidence_by_reference(self._db, query):
            hits.append(("evidence", str(ev["id"])))
        for st in queries.stones_by_client_ref(self._db, query):
            hits.append(("stone", st["number"]))
        for sub in queries.submissions_by_reference(self._db, query):
            hits.append(("submission", sub["number"]))
        return hits

    @_serialised
    def counts(self) -> dict:
        return {"stones": queries.state_counts(self._db),
                "review": len(queries.review_queue(self._db))}

    # ------------------------------------------------------------------ integrity
    @_serialised
    def check(self, progress=None) -> CheckResult:
        """Check the database, the audit chain against every table, and every document.

        ``progress(step, done, total)`` is called now and then.
        """
        problems: list[str] = []
        report = lambda step, done, total: progress and progress(step, done, total)  # noqa
        report("database", 0, 1)
        problems.extend(queries.database_problems(self._db))
        chain = audit.verify(self._db, lambda d, t: report("audit", d, t))
        problems.extend(chain.problems)
        problems.extend(search_index.problems(self._db))
        problems.extend(f"keys: {problem}" for problem in keys.exposure(self.home / "keys"))
        documents = list(queries.all_document_hashes(self._db))
        logo = self.settings().get("logo")
        if logo:
            documents.append((logo, "the lab's logo"))
        for row in queries.all_reports(self._db):
            try:
                _read_verified(self._report_path(row["number"]), row["pdf_sha256"],
                               f"report {row['number']}")
            except IntegrityError as exc:
                problems.append(f"reports: {exc}")
        for index, (sha, what) in enumerate(documents):
            try:
                self.documents.verify(sha)
            except (IntegrityError, ValidationError) as exc:
                problems.append(f"documents: {what}: {exc}")
            if index % 100 == 0:
                report("documents", index, len(documents))
        return CheckResult(ok=not problems, problems=tuple(problems), events=chain.events,
                           documents=len(documents), records=queries.counts(self._db))

    @_serialised
    def backup(self, path=None, progress=None) -> Path:
        """Write a backup zip (default: the home's ``backups/`` folder); returns its path."""
        actor = self._require_actor()
        if path is None:
            stamp = utcnow()[:19].replace(":", "").replace("-", "")
            path = self.home / "backups" / f"labdesk-{stamp}.zip"
        path = Path(path)
        if path.is_dir():
            raise ValidationError(f"backup: {path} is a folder; name the backup file",
                                  field="backup")
        manifest = backups.create(self._db.conn, self.home, path, schema.version(self._db),
                                  progress)  # one LabError for a full or read-only disk

        def record():
            with transaction(self._db):
                audit.record(self._db, actor.username, "lab.backup", "lab", "backup",
                             file=path.name, files=len(manifest["files"]))

        self._storage_guarded(f"recording the backup {path.name}", record)
        return path

    @_serialised
    def rebuild_search_index(self) -> int:
        """Index every stone for search again (an admin's repair when ``check()`` reports
        the index incomplete); returns how many stones are indexed."""
        actor = self._require_actor()
        workflow.check_admin(actor, "rebuild the search index")
        with transaction(self._db):
            count = search_index.rebuild(self._db)
            audit.record(self._db, actor.username, "lab.reindex", "lab", "search index",
                         stones=count)
        return count

    @classmethod
    def restore(cls, path, home) -> "Lab":
        """Restore a backup into a new home; the restored lab must pass ``check()``."""
        staging = backups.unpack(Path(path), Path(home))
        try:
            lab = cls.open(staging)
            try:
                result = lab.check()
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

    # ------------------------------------------------------------------ reliability
    #: Wrong passwords a username may have in a row before each further attempt waits.
    _LOGIN_FREE_FAILURES = 5
    #: The first wait in seconds, doubled at each further wrong password, up to the last.
    _LOGIN_FIRST_WAIT = 30.0
    _LOGIN_LONGEST_WAIT = 15 * 60.0
    #: {(home, username): (wrong passwords in a row, no attempt before)}: this process's
    #: memory, shared by every ``Lab`` opened on the same home (a second window too).
    _login_failures: dict = {}
    _login_failures_lock = threading.Lock()

    @staticmethod
    def _clock() -> float:
        """Seconds on a clock that only goes forward (a test puts its own here)."""
        import time
        return time.monotonic()

    @staticmethod
    def _wait_text(seconds: float) -> str:
        seconds = max(1, int(seconds + 0.999))
        if seconds < 120:
            return f"{seconds} seconds"
        return f"{(seconds + 59) // 60} minutes"

    def _throttle_key(self, username: str) -> tuple[str, str]:
        return (str(self.home.resolve()), str(username or "").strip().casefold())

    def _check_throttle(self, username: str) -> None:
        """``AuthError`` saying how long to wait while ``username`` must wait after too
        many wrong passwords (the password is not even checked then)."""
        with self._login_failures_lock:
            _count, until = self._login_failures.get(self._throttle_key(username),
                                                     (0, 0.0))
        wait = until - self._clock()
        if wait > 0:
            raise AuthError(f"too many wrong passwords for this account: wait "
                            f"{self._wait_text(wait)} before trying again")

    def _note_wrong_password(self, username: str) -> float:
        """Count a wrong password; returns how long the next attempt must wait (0: none).
        Unknown usernames count alike, so waiting reveals nothing."""
        key = self._throttle_key(username)
        with self._login_failures_lock:
            if len(self._login_failures) > 10_000:  # someone tries many names: forget
                now = self._clock()                 # those not waiting
                for other in [k for k, (_, until) in self._login_failures.items()
                              if until <= now]:
                    del self._login_failures[other]
            count = self._login_failures.get(key, (0, 0.0))[0] + 1
            wait = 0.0
            if count >= self._LOGIN_FREE_FAILURES:
                wait = min(self._LOGIN_FIRST_WAIT * 2 ** min(count - self._LOGIN_FREE_FAILURES,
                                                             20),
                           self._LOGIN_LONGEST_WAIT)
            self._login_failures[key] = (count, self._clock() + wait if wait else 0.0)
        return wait

    def _forget_wrong_passwords(self, username: str) -> None:
        with self._login_failures_lock:
            self._login_failures.pop(self._throttle_key(username), None)

    def _storage_guarded(self, action: str, write):
        """``write()``, with a full or read-only disk (file system or SQLite) turned into
        one ``LabError`` naming ``action``; anything else goes through unchanged."""
        try:
            return write()
        except Exception as exc:
            self._roll_back_if_left_open()
            error = storage_error(exc, action)
            if error is None:
                raise
            raise error from exc

    def _roll_back_if_left_open(self) -> None:
        """After a failed COMMIT (a full disk) SQLite may leave the transaction open; the
        next write would then join it and never be committed."""
        roll_back_if_left_open(self._db.conn)

    def _check_issuable(self, actor: Actor, row: dict) -> None:
        workflow.check_can_issue(actor, row["number"], row["state"])
        finding = queries.current_finding(self._db, row["id"])
        held = [c for c in queries.rule_changes(self._db, status="open",
                                                finding_id=finding["id"]) if c["worse"]] \
            if finding else []
        if held:
            moves = "; ".join(f"{c['jurisdiction']} {c['old_outcome']} -> {c['new_outcome']} "
                              f"under {c['new_ruleset']}" for c in held)
            raise StateError(f"{row['number']}: the origin rules changed after its finding "
                             f"was made ({moves}); a supervisor keeps the finding or reopens "
                             f"it (Review page, or labdesk rules settle) before a report is "
                             f"issued")
        if row["identification"] not in claims.IDENTIFICATION_CODES:
            raise StateError(f"{row['number']} is identified as "
                             f"{grading.label(row['identification']) or 'nothing yet'}: a "
                             f"report is issued for a natural or laboratory-grown diamond. "
                             f"Reopen the stone and record its identification.")

    def _set_aside_unrecorded_reports(self, number: str) -> None:
        """Under the write lock, before report ``number`` is written: move report PDFs that
        no record names (a process was killed between writing a PDF and committing its
        record) to ``reports/orphans/``, and remove the temporary files of killed writers.
        The whole folder is swept once per ``Lab``; after that only ``number``'s path."""
        folder = self.home / "reports"
        if getattr(self, "_reports_swept", False):
            candidates = [self._report_path(number)]
        else:
            candidates = sorted(folder.glob("*.pdf"))
            remove_dead_writers_temporary_files(folder)
        leftovers = [p for p in candidates if p.is_file()]
        if leftovers:
            recorded = {r["number"] for r in queries.all_reports(self._db)}
            stamp = utcnow()[:19].replace(":", "")
            for path in leftovers:
                if path.stem not in recorded:
                    orphans = folder / "orphans"
                    orphans.mkdir(exist_ok=True)
                    os.replace(path, orphans / f"{path.stem}-{stamp}.pdf")
        self._reports_swept = True

    def _remove_unrecorded_pdf(self, path: Path, number: str) -> None:
        """After a failed issue: the PDF written for ``number`` whose record was rolled
        back is removed (it was never issued; its claim must not circulate)."""
        try:
            if queries.report_by_number(self._db, number) is None:
                path.unlink(missing_ok=True)
        except Exception:  # noqa: BLE001 - the sweep at the next issue sets it aside
            pass


# ---------------------------------------------------------------------- helpers
def _read_verified(path: Path, sha256: str, what: str) -> bytes:
    import hashlib
    if not path.is_file():
        raise IntegrityError(f"the PDF of {what} is missing ({path.name})")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise IntegrityError(f"the PDF of {what} was altered on disk (SHA-256 differs)")
    return data


def stone_number(stone_id: int) -> str:
    """The number printed on a stone's envelope: D and seven digits."""
    return f"D{stone_id:07d}"


def _number_text(value) -> str:
    return " ".join(str(getattr(value, "number", value)).split()).upper()


def _stone_number_text(value) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return stone_number(value)
    return _number_text(value)


def _parse_stone_rows(stones) -> list[dict]:
    parsed, problems, memo = [], [], {}
    for index, fields in enumerate(stones, start=1):
        if not isinstance(fields, dict):
            problems.append({"row": index, "column": None, "value": fields,
                             "message": f"row {index}: a stone is a set of fields"})
            continue
        try:
            parsed.append(parse_stone_fields(fields, memo=memo))
        except ValidationError as exc:
            for p in exc.problems:
                problems.append({**p, "row": index,
                                 "message": f"stone {index}, {p['message']}"})
    if problems:
        first = problems[0]
        raise ValidationError("; ".join(p["message"] for p in problems[:20])
                              + (f"; and {len(problems) - 20} more" if len(problems) > 20
                                 else ""), field=first["column"], row=first["row"],
                              problems=problems)
    return parsed


def _parse_received_at(value) -> str:
    if value is None or value == "":
        moment = dt.datetime.now(dt.timezone.utc)
    elif isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(0, 0), dt.timezone.utc)
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(f"received_at: {value!r} is not a date and time",
                                  field="received_at") from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a naive time is the workstation's local time
    moment = moment.astimezone(dt.timezone.utc)
    if moment > dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5):
        raise ValidationError("received_at: stones cannot be received in the future",
                              field="received_at")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_day(value, field: str) -> dt.date:
    parsed = evidence_rules.parse_date(value, field)
    if parsed is None:
        raise ValidationError(f"{field}: a date is required", field=field)
    return dt.date.fromisoformat(parsed)


def _day_text(value, plus_days: int = 0) -> str | None:
    if value in (None, ""):
        return None
    day = _parse_day(value, "date") + dt.timedelta(days=plus_days)
    return day.isoformat()


def _optional_text(value, field: str, limit: int) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if len(text) > limit:
        raise ValidationError(f"{field}: {len(text)} characters, at most {limit}",
                              field=field)
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise ValidationError(f"{field}: control characters are not allowed", field=field)
    return text or None


def _optional_count(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{field}: {value!r} is not a whole number",
                              field=field) from None
    if number < 1:
        raise ValidationError(f"{field}: must be at least 1", field=field)
    return number


def _username(value) -> str:
    text = str(value or "").strip()
    if not (2 <= len(text) <= 40) or not all(c.isalnum() or c in "._-" for c in text):
        raise ValidationError("username: 2 to 40 letters, digits, dots, hyphens or "
                              "underscores", field="username")
    return text


def _person_name(value) -> str:
    text = _optional_text(value, "full_name", 100)
    if not text:
        raise ValidationError("full_name: a person's full name is required (it is printed "
                              "with their signature)", field="full_name")
    return text


def _client_name(value) -> str:
    text = _optional_text(value, "client", 200)
    if not text:
        raise ValidationError("client: a client's name is required", field="client")
    return " ".join(text.split())


def _actor(row: dict) -> Actor:
    return Actor(id=row["id"], username=row["username"], full_name=row["full_name"],
                 role=row["role"])


def _user(row: dict) -> User:
    return User(id=row["id"], username=row["username"], full_name=row["full_name"],
                role=row["role"], active=bool(row["active"]), created_at=row["created_at"])


def _client(row: dict) -> Client:
    return Client(id=row["id"], name=row["name"], address=row["address"],
                  contact=row["contact"], created_at=row["created_at"])


def _stone(row: dict) -> Stone:
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
        "mounted": bool(row.get("mounted"))})


def _attachment(row: dict, creator: str) -> Attachment:
    return Attachment(id=row["id"], evidence_id=row["evidence_id"], sha256=row["sha256"],
                      filename=row["filename"], size=row["size"],
                      media_type=row["media_type"], created_by=creator,
                      created_at=row["created_at"])


def _finding(row: dict, stone_no: str) -> Finding:
    return Finding(
        id=row["id"], stone=stone_no, origin=row["origin"],
        mining_country=row["mining_country"], statement=row["statement"],
        status=row["status"], proposed_by=row["proposed_by_name"],
        proposed_by_name=row["proposed_by_full"], proposed_at=row["proposed_at"],
        decided_by=row.get("decided_by_name"), decided_by_name=row.get("decided_by_full"),
        decided_at=row["decided_at"], decision_comment=row["decision_comment"],
        evidence_ids=tuple(json.loads(row["evidence_ids"])),
        assessments=json.loads(row["assessments"]))


def _event(row: dict) -> AuditEvent:
    if row["data"] is None:  # a batch event in a listing: its span, not its snapshots
        data = audit.batch_summary(row["entity_id"])
    else:
        data = row["data"] if isinstance(row["data"], dict) else audit.loads(row["data"])
    return AuditEvent(id=row["id"], at=row["at"], actor=row["actor"], action=row["action"],
                      entity=row["entity"], entity_id=row["entity_id"], data=data,
                      hash=row["hash"])


def _evidence_facts(row: dict, attachments: int) -> EvidenceFacts:
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


def _candidate_facts(candidate: dict, evidence: list[dict], totals: tuple[int, int]
                     ) -> StoneFacts:
    """A re-assessment candidate's facts (``queries.reassessment_candidates``)."""
    return StoneFacts(
        number=candidate["number"], weight_mct=candidate["weight_mct"],
        identification=candidate["identification"],
        received_on=dt.date.fromisoformat(candidate["received_at"][:10]),
        submission_weight_mct=totals[1], submission_count=totals[0],
        evidence=tuple(_evidence_facts(e, 0) for e in evidence),
        mounted=bool(candidate["mounted"]))


def rulesets_in_use() -> dict:
    """The rulesets in use: the shipped ones, or those in ``$LABDESK_RULESETS`` (a lab
    that keeps its own, edited copies)."""
    return _rulesets()


def _rulesets() -> dict:
    from labdesk.core.rulesets import default_rulesets_dir
    folder = os.environ.get("LABDESK_RULESETS") or str(default_rulesets_dir())
    return _rulesets_in(folder)


@functools.cache
def _rulesets_in(folder: str) -> dict:
    from labdesk.core.rulesets import load_rulesets
    return load_rulesets(folder)
