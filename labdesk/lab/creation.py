"""Creating a lab: built whole in a staging folder beside its home, then moved into place,
so that an interrupted ``labdesk init`` leaves no half-made lab behind and a second try
simply works (issue 16, item 22)."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from labdesk.core import fields as parse
from labdesk.core.passwords import hash_password
from labdesk.core.settings import DEFAULT_SETTINGS, parse_setting
from labdesk.errors import LabError
from labdesk.lab import desks, reassessment, rulesets
from labdesk.lab.context import DB_NAME
from labdesk.reports import keys
from labdesk.store import schema, writes
from labdesk.store.connection import connect, transaction, utcnow
from labdesk.store.disk import fsync_dir

FOLDERS = ("documents", "reports", "keys", "backups")
_STAGING = ".{name}.creating-{pid}-"


def create(home: Path, lab_name: str, admin_username: str, admin_password: str,
           admin_name: str, settings: dict, database: str | None = None) -> dict:
    """Build a new lab for ``home`` and move it there; returns the admin's user row.

    Everything is checked before anything is written; ``home`` must hold no lab and
    nothing that would be mixed with one.  With ``database`` (a PostgreSQL address) the
    lab's records go to that empty database, in one transaction, and ``home`` becomes
    the lab's first desk, holding the signing key."""
    home = Path(home)
    if (home / DB_NAME).exists() or desks.is_desk(home):
        raise LabError(f"{home} already holds a lab; open it instead")
    _check_free(home)
    values = {"lab_name": lab_name, **settings}
    parsed = {k: parse_setting(k, v) for k, v in values.items()}
    username = parse.username(admin_username)
    full_name = parse.person_name(admin_name)
    password_hash = hash_password(admin_password)
    parent = home.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(parent, home.name)
    staging = Path(tempfile.mkdtemp(prefix=_STAGING.format(name=home.name, pid=os.getpid()),
                                    dir=parent))
    try:
        row = _build(staging, username, full_name, password_hash,
                     {**DEFAULT_SETTINGS, **parsed}, database)
        _move_into_place(staging, home)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return row


def _check_free(home: Path) -> None:
    """``home`` may not exist yet, or be empty, or hold only empty lab folders."""
    if not home.exists():
        return
    if not home.is_dir():
        raise LabError(f"{home} is a file, not a folder; choose a folder for the lab")
    for child in home.iterdir():
        if not (child.name in FOLDERS and child.is_dir() and not any(child.iterdir())):
            raise LabError(f"{home} already holds {child.name}; create the lab in an empty "
                           f"folder")


def _build(folder: Path, username: str, full_name: str, password_hash: str,
           settings: dict, database: str | None = None) -> dict:
    if database is not None:
        db = desks.open_database(database, create=True)
        desks.write_desk(folder, database)
    else:
        for name in FOLDERS:
            (folder / name).mkdir()
        os.chmod(folder / "keys", 0o700)
        db = connect(folder / DB_NAME)
    os.chmod(folder, 0o755)
    try:
        if database is None:
            schema.migrate(db)  # SQLite: its own transactions, in the staging folder
        now = utcnow()
        with transaction(db):  # PostgreSQL: the schema too, all of the lab or none
            if database is not None:
                schema.migrate(db)
            row = writes.insert(db, "users", {
                "username": username, "full_name": full_name, "role": "admin",
                "password_hash": password_hash, "active": 1, "created_at": now},
                username, "lab.init")
            for key, value in settings.items():
                writes.insert(db, "settings", {"key": key, "value": json.dumps(value)},
                              username, "settings.set")
            kid, pem = keys.new_key(folder / "keys")
            writes.insert(db, "signing_keys", {"kid": kid, "public_pem": pem,
                                               "created_at": now, "retired_at": None},
                          username, "key.create")
            for ruleset_row in reassessment.ruleset_rows(rulesets.in_use(), now):
                writes.insert(db, "rulesets", ruleset_row, username, "rules.adopt")
    finally:
        db.close()
    return row


def _move_into_place(staging: Path, home: Path) -> None:
    """One rename when ``home`` is absent or an empty folder; otherwise (it holds empty
    lab folders) each part in turn, the database last: a lab exists once its database
    does."""
    if not home.exists() or not any(home.iterdir()):
        os.replace(staging, home)
    else:
        for child in sorted(staging.iterdir(),
                           key=lambda p: p.name in (DB_NAME, desks.DESK_FILE)):
            os.replace(child, home / child.name)
        shutil.rmtree(staging, ignore_errors=True)
    fsync_dir(home.resolve().parent)


def _remove_abandoned_staging(parent: Path, name: str) -> None:
    """Staging folders of creations that were killed (their process is gone)."""
    prefix = f".{name}.creating-"
    for folder in parent.glob(f"{prefix}*"):
        try:
            pid = int(folder.name[len(prefix):].split("-", 1)[0])
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (ValueError, PermissionError, OSError):
            continue
