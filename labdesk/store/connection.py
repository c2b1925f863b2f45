"""Opening the lab's SQLite database with the pragmas every connection needs."""
from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import time
from pathlib import Path

import sqlite_utils

from labdesk.errors import LabError, storage_error

BUSY_TIMEOUT_MS = 10_000
#: ``schema.MOVED`` (kept here too: schema imports this module)
MOVED = 1_999_999_999


def connect(path: Path | str) -> sqlite_utils.Database:
    """A connection in WAL mode with foreign keys on, synchronous FULL and a busy timeout.

    sqlite-utils does not turn foreign keys on by itself, so every connection opened by
    LabDesk goes through here.  Transactions are explicit (see ``transaction``).
    """
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000,
                           isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise LabError(f"{path}: the database cannot use write-ahead logging ({mode})")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = FULL")
    except BaseException:
        conn.close()
        raise
    return sqlite_utils.Database(conn)


@contextlib.contextmanager
def transaction(db: sqlite_utils.Database):
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception.

    IMMEDIATE takes the write lock at the start, so two LabDesk processes queue behind
    the busy timeout instead of failing half-way with "database is locked".  Nested use
    joins the outer transaction through a savepoint.
    """
    if is_pg(db):
        with db.transaction():
            yield db
        return
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    _begin_immediate(conn)
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] == MOVED:
            raise LabError("this lab was moved to a lab server: close this window and "
                           "open the lab again from its home (now a desk of the server)")
        yield db
        conn.execute("COMMIT")
    except BaseException as exc:  # the body failed, or COMMIT did (a full disk)
        roll_back_if_left_open(conn)
        clear = storage_error(exc, "saving to the lab's database") \
            if isinstance(exc, sqlite3.DatabaseError) else None
        if clear is not None:
            raise clear from exc
        raise


def is_pg(db) -> bool:
    """Whether ``db`` is a PostgreSQL lab's (``store.pg``) rather than SQLite's."""
    return getattr(db, "dialect", "sqlite") == "postgresql"


def roll_back_if_left_open(conn: sqlite3.Connection) -> None:
    """Roll back a transaction a failure left open: SQLite may keep it open after a
    COMMIT that failed (a full disk), and the next write would join it and never be
    committed."""
    if hasattr(conn, "raw"):  # PostgreSQL's (store.pg)
        conn._owner.roll_back_if_left_open()
        return
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:  # SQLite had rolled it back already
            pass


def _begin_immediate(conn: sqlite3.Connection) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise LabError("another LabDesk window has held the lab's database for a "
                               "minute; try again when it has finished") from exc
            time.sleep(0.05)


def utcnow() -> str:
    """The current time, UTC, ISO-8601 with microseconds and a Z."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def snapshot_of(db, path: Path | str):
    """``snapshot`` of the lab whose database ``db`` is (a SQLite file at ``path``, or
    a PostgreSQL server)."""
    return db.snapshot() if is_pg(db) else snapshot(path)


def stream(db, sql: str, params=()):
    """The rows of a long query one at a time, in constant memory (PostgreSQL: a
    server-side cursor, inside the snapshot's transaction)."""
    if not is_pg(db):
        yield from db.conn.execute(sql, params)
        return
    from labdesk.store.pg import translate
    # the whole result will be read: plan for it (PostgreSQL otherwise plans a cursor
    # for its first rows, a nested loop that takes hours over a million stones)
    if db.conn.in_transaction:
        db.raw.execute("SET LOCAL cursor_tuple_fraction = 1.0")
    else:
        db.raw.execute("SET cursor_tuple_fraction = 1.0")
    with db.raw.cursor(name="labdesk_stream",
                       withhold=not db.conn.in_transaction) as cursor:
        cursor.itersize = 2000
        cursor.execute(translate(sql), params or None)
        yield from cursor


@contextlib.contextmanager
def snapshot(path: Path | str):
    """A connection of its own holding one read transaction: the lab as it was when the
    first statement ran, whatever other connections write meanwhile (WAL).  Long reads
    (``check``, ``backup``) use it so that they hold no lock any other call needs."""
    db = connect(path)
    try:
        db.conn.execute("BEGIN")          # deferred: the snapshot starts at the first read
        db.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        yield db
    finally:
        try:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
        finally:
            db.close()
