"""SIGKILL at many points of every write: afterwards the lab opens, check() passes, and
each operation is whole or absent.

A forking worker (fault_worker.py) performs one operation on a copy of a template lab and
kills itself at the Nth *kill point* (each SQL statement SQLite starts, each fsync,
rename and file write, each chunk of a backup's zip) or after a random delay.  First a
dry run counts the operation's kill points and gives the state after it; then the kill
runs pick points (every COMMIT and the point after it, the first and the last, and
random ones) and random delays.  After each kill the test opens the lab and checks:

* ``Lab.open`` works and ``check()`` passes (database, audit chain against every
  table, every document and report PDF);
* the audited records are exactly as before the operation or exactly as after it;
* no file under a final name is partial; a report record always has its PDF, and a
  report PDF without a record (killed between writing it and committing) is set aside
  by the next issue, never left under a report's name;
* a backup that exists restores and passes check(); a restore is all of a lab or none;
* the lab takes the same work again, and then holds no leftover of the killed process.

``LABDESK_FAULT_RUNS=N`` kills at N points of each operation (``all``: every point) plus
N/2 random delays (``LABDESK_FAULT_DELAYS=M``: M instead); ``LABDESK_FAULT_SEED`` changes
the random choices; ``LABDESK_FAULT_REPORT=file`` appends the figures as JSON lines.  The
default run: the points around each COMMIT, the first, the last and 8 random ones, and 3
random delays, for each operation.
"""
from __future__ import annotations

import contextlib
import json
import os
import random
import select
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from labdesk import Lab, LabError
from support import reliability
from support.homes import copy_home

HERE = Path(__file__).resolve().parent
RUNS = os.environ.get("LABDESK_FAULT_RUNS", "").strip().lower()
SEED = int(os.environ.get("LABDESK_FAULT_SEED", "1129"))
DELAYS = os.environ.get("LABDESK_FAULT_DELAYS", "").strip()
#: Kill points and random delays per operation in the default (quick) run.
DEFAULT_POINTS, DEFAULT_DELAYS = 8, 3
JOB_TIMEOUT = 120
OPERATIONS = ("intake", "import", "evidence", "approve", "issue", "backup", "restore",
              "migrate", "init")


class Worker:
    """The forking server: one job at a time."""

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, str(HERE / "fault_worker.py")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, cwd=HERE)

    def run(self, **job) -> dict:
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], JOB_TIMEOUT)
        if not ready:  # a child that hangs (a deadlock) fails the test, not the run
            self.proc.kill()
            raise AssertionError(f"the operation did not finish in {JOB_TIMEOUT} s: {job}")
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the fault worker died")
        return json.loads(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def worker():
    w = Worker()
    yield w
    w.close()


@dataclass
class Figures:
    op: str
    points: int = 0
    kinds: dict = field(default_factory=dict)
    killed_at_point: int = 0
    killed_by_timer: int = 0
    completed: int = 0
    outcomes: dict = field(default_factory=dict)
    orphans_set_aside: int = 0

    def line(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)


def _open(home: Path, op: str) -> Lab:
    """The lab at ``home``, its admin logged in (its records are read by a logged-in
    user)."""
    with reliability.schema_next() if op == "migrate" else contextlib.nullcontext():
        lab = Lab.open(home)
    lab.login("admin", reliability.PASSWORDS["admin"])
    return lab


def _snapshot(home: Path, op: str) -> tuple:
    lab = _open(home, op)
    try:
        return reliability.snapshot(lab)
    finally:
        lab.close()


class Expect:
    """What an operation may leave: its states (snapshots) before, after and, for the
    evidence operation (two facade calls), in between."""

    def __init__(self, op: str, template: Path, tmp: Path, worker: Worker):
        self.op, self.template, self.files = op, template / "home", template / "files"
        self.before = None
        if op not in ("init", "restore"):  # on a copy: opening may migrate
            self.before = _snapshot(self._fresh(tmp / "before"), op)
        home = self.dry_home = self._fresh(tmp / "dry")
        reply = worker.run(op=op, home=str(home), files=str(self.files),
                           result=str(tmp / "dry.json"))
        result = json.loads((tmp / "dry.json").read_text())
        assert reply["exit"] == 0 and result["error"] is None, result["error"]
        self.duration = result["seconds"]  # from the kill points' installation on
        self.points = result["points"]
        self.after = _snapshot(home, op) if op not in ("init", "restore") else None
        self.states = {"before": self.before, "after": self.after}
        if op == "evidence":
            mid = self._fresh(tmp / "mid")
            lab = Lab.open(mid)
            try:
                lab.login("tech", reliability.PASSWORDS["tech"])
                lab.add_evidence(reliability.FOR_EVIDENCE, "kp_certificate",
                                 **reliability.kp_fields("BW-KILLED"))
                self.states["evidence without its scan"] = reliability.snapshot(lab)
            finally:
                lab.close()
        if op == "restore":
            restored = Lab.open(home)
            try:
                self.after = reliability.snapshot(restored)
            finally:
                restored.close()

    def _fresh(self, home: Path) -> Path:
        if self.op in ("init", "restore"):
            return home  # created by the operation itself
        return copy_home(self.template, home)

    def fresh(self, home: Path) -> Path:
        return self._fresh(home)

    def state_of(self, snap) -> str:
        for name, state in self.states.items():
            if snap == state:
                return name
        raise AssertionError(f"{self.op}: the lab is neither before nor after the "
                             f"operation: {snap} not in {self.states}")


def _check_whole(lab: Lab) -> None:
    if lab.user is None:
        lab.login("admin", reliability.PASSWORDS["admin"])
    result = lab.check()
    assert result.ok, result.problems
    assert not reliability.stored_files_whole(lab.home)


def _verify(expect: Expect, home: Path, figures: Figures) -> None:
    op = expect.op
    if op == "init":
        return _verify_init(home, figures)
    if op == "restore":
        return _verify_restore(expect, home, figures)
    lab = _open(home, op)
    try:
        _check_whole(lab)
        state = expect.state_of(reliability.snapshot(lab))
        if op == "migrate":
            _verify_migration(lab, home, figures)
            state = "after"
        unrecorded = reliability.unrecorded_report_pdfs(lab)
        if op == "issue" and unrecorded:
            assert state == "before" and len(unrecorded) == 1, unrecorded
            figures.orphans_set_aside += 1
        else:
            assert not unrecorded, unrecorded
        if op == "backup":
            _verify_backup(lab, expect, home)
        figures.outcomes[state] = figures.outcomes.get(state, 0) + 1
        if state != "after":
            reliability.perform(op, lab, expect.files)
            _check_whole(lab)
            assert reliability.snapshot(lab) == expect.after
        assert not reliability.unrecorded_report_pdfs(lab)
        assert not list((home / "documents" / "tmp").glob("*"))  # dead writers' removed
    finally:
        lab.close()


def _verify_backup(lab: Lab, expect: Expect, home: Path) -> None:
    target = home / "backups" / "killed.zip"
    if not target.exists():
        return
    restored = home.parent / (home.name + "-restored")
    again = Lab.restore(target, restored)
    try:
        again.login("admin", reliability.PASSWORDS["admin"])
        assert again.check().ok
        assert reliability.snapshot(again) == expect.before
    finally:
        again.close()
    shutil.rmtree(restored, onerror=lambda f, p, e: (os.chmod(p, 0o700), f(p)))


def _verify_migration(lab: Lab, home: Path, figures: Figures) -> None:
    """Opening finished the migration, its data moved in the same transaction; each copy
    taken before migrating is whole or empty (SQLite rolled the unfinished copy back),
    never a partial database."""
    import sqlite3
    from labdesk.store import schema
    latest = schema.LATEST + 1  # the migration the worker was killed in
    assert schema.version(lab._db) == latest
    stones, terms = (lab._db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("stones", "stone_search_terms"))
    assert stones == terms > 0
    for copy in (home / "backups").glob(f"before-v{latest}-*.db"):
        conn = sqlite3.connect(copy)
        try:
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables == 0:
                figures.outcomes["empty copy before migrating"] = \
                    figures.outcomes.get("empty copy before migrating", 0) + 1
                continue
            assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA user_version").fetchone()[0] == latest - 1
            assert conn.execute("SELECT count(*) FROM stones").fetchone()[0] == stones
        finally:
            conn.close()


INTERRUPTED_INIT = ("no lab in", "is not a LabDesk lab", "holds no users",
                    "cannot be opened as a LabDesk database")


def _verify_init(home: Path, figures: Figures) -> None:
    try:
        lab = Lab.open(home)
    except LabError as exc:  # the creation was interrupted: said in one clear sentence
        assert any(words in str(exc) for words in INTERRUPTED_INIT), str(exc)
        figures.outcomes["absent"] = figures.outcomes.get("absent", 0) + 1
        return
    try:
        _check_whole(lab)
        lab.login("admin", reliability.PASSWORDS["admin"])
        assert [u.username for u in lab.users()] == ["admin"]
        figures.outcomes["after"] = figures.outcomes.get("after", 0) + 1
    finally:
        lab.close()


def _verify_restore(expect: Expect, home: Path, figures: Figures) -> None:
    if not home.exists() or not any(home.iterdir()):
        figures.outcomes["absent"] = figures.outcomes.get("absent", 0) + 1
        Lab.restore(expect.files / "template.zip", home).close()  # and again: it works
        return
    lab = Lab.open(home)
    try:
        _check_whole(lab)
        assert reliability.snapshot(lab) == expect.after
        figures.outcomes["after"] = figures.outcomes.get("after", 0) + 1
    finally:
        lab.close()


def _kill_points(points: list[str], rng: random.Random) -> list[int]:
    total = len(points)
    if RUNS == "all":
        return list(range(1, total + 1))
    wanted = int(RUNS) if RUNS.isdigit() else DEFAULT_POINTS
    chosen = {1, total}
    commits = [i + 1 for i, kind in enumerate(points) if kind == "sql:COMMIT"]
    for i in commits:  # just before and just after each commit
        chosen.update({i, min(i + 1, total)})
    if RUNS:
        rest = [i for i in range(1, total + 1) if i not in chosen]
        chosen.update(rng.sample(rest, min(len(rest), max(0, wanted - len(chosen)))))
    else:  # the quick run: the boundaries and a few random points
        rest = [i for i in range(1, total + 1) if i not in chosen]
        chosen.update(rng.sample(rest, min(len(rest), wanted)))
    return sorted(chosen)


def _delays(expect: Expect, rng: random.Random) -> list[float]:
    count = DEFAULT_DELAYS if not RUNS else (
        max(2, int(RUNS) // 2) if RUNS.isdigit() else max(4, len(expect.points) // 4))
    if DELAYS.isdigit():
        count = int(DELAYS)
    return [rng.uniform(0.0, expect.duration) for _ in range(count)]


@pytest.mark.parametrize("op", OPERATIONS)
def test_sigkill_at_any_point_leaves_the_operation_whole_or_absent(op, worker, template,
                                                                  tmp_path):
    rng = random.Random(f"{SEED}-{op}")
    expect = Expect(op, template, tmp_path, worker)
    figures = Figures(op=op, points=len(expect.points))
    for kind in expect.points:
        figures.kinds[kind] = figures.kinds.get(kind, 0) + 1
    _verify(expect, expect.dry_home, figures)  # the run that was not killed
    figures.completed += 1
    runs = [("kill_at", n) for n in _kill_points(expect.points, rng)]
    runs += [("kill_after", d) for d in _delays(expect, rng)]
    for index, (how, value) in enumerate(runs):
        home = expect.fresh(tmp_path / f"run{index}")
        reply = worker.run(op=op, home=str(home), files=str(expect.files),
                           result=str(tmp_path / f"run{index}.json"), **{how: value})
        if reply["signal"] == 9:
            if how == "kill_at":
                figures.killed_at_point += 1
            else:
                figures.killed_by_timer += 1
        else:
            assert reply["exit"] == 0, reply
            result = json.loads((tmp_path / f"run{index}.json").read_text())
            assert result["error"] is None, result["error"]
            figures.completed += 1
        try:
            _verify(expect, home, figures)
        except BaseException:
            print(f"{op}: after {how}={value} (run {index}) of {figures.points} points "
                  f"{expect.points[:value] if how == 'kill_at' else ''}")
            raise
        _remove(home)
    assert figures.killed_at_point == len([r for r in runs if r[0] == "kill_at"])
    print(figures.line())
    report = os.environ.get("LABDESK_FAULT_REPORT")
    if report:
        with open(report, "a") as out:
            out.write(figures.line() + "\n")


def _remove(home: Path) -> None:
    def writable(func, path, _exc):
        os.chmod(path, 0o700)
        func(path)
    for path in (home, home.parent / (home.name + "-restored")):
        if path.exists():
            shutil.rmtree(path, onerror=writable)
