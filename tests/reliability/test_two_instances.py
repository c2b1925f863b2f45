"""Two LabDesk instances on one lab: no lost write, no "database is locked" for a user,
the audit chain whole; a write that must wait waits, and one that waits too long is one
clear message.  Also the races between a check and the write it guards."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from labdesk import Lab, LabError, StateError
from support import reliability

HERE = Path(__file__).resolve().parent
SECONDS = float(os.environ.get("LABDESK_CONCURRENCY_SECONDS", "4"))


def test_two_processes_receive_and_approve_at_once_without_losing_a_write(template, home,
                                                                         tmp_path):
    before = Lab.open(home)
    try:
        before.login("admin", reliability.PASSWORDS["admin"])   # reads need a login
        template_stones = before.stones().total
        template_approvals = before.audit_events(action="finding.approve").total
    finally:
        before.close()
    procs = [subprocess.Popen([sys.executable, str(HERE / "concurrency_worker.py"),
                               str(home), str(k), str(SECONDS),
                               str(tmp_path / f"result{k}.json"),
                               str(template / "files" / "small.pdf")])
             for k in (1, 2)]
    for proc in procs:
        assert proc.wait(timeout=SECONDS + 120) == 0
    results = [json.loads((tmp_path / f"result{k}.json").read_text()) for k in (1, 2)]
    for result in results:
        assert result["errors"] == [], result["errors"]
        assert not any("locked" in r or "busy" in r for r in result["races"])
    received = {}
    for result in results:
        assert not set(received) & set(result["received"])  # a number is given once
        received.update(result["received"])
    approved = [n for r in results for n in r["approved"]]
    assert len(approved) == len(set(approved))  # never approved twice

    lab = Lab.open(home)
    try:
        lab.login("admin", reliability.PASSWORDS["admin"])
        result = lab.check()
        assert result.ok, result.problems
        assert lab.stones().total == template_stones + len(received)
        for number, client_ref in received.items():
            assert lab.stone(number).client_ref == client_ref
        for number in approved:
            assert lab.stone(number).state == "approved"
            assert lab.finding(number).status == "approved"
        assert lab.audit_events(action="finding.approve").total == \
            template_approvals + len(approved)
        intakes = lab.audit_events(action="stone.receive", limit=1000)
        assert intakes.total < 1000  # one batch event per intake, each listing its stones
        assert sum(e.data["batch"]["rows"] for e in intakes.items) == \
            template_stones + len(received)
        evidence = [e for r in results for e in r["evidence"]]
        for evidence_id in evidence:
            assert len(lab.evidence(evidence_id).attachments) == 1
    finally:
        lab.close()
    figures = {"seconds": SECONDS, "iterations": [r["iterations"] for r in results],
               "stones": len(received), "approvals": len(approved),
               "races_lost": sum(len(r["races"]) for r in results),
               "reopened": sum(r["reopened"] for r in results),
               "slowest_write_s": round(max(r["slowest_write"] for r in results), 3)}
    print(json.dumps(figures))
    assert all(r["iterations"] > 3 for r in results)


def _hold_write_lock(path: Path, seconds: float, held: threading.Event):
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("BEGIN IMMEDIATE")
    held.set()
    time.sleep(seconds)
    conn.execute("ROLLBACK")
    conn.close()


def test_a_write_waits_while_another_window_holds_the_database(lab):
    held = threading.Event()
    holder = threading.Thread(target=_hold_write_lock,
                              args=(lab.home / "labdesk.db", 1.5, held))
    holder.start()
    held.wait(10)
    lab.login("tech", reliability.PASSWORDS["tech"])
    started = time.monotonic()
    sub = lab.receive(reliability.CLIENT, reliability.stones(2, "WAIT"))
    waited = time.monotonic() - started
    holder.join()
    assert waited >= 1.0 and len(sub.stones) == 2
    assert lab.check().ok


def test_a_write_that_waits_too_long_is_one_clear_message_and_changes_nothing(
        lab, monkeypatch):
    """The wait is bounded (a minute); past it the user reads one sentence, never
    SQLite's "database is locked".  The clock is sped up: no minute is spent."""
    from labdesk.store import connection
    lab.login("tech", reliability.PASSWORDS["tech"])
    before = reliability.snapshot(lab)
    lab._db.conn.execute("PRAGMA busy_timeout = 20")

    class FastClock:
        now = 0.0

        @classmethod
        def monotonic(cls):
            return cls.now

        @classmethod
        def sleep(cls, seconds):
            cls.now += 20.0

    monkeypatch.setattr(connection, "time", FastClock)
    held = threading.Event()
    holder = threading.Thread(target=_hold_write_lock,
                              args=(lab.home / "labdesk.db", 1.0, held))
    holder.start()
    held.wait(10)
    try:
        with pytest.raises(LabError) as caught:
            lab.receive(reliability.CLIENT, reliability.stones(2, "LATE"))
    finally:
        holder.join()
    message = str(caught.value)
    assert "another LabDesk window" in message and "try again" in message
    assert "locked" not in message.lower() and "\n" not in message
    monkeypatch.undo()
    lab._db.conn.execute("PRAGMA busy_timeout = 10000")
    assert reliability.snapshot(lab) == before
    assert lab.check().ok


def test_a_report_is_never_issued_twice_when_two_windows_issue_at_once(lab, home):
    """Window A has checked that the stone may be issued; before A writes, window B
    issues it.  A must then refuse (StateError), not issue a second report."""
    other = Lab.open(home)
    try:
        other.login("sup2", reliability.PASSWORDS["sup2"])
        lab.login("sup1", reliability.PASSWORDS["sup1"])
        real = lab._reports.signing_key
        calls = []

        def signing_key_after_the_other_window_issued():
            if not calls:
                calls.append(other.issue_report(reliability.TO_ISSUE))
            return real()

        lab._reports.signing_key = signing_key_after_the_other_window_issued
        with pytest.raises(StateError):
            lab.issue_report(reliability.TO_ISSUE)
        reports = lab.reports(stone_no=reliability.TO_ISSUE).items
        assert [r.number for r in reports] == [calls[0].number]
        assert not reliability.unrecorded_report_pdfs(lab)
        assert lab.check().ok
    finally:
        other.close()


def test_a_scan_is_not_attached_to_evidence_another_window_locked_meanwhile(
        lab, home, template):
    """Window A checked the evidence is editable and copies a scan; meanwhile window B
    approves the stone (locking its evidence).  A must refuse to attach."""
    lab.login("tech", reliability.PASSWORDS["tech"])
    evidence = lab.add_evidence(reliability.FOR_EVIDENCE, "kp_certificate",
                                **reliability.kp_fields("BW-RACE"))
    lab.propose_finding(reliability.FOR_EVIDENCE, "undetermined")
    lab.login("sup1", reliability.PASSWORDS["sup1"])
    lab.reject(reliability.FOR_EVIDENCE, "Please attach the scan first")
    lab.login("tech", reliability.PASSWORDS["tech"])
    other = Lab.open(home)
    try:
        real_put = lab.documents.put

        def put_while_the_other_window_approves(*args, **kwargs):
            sha = real_put(*args, **kwargs)
            other.login("tech", reliability.PASSWORDS["tech"])
            other.propose_finding(reliability.FOR_EVIDENCE, "undetermined")
            other.login("sup2", reliability.PASSWORDS["sup2"])
            other.approve(reliability.FOR_EVIDENCE, comment="ok")
            return sha

        lab.documents.put = put_while_the_other_window_approves
        before = lab.audit_events(action="attachment.add").total
        with pytest.raises(StateError, match="locked"):
            lab.attach(evidence.id, template / "files" / "small.pdf")
        assert lab.audit_events(action="attachment.add").total == before
        assert lab.evidence(evidence.id).attachments == ()
        assert lab.check().ok
    finally:
        other.close()
