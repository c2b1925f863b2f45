"""The reads service through the Lab facade: lookups, the stone lists and their search,
the review queue, a stone's history and the audit trail."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3

import psycopg

import pytest

from labdesk import ValidationError
from labdesk.errors import NotFound
from support.files import make_pdf, make_png
from support.homes import FULL_NAMES, PASSWORDS, login_as
from support.labs import (CLIENT, STATEMENT, approve_stone, kp_fields, propose,
                          receive_stones, raw_connection)


# ---------------------------------------------------------------------- lookups and lists
def test_stone_and_submission_lookups(lab, sub):
    assert lab.stone("D0000003").inscription == "LABORATORY-GROWN"
    assert lab.submission(sub.number).reference == "PO-77"
    with pytest.raises(NotFound):
        lab.stone("D0000099")
    with pytest.raises(NotFound):
        lab.submission("SUB-999999")
    detail = lab.stone_detail("D0000001")
    assert detail.stone == lab.stone("D0000001")
    assert detail.evidence == () and detail.findings == () and detail.finding is None
    assert [e.action for e in detail.history] == ["submission.receive", "stone.receive"]


@pytest.fixture
def two_submissions(lab, sub):
    """sub (Acme, PO-77, 3 stones, received now) and one older from Beta Gems."""
    older = receive_stones(lab, [{"client_ref": "BG-9", "weight": "0.300", "shape": "RD",
                                  "notes": "chipped girdle"},
                                 {"client_ref": "BG-10", "weight": "3.100"}],
                           client="Beta Gems", reference="BETA-5",
                           received_at=dt.date(2024, 3, 15))
    return sub, older


def test_stones_pages_and_totals(lab, two_submissions):
    page = lab.stones(limit=2)
    assert page.total == 5 and len(page.items) == 2 and page.limit == 2
    assert [s.number for s in page.items] == ["D0000001", "D0000002"]
    page = lab.stones(limit=2, offset=2)
    assert [s.number for s in page.items] == ["D0000003", "D0000004"]
    page = lab.stones(limit=2, offset=4)
    assert [s.number for s in page.items] == ["D0000005"] and page.total == 5
    assert lab.stones(offset=10).items == ()
    assert lab.stones(limit=0).limit == 1  # never zero, never everything
    assert lab.stones(limit=10**6).limit == 1000


def test_stones_ordering(lab, two_submissions):
    by_weight = [s.weight for s in lab.stones(order="weight").items]
    assert by_weight == ["0.300", "0.512", "1.234", "2.010", "3.100"]
    assert [s.weight for s in lab.stones(order="weight", descending=True).items] == \
        by_weight[::-1]
    assert [s.number for s in lab.stones(descending=True, limit=1).items] == ["D0000005"]
    assert [s.client for s in lab.stones(order="client").items][:2] == [CLIENT, CLIENT]
    received = [s.number for s in lab.stones(order="received").items]
    assert received[:2] == ["D0000004", "D0000005"]  # the Beta parcel came first


def test_stones_filters(lab, two_submissions):
    assert lab.stones(state="received").total == 5
    assert lab.stones(state="approved").total == 0
    with pytest.raises(ValidationError) as err:
        lab.stones(state="lost")
    assert err.value.field == "state"
    assert lab.stones(client="Beta Gems").total == 2
    assert lab.stones(client="beta gems").total == 2
    assert lab.stones(client="Nobody").total == 0
    assert lab.stones(received_to="2024-03-15").total == 2
    assert lab.stones(received_from="2024-03-16").total == 3
    assert lab.stones(received_from="2024-03-15", received_to="2024-03-15").total == 2
    with pytest.raises(ValidationError):
        lab.stones(received_from="last spring")


@pytest.mark.parametrize("text, numbers", [
    ("AC-001", ["D0000001"]),
    ("ac-00", ["D0000001", "D0000002", "D0000003"]),
    ("acme", ["D0000001", "D0000002", "D0000003"]),
    ("beta", ["D0000004", "D0000005"]),
    ("PO-77", ["D0000001", "D0000002", "D0000003"]),
    ("BETA-5", ["D0000004", "D0000005"]),
    ("laboratory", ["D0000003"]),
    ("chipped", ["D0000004"]),
    ("D0000002", ["D0000002"]),
    ("acme bright", ["D0000001"]),
    ('"unbalanced', []),
    ("zzz", []),
])
def test_stones_search(lab, two_submissions, text, numbers):
    page = lab.stones(search=text)
    assert [s.number for s in page.items] == numbers
    assert page.total == len(numbers)


def test_stones_search_follows_updates(lab, sub):
    lab.update_stone("D0000002", notes="feather near girdle", client_ref="AC-XYZ")
    assert [s.number for s in lab.stones(search="feather").items] == ["D0000002"]
    assert [s.number for s in lab.stones(search="AC-XYZ").items] == ["D0000002"]
    assert lab.stones(search="AC-002").total == 0


def test_stones_search_combines_with_state_and_paging(lab, two_submissions):
    page = lab.stones(search="acme", state="received", limit=1, offset=1)
    assert page.total == 3 and [s.number for s in page.items] == ["D0000002"]


def test_find(lab, two_submissions):
    sub, older = two_submissions
    ev = lab.add_evidence(sub.number, "kp_certificate", **kp_fields())
    assert lab.find("D0000002") == [("stone", "D0000002")]
    assert lab.find("  d0000002 ") == [("stone", "D0000002")]
    assert lab.find(sub.number) == [("submission", sub.number)]
    assert lab.find(older.number.lower()) == [("submission", older.number)]
    assert lab.find("BW-2024-0001") == [("evidence", str(ev.id))]
    assert lab.find("bw-2024-0001") == [("evidence", str(ev.id))]
    assert lab.find("AC-003") == [("stone", "D0000003")]
    assert lab.find("BG-9") == [("stone", "D0000004")]
    assert lab.find("LD1.abc.def") == [("token", "LD1.abc.def")]
    assert lab.find("https://lab.example/v#LD1.x.y") == [("token",
                                                         "https://lab.example/v#LD1.x.y")]
    assert lab.find("") == [] and lab.find("   ") == [] and lab.find(None) == []
    assert lab.find("nothing-like-this") == []


def test_counts(lab, two_submissions):
    assert lab.counts() == {"stones": {"received": 5}, "review": 0}


# ---------------------------------------------------------------------- review queue
def test_review_queue_lists_proposals_oldest_first(lab, sub):
    first, second, third = (s.number for s in sub.stones)
    propose(lab, second)
    propose(lab, first, who="sup1")
    login_as(lab, "tech")
    lab.propose_finding(third, "undetermined")
    queue = lab.review_queue()
    assert [(f.stone, f.proposed_by, f.status) for f in queue] == \
        [(second, "tech", "proposed"), (first, "sup1", "proposed"),
         (third, "tech", "proposed")]
    assert queue[1].proposed_by_name == FULL_NAMES["sup1"]
    login_as(lab, "sup2")
    lab.approve(first, password=PASSWORDS["sup2"])
    lab.reject(third, "Need the KP certificate")
    assert [f.stone for f in lab.review_queue()] == [second]
    assert lab.counts() == {"stones": {"approved": 1, "proposed": 1, "rejected": 1},
                            "review": 1}
    assert lab.stones(state="approved").total == 1
    assert [s.number for s in lab.stones(state="proposed").items] == [second]


def test_finding_of_a_stone_without_one(lab, sub):
    assert lab.finding(sub.stones[0].number) is None
    with pytest.raises(NotFound):
        lab.finding("D0000404")


# ---------------------------------------------------------------------- audit trail
def _raw(lab):
    return raw_connection(lab)


@pytest.mark.parametrize("statement", [
    "UPDATE audit SET actor = 'mallory' WHERE id = 1",
    "UPDATE audit SET data = '{}'",
    "DELETE FROM audit WHERE id = 1",
    "DELETE FROM audit",
])
def test_the_audit_table_refuses_update_and_delete(lab, sub, statement):
    before = lab.audit_events().total
    conn = _raw(lab)
    try:
        with pytest.raises((sqlite3.IntegrityError, sqlite3.OperationalError,
                            psycopg.Error), match="append-only"):
            conn.execute(statement)
    finally:
        conn.close()
    assert lab.audit_events().total == before
    assert lab.check().ok


def test_every_facade_write_adds_audit_events(lab, tmp_path):
    steps = [
        ("admin", lambda: lab.add_user("tina", "Tina Two", "technician", "tina-pw-1"),
         ["user.add"]),
        ("admin", lambda: lab.set_user_active("tina", False), ["user.deactivate"]),
        ("admin", lambda: lab.set_password("tina", "tina-pw-2"), ["user.password"]),
        ("admin", lambda: lab.update_settings(paper_size="Letter"), ["settings.set"]),
        ("admin", lambda: lab.set_logo(make_png(tmp_path / "logo.png")), ["settings.set"]),
        ("tech", lambda: lab.add_client("Beta Gems"), ["client.add"]),
        ("tech", lambda: lab.update_client("Beta Gems", contact="x@beta"),
         ["client.update"]),
        ("tech", lambda: receive_stones(lab, who=None, client="Beta Gems"),
         ["submission.receive", "stone.receive"]),  # the stones: one batch event
        ("tech", lambda: lab.update_stone("D0000001", colour="D"), ["stone.update"]),
        ("tech", lambda: lab.add_evidence("D0000001", "kp_certificate", **kp_fields()),
         ["evidence.add"]),
        ("tech", lambda: lab.update_evidence(1, notes="seal intact"), ["evidence.update"]),
        ("tech", lambda: lab.attach(1, make_pdf(tmp_path / "kp.pdf")), ["attachment.add"]),
        ("tech", lambda: lab.propose_finding("D0000001", "non_russian",
                                             mining_country="BW", statement=STATEMENT),
         ["finding.propose", "stone.proposed"]),
        ("sup1", lambda: lab.reject("D0000001", "Scan is unreadable"),
         ["finding.reject", "stone.rejected"]),
        ("tech", lambda: lab.propose_finding("D0000001", "undetermined"),
         ["finding.propose", "stone.proposed"]),
        ("sup1", lambda: lab.approve("D0000001", password=PASSWORDS["sup1"]),
         ["finding.approve", "stone.approved"]),
        ("sup2", lambda: lab.reopen("D0000001", "Colour regraded"),
         ["finding.reopen", "stone.received"]),
        ("tech", lambda: lab.backup(tmp_path / "b.zip"), ["lab.backup"]),
    ]
    for who, action, expected in steps:
        login_as(lab, who)
        before = lab.audit_events().total
        action()
        page = lab.audit_events(limit=len(expected))
        assert page.total == before + len(expected), expected
        assert [e.action for e in reversed(page.items)] == expected
        assert {e.actor for e in page.items} == {who}
    result = lab.check()
    assert result.ok, result.problems
    assert result.events == lab.audit_events().total


def test_history_tells_the_story_of_a_stone(lab, sub, tmp_path):
    stone = sub.stones[0].number
    other = sub.stones[1].number
    lab.update_stone(stone, clarity="VS2")
    lab.update_stone(other, clarity="SI2")  # not this stone's story
    ev = lab.add_evidence(stone, "kp_certificate", **kp_fields())
    lab.add_evidence(sub.number, "other", notes="parcel packing list")
    lab.attach(ev.id, make_pdf(tmp_path / "kp.pdf"))
    approve_stone(lab, stone)
    events = lab.history(stone)
    assert [e.action for e in events] == [
        "submission.receive", "stone.receive", "stone.update", "evidence.add",
        "evidence.add", "attachment.add", "finding.propose", "stone.proposed",
        "finding.approve", "stone.approved"]
    assert [e.id for e in events] == sorted(e.id for e in events)
    update = events[2]
    assert update.changed["clarity"] == ["VS1", "VS2"] and update.actor == "tech"
    assert events[1].data["row"]["number"] == stone
    assert events[1].data["row"]["weight_mct"] == 1234
    assert all(e.hash and len(e.hash) == 64 for e in events)
    assert "SI2" not in json.dumps([e.data for e in events])
    assert lab.stone_detail(stone).history == tuple(events)


def test_audit_events_filters_and_pages(lab, sub):
    lab.update_stone("D0000001", colour="F")
    login_as(lab, "admin")
    lab.update_settings(paper_size="Letter")
    total = lab.audit_events().total
    newest = lab.audit_events(limit=2)
    assert len(newest.items) == 2 and newest.items[0].id == total
    assert newest.items[0].id > newest.items[1].id  # newest first
    assert lab.audit_events(offset=total - 1).items[0].id == 1
    by_tech = lab.audit_events(actor="tech")
    assert by_tech.total == 4 and {e.actor for e in by_tech.items} == {"tech"}
    assert lab.audit_events(action="stone.receive").total == 1  # three stones, one intake
    assert lab.audit_events(actor="tech", action="stone.update").total == 1
    assert lab.audit_events(date_to="2000-01-01").total == 0
    assert lab.audit_events(date_from="2000-01-01").total == total
    assert {"stone.receive", "stone.update", "settings.set", "user.add",
            "lab.init"} <= set(lab.audit_actions())


def test_the_audit_trail_holds_no_password_hashes(lab):
    conn = _raw(lab)
    try:
        data = " ".join(r[0] for r in conn.execute("SELECT data FROM audit"))
        hashes = [r[0] for r in conn.execute("SELECT password_hash FROM users")]
    finally:
        conn.close()
    assert "$argon2" not in data
    assert all(h not in data for h in hashes)


def test_audit_event_gives_everything_and_refuses_an_unknown_id(lab, sub):
    from labdesk.errors import NotFound
    received = lab.audit_events(action="submission.receive").items[0]
    assert lab.audit_event(received.id) == received  # a one-record event: the same
    batch = lab.audit_events(action="stone.receive").items[0]
    assert [r["number"] for r in lab.audit_event(batch.id).data["rows"]] == \
        [s.number for s in sub.stones]
    with pytest.raises(NotFound, match="no audit event 99999"):
        lab.audit_event(99999)


def test_search_finds_words_of_every_alphabet(lab):
    """Names and notes in Danish, German, Russian, Japanese: found by their own words,
    whatever the case (the server folds as SQLite's FTS5 does)."""
    login_as(lab, "tech")
    lab.receive("Алмаз Trading", [{"weight": "0.5", "notes": "Søren's parcel"},
                                  {"weight": "0.6", "inscription": "STRAßE-7"},
                                  {"weight": "0.7", "notes": "東京 office"}])
    for word, expected in (("алмаз", 3), ("АЛМАЗ", 3), ("søren", 1), ("straße", 1),
                           ("東京", 1), ("trading", 3)):
        assert lab.stones(search=word).total == expected, word
