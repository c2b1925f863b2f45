"""PostgreSQL as the lab's database, for a lab with several desks (psycopg 3).

``PgDatabase`` answers the few calls the store makes of a database (``execute``,
``conn.execute``/``executemany``/``in_transaction``, ``close``) so that the store's SQL,
written once in SQLite's dialect, serves both backends: ``translate`` turns it into
PostgreSQL's (placeholders, quoted names, the few functions that differ).  What differs
in substance lives beside it: the DDL (``pg_schema``), the search (``search_index``),
bulk loading with ``COPY`` (``copy_rows``), locking (``transaction``).

Every write transaction takes one advisory lock first, as SQLite's ``BEGIN IMMEDIATE``
takes its write lock: desks queue for it, and under it the audit chain's head, the next
ids and the next report number are read and written by one desk at a time (no fork, no
duplicate, no gap).  Reads never wait for it.  Each write transaction ends with a
``NOTIFY`` (delivered at commit) that other desks listen for to refresh.
"""
from __future__ import annotations

import contextlib
import functools
import re
import threading
import time
from urllib.parse import parse_qsl, urlsplit

from labdesk.errors import LabError

#: The advisory lock every write transaction holds ('LabD').
WRITE_LOCK = 0x4C616244
#: The channel a committed write is announced on.
CHANNEL = "labdesk_changes"
#: How long a write waits for another desk's; how long a desk may leave a transaction idle.
LOCK_WAIT = "60s"
IDLE_LIMIT = "5min"

_LITERAL_OR_TOKEN = re.compile(
    r"""('(?:[^']|'')*')"""          # a string literal: left alone (but for %)
    r"""|\[([^\]]+)\]"""             # [name] -> "name"
    r"""|(?<![:\w]):(\w+)"""         # :name -> %(name)s (not a :: cast)
    r"""|(\?)"""                     # ? -> %s
    r"""|(%)""")
_REWRITES = [
    # x = ? COLLATE NOCASE: ASCII case folding, as SQLite's NOCASE
    (re.compile(r"([\w.]+) = \? COLLATE NOCASE"), r"lower(\1) = lower(?)"),
    (re.compile(r"\s+COLLATE NOCASE"), ""),
    # LIKE on a name of the case-blind collation (pg_schema): on its lower-case text
    (re.compile(r"lower\(([\w.]+)\) LIKE"), r'lower(\1) COLLATE "C" LIKE'),
    # GLOB 'prefix*' (case-sensitive): LIKE is case-sensitive in PostgreSQL
    (re.compile(r"(\w+(?:\.\w+)?) GLOB '([^'*?\[%_]*)\*'"), r"\1 LIKE '\2%'"),
    (re.compile(r"group_concat\(([\w.]+), "), r"string_agg(CAST(\1 AS TEXT), "),
    (re.compile(r"\binstr\("), "strpos("),
]


@functools.lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """The store's SQL (SQLite's dialect) as psycopg takes it for PostgreSQL."""
    for pattern, replacement in _REWRITES:
        sql = pattern.sub(replacement, sql)

    def token(match: re.Match) -> str:
        literal, name, param, mark, percent = match.groups()
        if literal is not None:
            return literal.replace("%", "%%")
        if name is not None:
            return '"' + name.replace('"', '""') + '"'
        if param is not None:
            return f"%({param})s"
        if mark is not None:
            return "%s"
        return "%%"
    return _LITERAL_OR_TOKEN.sub(token, sql)


# -- connection settings ------------------------------------------------------------------

def check_dsn(dsn: str) -> str:
    """A PostgreSQL address as a desk keeps it: a ``postgresql://`` URL or libpq
    ``key=value`` settings, never with a password in it (libpq finds the password in a
    password file, a service file or ``PGPASSWORD``)."""
    text = str(dsn or "").strip()
    if not text:
        raise LabError("database: give the lab server's address, e.g. "
                       "postgresql://labdesk@db.lab.local/labdesk")
    if text.startswith(("postgresql://", "postgres://")):
        parts = urlsplit(text)
        if parts.password or any(k == "password" for k, _ in parse_qsl(parts.query)):
            raise LabError("database: the address holds a password; LabDesk never stores "
                           "one: remove it and put it in ~/.pgpass (or a service file, or "
                           "PGPASSWORD)")
        return text
    if "=" in text:
        if re.search(r"(^|\s)password\s*=", text):
            raise LabError("database: the settings hold a password; LabDesk never stores "
                           "one: remove it and put it in ~/.pgpass (or a service file, or "
                           "PGPASSWORD)")
        return text
    raise LabError(f"database: {text!r} is not a PostgreSQL address (postgresql://user@"
                   f"host:port/database, or service=NAME)")


def describe(dsn: str) -> str:
    """What a person is told a desk is on: 'PostgreSQL labdesk on db.lab.local:5432'."""
    try:
        import psycopg
        info = psycopg.conninfo.conninfo_to_dict(dsn)
    except Exception:  # noqa: BLE001 - only a label
        return "PostgreSQL"
    host = info.get("host") or info.get("service") or "localhost"
    port = info.get("port")
    where = f"{host}:{port}" if port else host
    return f"PostgreSQL {info.get('dbname') or info.get('service') or ''} on {where}".replace(
        "  ", " ")


def connection_error(exc: Exception, dsn: str) -> LabError:
    """One sentence for a connection that failed or was lost."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    where = describe(dsn)
    if "password authentication failed" in text or "no password supplied" in text:
        return LabError(f"the lab server ({where}) refused the login: {text}. Put the "
                        f"password in ~/.pgpass or set PGPASSWORD")
    if "does not exist" in text and "database" in text:
        return LabError(f"the lab server ({where}) has no such database: {text}")
    if "Connection refused" in text or "could not translate host" in text or \
            "timeout" in text.lower() or "No route" in text:
        return LabError(f"the lab server ({where}) cannot be reached: {text}. Check the "
                        f"address and that the server is running")
    return LabError(f"the lab server ({where}) cannot be used: {text}")


LOST = ("the connection to the lab server was lost during this operation; nothing of it "
        "was saved. Try again")


# -- the database -------------------------------------------------------------------------

class _Conn:
    """What the store asks of ``db.conn``: execute, executemany, in_transaction."""

    def __init__(self, owner: "PgDatabase"):
        self._owner = owner

    @property
    def raw(self):
        return self._owner.raw

    @property
    def in_transaction(self) -> bool:
        import psycopg
        return self._owner.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def execute(self, sql: str, params=None):
        return self._owner.execute(sql, params)

    def executemany(self, sql: str, rows) -> None:
        rows = list(rows)
        if not rows:
            return
        with self._owner.guarded():
            with self._owner.raw.cursor() as cursor:
                cursor.executemany(translate(sql), rows)


class PgDatabase:
    """One desk's connection to the lab's PostgreSQL database."""

    dialect = "postgresql"

    def __init__(self, dsn: str, *, connect_timeout: int = 10):
        self.dsn = dsn
        self._timeout = connect_timeout
        self.raw = self._connect()
        self.conn = _Conn(self)
        self._writing = False  # inside transaction(): a lost connection is never replaced
        self._writer: int | None = None  # the thread whose transaction is open
        self.pinned = False    # a snapshot: never replaced by a new connection

    def _connect(self):
        import psycopg
        try:
            # keepalives: a desk whose network died is noticed in about a minute, and the
            # server ends a transaction left idle, so no dead desk holds the write lock
            raw = psycopg.connect(self.dsn, autocommit=True,
                                  connect_timeout=self._timeout,
                                  application_name="LabDesk", keepalives=1,
                                  keepalives_idle=30, keepalives_interval=10,
                                  keepalives_count=3)
            raw.execute("SET TIME ZONE 'UTC'")
            raw.execute(f"SET idle_in_transaction_session_timeout = '{IDLE_LIMIT}'")
        except psycopg.Error as exc:
            raise connection_error(exc, self.dsn) from None
        return raw

    @property
    def description(self) -> str:
        return describe(self.dsn)

    def _reconnect_if_lost(self) -> None:
        """A connection the server dropped is opened again before the next operation
        (never within a write transaction: its statements would then run without it;
        the operation is refused whole instead)."""
        if (self.raw.closed or self.raw.broken) and not self._writing and not self.pinned:
            self.raw = self._connect()

    @contextlib.contextmanager
    def guarded(self):
        """psycopg's errors as LabDesk's: a lost connection is one sentence."""
        import psycopg
        try:
            yield
        except psycopg.OperationalError as exc:
            if self.raw.closed or self.raw.broken:
                raise LabError(LOST) from exc
            raise

    def execute(self, sql: str, params=None):
        self._reconnect_if_lost()
        text = translate(sql)
        if not params:  # psycopg sends a query without parameters as written
            text = text.replace("%%", "%")
        with self.guarded():
            return self.raw.execute(text, params if params else None)

    def close(self) -> None:
        self.raw.close()

    # -- transactions -------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self):
        """BEGIN, the write lock, the body, NOTIFY, COMMIT; or ROLLBACK.  Nested use
        joins the outer transaction through a savepoint.

        The write lock is waited for a minute at most (a desk that holds it longer is
        stuck), then the operation is refused with a sentence.  A connection lost at
        COMMIT is opened again to tell whether the server committed (the chain's head
        the transaction wrote is there, or not): saved, or one sentence."""
        import psycopg
        if self._writing and self._writer == threading.get_ident():
            self.raw.execute("SAVEPOINT labdesk_nested")
            try:
                yield self
            except BaseException:
                if not (self.raw.closed or self.raw.broken):
                    self.raw.execute("ROLLBACK TO SAVEPOINT labdesk_nested")
                raise
            self.raw.execute("RELEASE SAVEPOINT labdesk_nested")
            return
        self._reconnect_if_lost()
        self._writing, self._writer = True, threading.get_ident()
        try:
            with self.guarded():
                self.raw.execute("BEGIN")
                self.raw.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
                try:
                    self.raw.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
                except psycopg.errors.LockNotAvailable:
                    raise LabError("another desk has held the lab's database for a "
                                   "minute; try again when it has finished") from None
            yield self
            with self.guarded():
                if not self.conn.in_transaction:  # rolled back under our feet
                    raise LabError("the transaction was ended before it was saved; "
                                   "nothing of it was saved. Try again")
                head = self.raw.execute("SELECT id, hash FROM audit ORDER BY id DESC "
                                        "LIMIT 1").fetchone()
                self.raw.execute(f"NOTIFY {CHANNEL}")
            try:
                self.raw.execute("COMMIT")
            except psycopg.OperationalError as exc:
                if not (self.raw.closed or self.raw.broken):
                    raise
                if not self._committed_after_all(head):
                    raise LabError(LOST) from exc
        except BaseException:
            self.roll_back_if_left_open()
            raise
        finally:
            self._writing, self._writer = False, None

    def _committed_after_all(self, head) -> bool:
        """After the connection was lost at COMMIT: whether the server committed (the
        chain's head as the transaction left it is in the database).  ``LabError`` when
        the server cannot be asked."""
        try:
            check = PgDatabase(self.dsn, connect_timeout=self._timeout)
        except LabError:
            raise LabError("the connection to the lab server was lost while this was being "
                           "saved, and the server cannot be asked whether it was: look at "
                           "the stone's history before doing it again") from None
        try:
            if head is None:
                return False
            found = check.raw.execute("SELECT hash FROM audit WHERE id = %s",
                                      [head[0]]).fetchone()
            return found is not None and found[0] == head[1]
        finally:
            check.close()

    def roll_back_if_left_open(self) -> None:
        """Roll back the transaction this thread left open (never another thread's)."""
        import psycopg
        if self.raw.closed or self.raw.broken:
            return
        if self._writer is not None and self._writer != threading.get_ident():
            return
        try:
            if self.conn.in_transaction:
                self.raw.execute("ROLLBACK")
        except psycopg.Error:
            pass

    @contextlib.contextmanager
    def snapshot(self):
        """A connection of its own holding one read-only, repeatable-read transaction:
        the lab as it was at its first statement (``check``, ``backup``)."""
        other = PgDatabase(self.dsn, connect_timeout=self._timeout)
        other.pinned = True
        try:
            # a long read (a backup zipping its files) may rest between statements
            other.raw.execute("SET idle_in_transaction_session_timeout = 0")
            other.raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield other
        finally:
            try:
                other.roll_back_if_left_open()
            finally:
                other.close()

    # -- bulk ---------------------------------------------------------------------------
    def copy_rows(self, table: str, columns: list[str], rows: list[dict]) -> None:
        """Many complete rows with COPY (the bulk path of an intake)."""
        names = ", ".join(f'"{c}"' for c in columns)
        with self.guarded():
            with self.raw.cursor() as cursor:
                with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row([row[c] for c in columns])


class ChangeListener:
    """Tells whether another desk committed a write since the last call: a connection of
    its own LISTENs on ``CHANNEL`` (notifications arrive at commit, whoever wrote)."""

    def __init__(self, dsn: str):
        self._dsn = dsn
        self._retry_at = 0.0
        self._listen()

    def _listen(self) -> None:
        """(Re)open the listening connection; a short timeout, since the window polls
        on its own thread (a server that is down is tried again 5 s later)."""
        import psycopg
        try:
            self._conn = psycopg.connect(self._dsn, autocommit=True, connect_timeout=2,
                                         application_name="LabDesk (listening)",
                                         keepalives=1, keepalives_idle=30,
                                         keepalives_interval=10, keepalives_count=3)
            self._conn.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error:
            self._conn = None

    def changed(self) -> bool:
        """True when a write was committed (by any desk) since the last call; never
        blocks.  A lost connection is re-opened (and counts as a change: what happened
        while it was gone is unknown)."""
        import psycopg
        if self._conn is None or self._conn.closed or self._conn.broken:
            if time.monotonic() < self._retry_at:
                return False
            self._listen()
            self._retry_at = time.monotonic() + 5
            return self._conn is not None
        try:
            seen = False
            for _ in self._conn.notifies(timeout=0, stop_after=1000):
                seen = True
            return seen
        except psycopg.Error:
            self._conn = None
            return False

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
