"""Who works in the lab: logging in (and the wait after wrong passwords), users,
the lab's settings and its clients.

A service of the ``Lab`` facade (``labdesk.lab.facade``): called with the door's lock
held, it never takes it again and reaches the other services through its context.
"""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from labdesk.core import fields as parse
from labdesk.core import workflow
from labdesk.core.passwords import hash_password, verify_password
from labdesk.core.records import (Client, User)
from labdesk.core.settings import DEFAULT_SETTINGS, parse_setting
from labdesk.errors import (AuthError, IntegrityError, NotFound, ValidationError)
from labdesk.store import queries, writes
from labdesk.store import rows as as_record
from labdesk.store.connection import transaction, utcnow



def wait_text(seconds: float) -> str:
    """'30 seconds', '4 minutes'."""
    seconds = max(1, int(seconds + 0.999))
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{(seconds + 59) // 60} minutes"


class Throttle:
    """The wait after wrong passwords: after ``FREE_FAILURES`` in a row for a username,
    each further attempt waits (``FIRST_WAIT`` seconds, doubling up to
    ``LONGEST_WAIT``).  This process's memory, shared by every ``Lab`` opened on the same
    home (a second window too); ``clock`` only goes forward (a test puts its own)."""

    FREE_FAILURES = 5
    FIRST_WAIT = 30.0
    LONGEST_WAIT = 15 * 60.0

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.failures: dict[tuple[str, str], tuple[int, float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(home: Path, username: str) -> tuple[str, str]:
        return (str(Path(home).resolve()), str(username or "").strip().casefold())

    def check(self, home: Path, username: str) -> None:
        """``AuthError`` saying how long to wait while ``username`` must wait after too
        many wrong passwords (the password is not even checked then)."""
        with self._lock:
            _count, until = self.failures.get(self._key(home, username), (0, 0.0))
        wait = until - self.clock()
        if wait > 0:
            raise AuthError(f"too many wrong passwords for this account: wait "
                            f"{wait_text(wait)} before trying again")

    def note_wrong_password(self, home: Path, username: str) -> float:
        """Count a wrong password; returns how long the next attempt must wait (0: none).
        Unknown usernames count alike, so waiting reveals nothing."""
        key = self._key(home, username)
        with self._lock:
            if len(self.failures) > 10_000:      # someone tries many names: forget those
                now = self.clock()               # not waiting
                for other in [k for k, (_, until) in self.failures.items() if until <= now]:
                    del self.failures[other]
            count = self.failures.get(key, (0, 0.0))[0] + 1
            wait = 0.0
            if count >= self.FREE_FAILURES:
                wait = min(self.FIRST_WAIT * 2 ** min(count - self.FREE_FAILURES, 20),
                           self.LONGEST_WAIT)
            self.failures[key] = (count, self.clock() + wait if wait else 0.0)
        return wait

    def forget(self, home: Path, username: str) -> None:
        with self._lock:
            self.failures.pop(self._key(home, username), None)


#: The one throttle of this process.
THROTTLE = Throttle()


class Accounts:
    """The ``Lab`` facade's accounts work."""

    def __init__(self, ctx):
        self.ctx = ctx

    @property
    def db(self):
        return self.ctx.db

    def login(self, username: str, password: str) -> User:
        """Log in; ``AuthError`` for an unknown user, a wrong password or a deactivated
        account (one message for all three, so it does not reveal which).

        After ``Throttle.FREE_FAILURES`` wrong passwords in a row for a username, each
        further attempt must wait (30 s, doubling up to 15 min): ``AuthError`` saying how
        long, without checking the password."""
        name = str(username or "").strip()
        try:
            THROTTLE.check(self.ctx.home, name)
        except AuthError:
            self.ctx.log_out()
            raise
        row = queries.user_by_name(self.db, name)
        ok = row is not None and verify_password(row["password_hash"], password)
        if not ok or not row["active"]:
            self.ctx.log_out()
            wait = THROTTLE.note_wrong_password(self.ctx.home, name)
            raise AuthError("wrong username or password, or the account is deactivated"
                            + (f"; too many wrong passwords: wait {wait_text(wait)} "
                               f"before trying again" if wait else ""))
        THROTTLE.forget(self.ctx.home, name)
        return self.ctx.log_in(row)

    def logout(self) -> None:
        self.ctx.log_out()

    def reauthenticate(self, password: str) -> None:
        """Check the logged-in user's password again, before a signature.  Wrong
        passwords count towards the same wait as ``login``'s."""
        actor = self.ctx.require_actor()
        THROTTLE.check(self.ctx.home, actor.username)
        row = queries.user_by_id(self.db, actor.id)
        if not row["active"] or not verify_password(row["password_hash"], password):
            wait = THROTTLE.note_wrong_password(self.ctx.home, actor.username)
            raise AuthError(f"the password for {actor.username} is not correct"
                            + (f"; too many wrong passwords: wait {wait_text(wait)} "
                               f"before trying again" if wait else ""))
        THROTTLE.forget(self.ctx.home, actor.username)

    def settings(self) -> dict:
        values = dict(DEFAULT_SETTINGS)
        values.update({k: json.loads(v) for k, v in queries.settings(self.db).items()})
        return values

    def update_settings(self, **values) -> dict:
        """Change the lab's settings (admins only); each change is audited."""
        actor = self.ctx.require_actor()
        workflow.check_admin(actor, "change the lab's settings")
        parsed = {k: parse_setting(k, v) for k, v in values.items()}
        if parsed.get("logo"):
            try:
                self.ctx.documents.verify(parsed["logo"])
            except IntegrityError:
                raise ValidationError("logo: no stored image has that SHA-256; use "
                                      "set_logo(path)", field="logo") from None
        current = queries.settings(self.db)
        with transaction(self.db):
            for key, value in parsed.items():
                text = json.dumps(value)
                if key in current:
                    writes.update(self.db, "settings", key, {"value": text},
                                  actor.username, "settings.set")
                else:
                    writes.insert(self.db, "settings", {"key": key, "value": text},
                                  actor.username, "settings.set")
        return self.settings()

    def set_logo(self, path) -> str:
        """Store an image as the lab's logo (admins only); returns its SHA-256."""
        actor = self.ctx.require_actor()
        workflow.check_admin(actor, "change the lab's logo")
        limit = self.settings()["max_attachment_mb"] * 1_000_000
        path = Path(path)

        def check(copy):  # before copying, and again on the very bytes stored
            _size, media_type = self.ctx.documents.check_file(copy, limit, name=path.name)
            if not media_type.startswith("image/") or media_type == "image/tiff":
                raise ValidationError("logo: use a PNG, JPEG or GIF image", field="logo")

        check(path)
        sha = self.ctx.documents.put(path, limit, check=check)
        self.ctx.storage_guarded("setting the logo", lambda: self.update_settings(logo=sha))
        return sha

    def add_user(self, username: str, full_name: str, role: str, password: str) -> User:
        actor = self.ctx.require_actor()
        workflow.check_admin(actor, "add users")
        name = parse.username(username)
        role = str(role or "").strip().lower()
        if role not in workflow.ROLES:
            raise ValidationError(f"role: {role!r} is not a role (one of: "
                                  f"{', '.join(workflow.ROLES)})", field="role")
        if queries.user_by_name(self.db, name):
            raise ValidationError(f"username: {name} is taken", field="username")
        row = {"username": name, "full_name": parse.person_name(full_name), "role": role,
               "password_hash": hash_password(password), "active": 1,
               "created_at": utcnow()}
        with transaction(self.db):
            stored = writes.insert(self.db, "users", row, actor.username, "user.add")
        return as_record.user(stored)

    def user_row(self, username: str) -> dict:
        row = queries.user_by_name(self.db, str(username or "").strip())
        if row is None:
            raise NotFound(f"username: no user {username!r}", field="username")
        return row

    def set_user_active(self, username: str, active: bool) -> User:
        """Deactivate (or reactivate) an account; a deactivated user cannot log in."""
        actor = self.ctx.require_actor()
        workflow.check_admin(actor, "deactivate users")
        row = self.user_row(username)
        if row["id"] == actor.id and not active:
            raise ValidationError("username: you cannot deactivate your own account",
                                  field="username")
        with transaction(self.db):
            stored, _ = writes.update(self.db, "users", row["id"], {"active": int(active)},
                                      actor.username,
                                      "user.activate" if active else "user.deactivate")
        return as_record.user(stored)

    def deactivate_user(self, username: str) -> User:
        return self.set_user_active(username, False)

    def set_password(self, username: str, new_password: str,
                     old_password: str | None = None) -> None:
        """An admin resets anyone's password; a user changes their own with the old one."""
        actor = self.ctx.require_actor()
        row = self.user_row(username)
        if row["id"] == actor.id and actor.role != "admin":
            THROTTLE.check(self.ctx.home, actor.username)
            if not verify_password(row["password_hash"], old_password or ""):
                THROTTLE.note_wrong_password(self.ctx.home, actor.username)  # guesses are slowed too
                raise AuthError("the current password is not correct")
        elif row["id"] != actor.id:
            workflow.check_admin(actor, "reset other users' passwords")
        with transaction(self.db):
            writes.update(self.db, "users", row["id"],
                          {"password_hash": hash_password(new_password)}, actor.username,
                          "user.password")

    def users(self) -> list[User]:
        return [as_record.user(r) for r in queries.users(self.db)]

    def add_client(self, name: str, address: str | None = None,
                   contact: str | None = None) -> Client:
        actor = self.ctx.require_actor()
        clean = parse.client_name(name)
        if queries.client_by_name(self.db, clean):
            raise ValidationError(f"client: {clean} exists already", field="client")
        with transaction(self.db):
            row = writes.insert(self.db, "clients", {
                "name": clean, "address": parse.optional_text(address, "address", 500),
                "contact": parse.optional_text(contact, "contact", 200),
                "created_at": utcnow()}, actor.username, "client.add")
        return as_record.client(row)

    def update_client(self, client: str, **fields) -> Client:
        """Change a client's name, address or contact."""
        actor = self.ctx.require_actor()
        row = queries.client_by_name(self.db, str(getattr(client, "name", client)).strip())
        if row is None:
            raise NotFound(f"client: no client {client!r}", field="client")
        changes = {}
        for key, value in fields.items():
            if key == "name":
                changes["name"] = parse.client_name(value)
                other = queries.client_by_name(self.db, changes["name"])
                if other is not None and other["id"] != row["id"]:
                    raise ValidationError(f"name: another client is called "
                                          f"{changes['name']}", field="name")
            elif key in ("address", "contact"):
                changes[key] = parse.optional_text(value, key, 500)
            else:
                raise ValidationError(f"{key}: not a client field", field=key)
        with transaction(self.db):
            stored, _ = writes.update(self.db, "clients", row["id"], changes,
                                      actor.username, "client.update")
        return as_record.client(stored)

    def clients(self, prefix: str | None = None) -> list[Client]:
        return [as_record.client(r) for r in queries.clients(self.db, prefix)]
