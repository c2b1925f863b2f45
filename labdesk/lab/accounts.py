"""Who works in the lab: logging in (and the lock after wrong passwords), users,
the lab's settings and its clients.

A service of the ``Lab`` facade (``labdesk.lab.facade``): called with the door's lock
held, it never takes it again and reaches the other services through its context.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

from labdesk.core import fields as parse
from labdesk.core import workflow
from labdesk.core.passwords import hash_password, verify_password
from labdesk.core.records import (Client, User)
from labdesk.core.settings import DEFAULT_SETTINGS, parse_setting
from labdesk.errors import (AuthError, IntegrityError, NotFound, ValidationError,
                            storage_error)
from labdesk.store import queries, writes
from labdesk.store import rows as as_record
from labdesk.store.connection import transaction, utcnow



#: Wrong passwords in a row after which an account is locked, and for how long.
LOCK_AFTER = 5
LOCK_MINUTES = 15


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


#: The clock of the locks (UTC, timezone-aware); a test puts its own.
CLOCK = _utc_now


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _moment(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def until_text(moment: dt.datetime) -> str:
    """When a lock ends, in this computer's time: '14:32', or '14:32 on 2025-03-05' when
    that is not today."""
    local = moment.astimezone()
    text = local.strftime("%H:%M")
    if local.date() != CLOCK().astimezone().date():
        text += f" on {local.date().isoformat()}"
    return text


def locked_message(until: dt.datetime) -> str:
    return (f"this account is locked after {LOCK_AFTER} wrong passwords in a row, until "
            f"{until_text(until)}; try again then, or ask an admin to unlock it")


def _just_locked(until: dt.datetime | None) -> str:
    return (f"; that was the {_ordinal(LOCK_AFTER)} wrong password in a row: the account "
            f"is locked until {until_text(until)} (an admin can unlock it sooner)"
            if until else "")


def _ordinal(number: int) -> str:
    return {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}.get(
        number, f"{number}th")


class Throttle:
    """Wrong passwords for usernames no account has, kept in this process's memory, so
    that they meet the same lock (and the same message) as an account's, which the
    database keeps (``users.failed_logins``, ``users.locked_until``): after
    ``LOCK_AFTER`` in a row, ``LOCK_MINUTES`` of refusal."""

    def __init__(self):
        self.failures: dict[tuple[str, str], tuple[int, dt.datetime | None]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(home: Path, username: str) -> tuple[str, str]:
        return (str(Path(home).resolve()), str(username or "").strip().casefold())

    def locked_until(self, home: Path, username: str) -> dt.datetime | None:
        with self._lock:
            _count, until = self.failures.get(self._key(home, username), (0, None))
        return until if until is not None and until > CLOCK() else None

    def note_wrong_password(self, home: Path, username: str) -> dt.datetime | None:
        """Count a wrong password; returns until when the name is now locked (None: not
        locked by this one)."""
        key = self._key(home, username)
        now = CLOCK()
        with self._lock:
            if len(self.failures) > 10_000:      # someone tries many names: forget those
                for other in [k for k, (_, until) in self.failures.items()
                              if until is None or until <= now]:
                    del self.failures[other]
            count, until = self.failures.get(key, (0, None))
            if until is not None and until <= now:  # a lock that ended: count again
                count, until = 0, None
            count += 1
            locked = now + dt.timedelta(minutes=LOCK_MINUTES) if count >= LOCK_AFTER \
                else None
            self.failures[key] = (count, locked)
        return locked

    def forget(self, home: Path, username: str) -> None:
        with self._lock:
            self.failures.pop(self._key(home, username), None)


#: The one throttle of this process (for names no account has).
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

        Wrong passwords are counted in the database (every process and desk sees them,
        each audited): after ``LOCK_AFTER`` in a row the account is locked for
        ``LOCK_MINUTES`` minutes, and every attempt meanwhile (even with the right
        password) is refused with ``AuthError`` saying until when.  An admin may unlock
        it sooner (``unlock_user``).  A success starts the count again."""
        name = str(username or "").strip()
        row = queries.user_by_name(self.db, name)
        until = self.locked_until(row) if row else THROTTLE.locked_until(self.ctx.home,
                                                                         name)
        if until is not None:
            self.ctx.log_out()
            raise AuthError(locked_message(until))
        ok = row is not None and verify_password(row["password_hash"], password)
        if not ok or not row["active"]:
            self.ctx.log_out()
            locked = self.note_wrong_password(row, name, "login")
            raise AuthError("wrong username or password, or the account is deactivated"
                            + _just_locked(locked))
        self.clear_failures(row)
        return self.ctx.log_in(queries.user_by_id(self.db, row["id"]))

    def locked_until(self, row: dict) -> dt.datetime | None:
        """Until when the account of ``row`` is locked (None: it is not)."""
        until = _moment(row.get("locked_until"))
        return until if until is not None and until > CLOCK() else None

    def note_wrong_password(self, row: dict | None, name: str, during: str
                            ) -> dt.datetime | None:
        """Count a wrong password for the account of ``row`` (in the database, audited;
        for a name no account has, in this process's memory); returns until when the
        account is now locked, when this one locked it."""
        if row is None:
            return THROTTLE.note_wrong_password(self.ctx.home, name)
        try:
            with transaction(self.db):
                current = queries.user_by_id(self.db, row["id"])  # under the write lock
                now = CLOCK()
                count = current.get("failed_logins") or 0
                until = _moment(current.get("locked_until"))
                changes: dict = {}
                if until is not None and until <= now:  # a lock that ended: count again
                    count, changes["locked_until"] = 0, None
                count += 1
                changes["failed_logins"] = count
                locked = None
                if count >= LOCK_AFTER and (until is None or until <= now):
                    locked = now + dt.timedelta(minutes=LOCK_MINUTES)
                    changes["locked_until"] = _iso(locked)
                writes.update(self.db, "users", current["id"], changes,
                              current["username"],
                              "user.lock" if locked else "user.login_failed",
                              during=during, failures=count)
            return locked
        except Exception as exc:  # a lab on a read-only disk still answers the login
            self.ctx.roll_back_if_left_open()
            if storage_error(exc, "counting a wrong password") is None:
                raise
            return THROTTLE.note_wrong_password(self.ctx.home, name)

    def clear_failures(self, row: dict) -> None:
        """After the right password: the count of wrong ones starts again."""
        if not row.get("failed_logins") and not row.get("locked_until"):
            return
        with transaction(self.db):
            writes.update(self.db, "users", row["id"],
                          {"failed_logins": 0, "locked_until": None}, row["username"],
                          "user.failures_cleared")

    def unlock_user(self, username: str) -> User:
        """An admin unlocks an account locked after wrong passwords (audited)."""
        actor = self.ctx.require_actor()
        workflow.check_admin(actor, "unlock accounts")
        row = self.user_row(username)
        THROTTLE.forget(self.ctx.home, row["username"])
        if row.get("failed_logins") or row.get("locked_until"):
            with transaction(self.db):
                row, _ = writes.update(self.db, "users", row["id"],
                                       {"failed_logins": 0, "locked_until": None},
                                       actor.username, "user.unlock",
                                       was_locked_until=row.get("locked_until"))
        return as_record.user(row)

    def logout(self) -> None:
        self.ctx.log_out()

    def reauthenticate(self, password: str) -> None:
        """Check the logged-in user's password again, before a signature.  Wrong
        passwords count towards the same lock as ``login``'s."""
        actor = self.ctx.require_actor()
        row = queries.user_by_id(self.db, actor.id)
        until = self.locked_until(row)
        if until is not None:
            raise AuthError(locked_message(until))
        if not row["active"] or not verify_password(row["password_hash"], password):
            locked = self.note_wrong_password(row, actor.username, "signature")
            raise AuthError(f"the password for {actor.username} is not correct"
                            + _just_locked(locked))
        self.clear_failures(row)

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
            until = self.locked_until(row)
            if until is not None:
                raise AuthError(locked_message(until))
            if not verify_password(row["password_hash"], old_password or ""):
                locked = self.note_wrong_password(row, actor.username, "password change")
                raise AuthError("the current password is not correct" + _just_locked(locked))
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
