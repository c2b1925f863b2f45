"""A desk of a lab whose records live on a PostgreSQL server.

A desk's home holds ``desk.json`` (the server's address: never a password, which libpq
finds in ``~/.pgpass``, a service file or ``PGPASSWORD``), its read cache
(``cache/``), its backups and, on desks allowed to issue reports, the signing key
(``keys/``).  It holds no SQLite database: a home is one kind or the other.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from labdesk.errors import LabError
from labdesk.store import pg, queries, schema
from labdesk.store.disk import write_atomically

DESK_FILE = "desk.json"
#: A desk's folders (``reports`` is its cache of report PDFs, the database holding them).
DESK_FOLDERS = ("keys", "cache", "backups", "reports")


def is_desk(home: Path) -> bool:
    return (Path(home) / DESK_FILE).is_file()


def dsn_of(home: Path) -> str:
    path = Path(home) / DESK_FILE
    try:
        settings = json.loads(path.read_text())
        return pg.check_dsn(settings["database"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LabError(f"{path} cannot be read as a desk's settings ({exc}); join the lab "
                       f"again with 'labdesk join --database ...' in a new folder") from None


def write_desk(folder: Path, dsn: str) -> None:
    """The desk's settings (``desk.json``) and folders in ``folder``."""
    for name in DESK_FOLDERS:
        (folder / name).mkdir(parents=True, exist_ok=True)
    os.chmod(folder / "keys", 0o700)
    write_atomically(folder / DESK_FILE,
                     (json.dumps({"database": pg.check_dsn(dsn)}, indent=2) + "\n").encode(),
                     mode=0o600, action="writing the desk's settings")


def open_database(dsn: str, *, create: bool = False) -> pg.PgDatabase:
    """The lab's database at ``dsn``, at the current schema (migrated if older).

    ``create``: the database must be empty (a new lab).  Otherwise it must hold a lab:
    an empty database, another application's or a newer LabDesk's are refused with one
    sentence each."""
    db = pg.PgDatabase(pg.check_dsn(dsn))
    try:
        current = schema.version(db)
        if create:
            if current:
                raise LabError(f"the database {db.description} already holds a lab; join "
                               f"it with 'labdesk join --database ...' instead")
            return db
        if current == 0:
            raise LabError(f"the database {db.description} holds no lab yet; create one "
                           f"with 'labdesk init --database ...' (or move a lab there with "
                           f"'labdesk migrate --to ...')")
        if current != schema.LATEST:
            schema.migrate(db)  # newer: refused with a sentence naming both versions
        if not queries.users(db):
            raise LabError(f"the database {db.description} holds no users: the lab's "
                           f"creation was interrupted")
    except BaseException:
        db.close()
        raise
    return db


def join(home: Path, dsn: str) -> None:
    """Make ``home`` (absent or empty) a desk of the lab at ``dsn``."""
    home = Path(home)
    if home.exists() and any(home.iterdir()):
        raise LabError(f"{home} is not empty; join the lab in a new, empty folder")
    open_database(dsn).close()  # a lab is there, at a schema this LabDesk reads
    staging = home.with_name(f".{home.name}.joining-{os.getpid()}")
    try:
        staging.mkdir(parents=True)
        write_desk(staging, dsn)
        if home.exists():
            home.rmdir()
        os.replace(staging, home)
    except OSError as exc:
        raise LabError(f"{home}: the desk cannot be made ({exc.strerror or exc})") from None
    finally:
        if staging.exists():
            import shutil
            shutil.rmtree(staging, ignore_errors=True)
