"""Four desks writing at once, and faults in the middle of an operation (issue 14)."""
from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from labdesk import Lab, LabError
from labdesk.store import writes
from support.homes import PASSWORDS, create_lab, login_as
from support.labs import propose, receive_stones

_names = itertools.count(1)
WORKER = Path(__file__).with_name("desk_worker.py")


@pytest.fixture
def server_lab(pg_server, tmp_path, fast_passwords):
    name = f"at_once_{next(_names)}"
    lab = create_lab(tmp_path / "desk-0", database=pg_server.create_database(name))
    yield lab, name
    lab.close()
    pg_server.drop_database(name)


def test_four_desks_writing_at_once_lose_nothing_and_number_without_gaps(
        server_lab, tmp_path):
    lab, _ = server_lab
    homes = []
    for index in range(1, 5):  # each a desk holding the signing key (copied home)
        home = tmp_path / f"desk-{index}"
        shutil.copytree(lab.home, home)
        shutil.rmtree(home / "cache", ignore_errors=True)
        homes.append(home)
    parcels, per = 4, 30
    workers = [subprocess.Popen([sys.executable, str(WORKER), str(home), str(index),
                                 str(parcels), str(per)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for index, home in enumerate(homes, start=1)]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert [r["errors"] for r in results] == [[]] * 4
    submissions = [n for r in results for n in r["submissions"]]
    stones = [n for r in results for n in r["stones"]]
    reports = [n for r in results for n in r["reports"]]
    assert len(set(submissions)) == len(submissions) == 4 * parcels
    assert len(set(stones)) == len(stones) == 4 * parcels * per
    assert len(set(reports)) == len(reports) == 4 * parcels
    serials = sorted(int(n.rsplit("-", 1)[1]) for n in reports)
    assert serials == list(range(serials[0], serials[0] + len(serials)))  # no gap
    login_as(lab, "admin")
    assert lab.stones().total == len(stones)
    result = lab.check()
    assert result.ok, result.problems
    assert result.records["reports"] == len(reports)


def _failing_at(monkeypatch, function: str, action: str, fault):
    """Make ``writes.<function>`` run ``fault()`` first when it records ``action``."""
    original = getattr(writes, function)

    def wrapped(db, table, *args, **kwargs):
        if action in args or kwargs.get("action") == action:
            fault()
        return original(db, table, *args, **kwargs)
    monkeypatch.setattr(writes, function, wrapped)


def test_a_connection_killed_in_the_middle_of_an_intake_writes_nothing(
        server_lab, pg_server, monkeypatch):
    lab, name = server_lab
    login_as(lab, "tech")
    before = lab.stones().total
    _failing_at(monkeypatch, "insert_rows", "stone.receive",
                lambda: pg_server.kill_connections(name))
    with pytest.raises(LabError, match="connection to the lab server was lost.*nothing"):
        receive_stones(lab, who=None)
    monkeypatch.undo()
    login_as(lab, "tech")                 # the next operation opens a new connection
    assert lab.stones().total == before   # nothing of the intake was kept
    again = receive_stones(lab, who=None)
    assert len(again.stones) == 3
    login_as(lab, "admin")
    assert lab.check().ok


def test_a_server_crash_in_the_middle_of_an_approval_leaves_it_undone(
        server_lab, pg_server, monkeypatch):
    lab, _ = server_lab
    sub = receive_stones(lab)
    stone = sub.stones[0].number
    propose(lab, stone)
    login_as(lab, "sup1")
    crashed = []

    def crash():
        pg_server.stop("immediate")
        crashed.append(True)
    _failing_at(monkeypatch, "update", "finding.approve", crash)
    try:
        with pytest.raises(LabError, match="connection to the lab server was lost"):
            lab.approve(stone, comment="ok", password=PASSWORDS["sup1"])
    finally:
        monkeypatch.undo()
        pg_server.start()
    assert crashed
    login_as(lab, "sup1")
    assert lab.stone(stone).state == "proposed"      # not half-approved
    assert lab.check().ok
    lab.approve(stone, comment="ok", password=PASSWORDS["sup1"])
    assert lab.stone(stone).state == "approved"
    assert lab.check().ok
    other = Lab.open(lab.home)
    other.close()
