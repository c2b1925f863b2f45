"""Every query the UI makes is served by an index: no full scan of stones, evidence or
audit, whatever the page, filter or sort (EXPLAIN QUERY PLAN on each statement run)."""
import re
import shutil

import pytest

from labdesk.demo import DEMO_USERS, build_demo
from labdesk.lab import Lab

BIG_TABLES = ("stones", "evidence", "audit", "attachments", "findings", "reports",
              "submissions")
FULL_SCAN = re.compile(r"^SCAN (\w+)(?: AS \w+)?$")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    home = tmp_path_factory.mktemp("plans") / "lab"
    build_demo(home).close()
    return home


@pytest.fixture
def traced(template, tmp_path):
    home = tmp_path / "lab"
    shutil.copytree(template, home)
    lab = Lab.open(home)
    lab.login("sue", DEMO_USERS["sue"][2])
    statements = []
    lab._db.conn.set_trace_callback(statements.append)
    yield lab, statements
    lab._db.conn.set_trace_callback(None)
    lab.close()


def _aliases(sql):
    """alias -> table for 'FROM stones st JOIN ...' so plans name the table scanned."""
    found = dict(re.findall(r"\b(?:FROM|JOIN)\s+\[?(\w+)\]?\s+(?:AS\s+)?(\w+)", sql, re.I))
    return {alias: table for table, alias in found.items()}


def _paged_rowid_walk(sql, alias):
    """ORDER BY the table's id with a LIMIT: SQLite walks the rowid b-tree from one end
    and stops after LIMIT + OFFSET rows; that is a page, not a scan."""
    order = re.search(r"ORDER BY\s+(?:(\w+)\.)?id\b", sql)
    return bool(order and re.search(r"\bLIMIT\b", sql)
                and (order.group(1) in (None, alias)))


def full_scans(lab, statements):
    scans = []
    for sql in statements:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        aliases = _aliases(sql)
        plan = lab._db.conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
        sorted_by_temp = any("TEMP B-TREE FOR ORDER BY" in row[3] for row in plan)
        for row in plan:
            match = FULL_SCAN.match(row[3])
            if match and _paged_rowid_walk(sql, match.group(1)) and not sorted_by_temp:
                continue  # a walk along the primary key that stops at LIMIT
            if match:
                table = aliases.get(match.group(1), match.group(1))
                if table in BIG_TABLES:
                    scans.append((row[3], sql))
    return scans


def exercise_reads(lab):
    stone = lab.stones(limit=1).items[0]
    for order in ("number", "weight", "state", "received", "client", "client_ref"):
        for descending in (False, True):
            lab.stones(order=order, descending=descending, limit=50, offset=10)
    lab.stones(state="approved")
    lab.stones(client=stone.client)
    lab.stones(search="Gaborone")
    lab.stones(search="Gaborone Pol")  # whole words, then a prefix
    lab.stones(search="gab pol")       # nothing whole: every word a prefix
    lab.stones(received_from="2020-01-01", received_to="2100-01-01")
    lab.stones(state="proposed", client=stone.client, search="GP")
    lab.stone(stone.number)
    lab.stone_detail(stone.number)
    lab.history(stone.number)
    lab.finding(stone.number)
    lab.submission(stone.submission)
    lab.submission_evidence(stone.submission)
    lab.review_queue()
    for text in (stone.number, stone.submission, "BW202600", stone.client_ref, "PO-2026-41",
                 "LD26-000001", "nothing"):
        lab.find(text)
    lab.reports()
    lab.reports(status="issued")
    lab.reports(stone_no=stone.number)
    lab.audit_events()
    lab.audit_events(actor="tom")
    lab.audit_events(action="stone.update")
    lab.audit_events(date_from="2020-01-01", date_to="2100-01-01")
    lab.audit_events(offset=20, limit=20)
    lab.audit_event(1)
    lab.clients("Ant")
    lab.users()
    lab.counts()
    for ev in lab.stone_detail(stone.number).evidence:
        lab.evidence(ev.id)


def test_every_read_uses_an_index(traced):
    lab, statements = traced
    exercise_reads(lab)
    assert len(statements) > 50
    scans = full_scans(lab, statements)
    assert not scans, "\n".join(f"{plan}: {sql}" for plan, sql in scans)


def test_writes_look_up_by_index_too(traced):
    lab, statements = traced
    lab.login("tom", DEMO_USERS["tom"][2])
    sub = lab.receive("Plan Client", [{"weight": "1.000", "identification": "natural"}])
    lab.update_stone(sub.stones[0].number, colour="E")
    lab.add_evidence(sub.stones[0].number, "other", notes="x")
    lab.propose_finding(sub.stones[0].number, "undetermined")
    scans = full_scans(lab, statements)
    assert not scans, "\n".join(f"{plan}: {sql}" for plan, sql in scans)
