"""The fault-injection worker: a forking server the tests start once.

It imports LabDesk (and reportlab, openpyxl...) once, then reads one JSON job a line on
stdin.  For each job it forks a child that installs *kill points* and performs one
operation on a lab.  The child sends itself SIGKILL

* at the job's ``kill_at``-th kill point (1-based), or
* ``kill_after`` seconds after it starts (a timer thread: any instruction, mid-commit,
  mid-copy, mid-zip),

or, with neither, completes and writes the list of kill points it passed (their kinds) to
``result``.  The server answers one JSON line a job: ``{"signal": 9 | null, "exit": n}``.

Kill points: every SQL statement SQLite starts (``sqlite3`` trace callback, so BEGIN,
each INSERT, each trigger's statement, COMMIT), every ``os.fsync``, ``os.replace``,
``os.rename``, every ``write`` on a file opened with ``os.fdopen`` (documents, report
PDFs, backups), every chunk written into a backup's zip and every page SQLite's backup API
copies (a backup's database, the copy taken before a migration).
"""
from __future__ import annotations

import importlib
import json
import os
import signal
import sqlite3
import sys
import threading
import time
import traceback
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the support package

from support import reliability  # noqa: E402
from support.homes import FULL_NAMES  # noqa: E402
from labdesk.core import passwords  # noqa: E402
from labdesk.lab import Lab  # noqa: E402
from labdesk.store import connection  # noqa: E402
import labdesk.lab.facade as lab_module  # noqa: E402

for _preloaded in ("labdesk.reports.pdf", "labdesk.core.packing_list"):
    importlib.import_module(_preloaded)  # imported once, before forking

_points: list[str] = []
_kill_at = 0


def _point(kind: str) -> None:
    _points.append(kind)
    if _kill_at and len(_points) >= _kill_at:
        os.kill(os.getpid(), signal.SIGKILL)


def _install_kill_points() -> None:
    real_connect = connection.connect

    def connect(path):
        db = real_connect(path)
        db.conn.set_trace_callback(
            lambda sql: _point("sql:" + (sql.split(None, 1) or ["?"])[0].upper()))
        return db

    connection.connect = connect
    lab_module.connect = connect

    for name in ("fsync", "replace", "rename"):
        real = getattr(os, name)

        def wrapper(*args, _real=real, _name=name, **kwargs):
            _point(_name)
            return _real(*args, **kwargs)

        setattr(os, name, wrapper)

    real_fdopen = os.fdopen

    class Writes:
        def __init__(self, handle):
            self._handle = handle

        def write(self, data):
            _point("write")
            return self._handle.write(data)

        def __enter__(self):
            self._handle.__enter__()
            return self

        def __exit__(self, *exc):
            return self._handle.__exit__(*exc)

        def __getattr__(self, name):
            return getattr(self._handle, name)

    def fdopen(fd, mode="r", *args, **kwargs):
        handle = real_fdopen(fd, mode, *args, **kwargs)
        return Writes(handle) if "w" in mode or "a" in mode else handle

    os.fdopen = fdopen

    class Traced(sqlite3.Connection):
        """A connection whose backups copy one page a step, each step a kill point."""

        def backup(self, target, *, pages=-1, progress=None, name="main", sleep=0.25):
            return super().backup(target, pages=1, name=name, sleep=0,
                                  progress=lambda *_: _point("sqlite-backup-page"))

    real_sqlite_connect = sqlite3.connect

    def sqlite_connect(*args, **kwargs):
        kwargs.setdefault("factory", Traced)
        return real_sqlite_connect(*args, **kwargs)

    sqlite3.connect = sqlite_connect

    real_zip_write = zipfile._ZipWriteFile.write

    def zip_write(self, data):
        _point("zip")
        return real_zip_write(self, data)

    zipfile._ZipWriteFile.write = zip_write


def _operation(job: dict) -> None:
    op, home, files = job["op"], Path(job["home"]), Path(job["files"])
    pw = reliability.PASSWORDS
    if op == "init":
        with passwords.fast_hashing():
            Lab.init(home, lab_name="Killed Lab", admin_username="admin",
                     admin_password=pw["admin"], admin_name=FULL_NAMES["admin"]).close()
        return
    if op == "restore":
        Lab.restore(files / "template.zip", home).close()
        return
    if op == "migrate":
        with reliability.schema_next():
            Lab.open(home).close()
        return
    lab = Lab.open(home)
    try:
        reliability.perform(op, lab, files)
    finally:
        lab.close()


def _child(job: dict) -> None:
    global _kill_at
    _kill_at = int(job.get("kill_at") or 0)
    _install_kill_points()
    if job.get("kill_after"):  # from here: the same start as the dry run's "seconds"
        timer = threading.Timer(float(job["kill_after"]),
                                lambda: os.kill(os.getpid(), signal.SIGKILL))
        timer.daemon = True
        timer.start()
    result = {"points": None, "error": None, "seconds": None}
    started = time.monotonic()
    try:
        _operation(job)
        result["points"] = _points
        result["seconds"] = time.monotonic() - started
    except BaseException as exc:  # noqa: BLE001 - reported to the test
        result["error"] = "".join(traceback.format_exception(exc))
    Path(job["result"]).write_text(json.dumps(result))


def main() -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                _child(job)
            except BaseException:  # noqa: BLE001
                traceback.print_exc()
                code = 3
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        reply = {"signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                 "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
