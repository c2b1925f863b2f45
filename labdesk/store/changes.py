"""Whether another window or desk changed the lab: what the window polls to refresh its
pages within a second.

SQLite: ``PRAGMA data_version`` on a connection of the watch's own, which moves when any
other connection (this process's, or another window's) commits.  PostgreSQL: a
connection that LISTENs to the ``NOTIFY`` every write transaction sends at commit
(``store.pg``), whichever desk wrote.  Neither ever waits for a lock.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from labdesk.store.connection import is_pg


class SQLiteWatch:
    def __init__(self, path: Path):
        # read-only: a watch never creates a database where the lab's has gone (moved)
        self._conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True,
                                     check_same_thread=False)
        self._seen = self._version()

    def _version(self) -> int:
        return self._conn.execute("PRAGMA data_version").fetchone()[0]

    def changed(self) -> bool:
        try:
            now = self._version()
        except sqlite3.Error:
            return False
        moved, self._seen = now != self._seen, now
        return moved

    def close(self) -> None:
        self._conn.close()


def watch(db, path: Path | None):
    """A watch on the lab's database (``changed()`` and ``close()``)."""
    if is_pg(db):
        from labdesk.store.pg import ChangeListener
        return ChangeListener(db.dsn)
    try:
        return SQLiteWatch(path)
    except sqlite3.Error:
        return _Nothing()


class _Nothing:
    """A watch on a database that cannot be opened: nothing ever changes."""

    def changed(self) -> bool:
        return False

    def close(self) -> None:
        pass
