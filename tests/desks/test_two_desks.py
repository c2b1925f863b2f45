"""One lab, several desks: a PostgreSQL lab used from two homes at once, moved from
SQLite, backed up and restored both ways (issue 14)."""
from __future__ import annotations

import itertools

import pytest

from labdesk import Lab, LabError
from labdesk.errors import PermissionDenied, StateError, ValidationError
from support.files import make_png
from support.homes import PASSWORDS, create_lab, login_as
from support.labs import approve_stone, kp_fields, propose, receive_stones

_names = itertools.count(1)


@pytest.fixture
def database(pg_server):
    """An empty database of its own (dropped after the test); its address."""
    name = f"desks_{next(_names)}"
    yield pg_server.create_database(name)
    pg_server.drop_database(name)


@pytest.fixture
def desk_a(database, tmp_path, fast_passwords):
    lab = create_lab(tmp_path / "desk-a", database=database)
    yield lab
    lab.close()


@pytest.fixture
def desk_b(desk_a, database, tmp_path):
    lab = Lab.join(tmp_path / "desk-b", database=database)
    yield lab
    lab.close()


def _sqlite_files(home):
    return [p for p in home.rglob("*") if p.is_file() and
            p.read_bytes()[:16] == b"SQLite format 3\x00"]


def test_a_desk_home_holds_no_database(desk_a, desk_b):
    for lab in (desk_a, desk_b):
        assert (lab.home / "desk.json").is_file()
        assert not _sqlite_files(lab.home)
        assert lab.on_server and lab.database.startswith("PostgreSQL ")
    assert "password" not in (desk_b.home / "desk.json").read_text()
    assert desk_b.user is None  # a new desk: nobody logged in


def test_a_stone_received_at_one_desk_is_approved_and_verified_at_the_other(
        desk_a, desk_b, tmp_path):
    sub = receive_stones(desk_a)                       # tech at desk A
    stone = sub.stones[0].number
    evidence = desk_a.add_evidence(stone, "kp_certificate", **kp_fields())
    scan = make_png(tmp_path / "kp.png")
    attachment = desk_a.attach(evidence.id, scan)
    login_as(desk_b, "sup2")
    assert desk_b.document_path(attachment.sha256).read_bytes() == scan.read_bytes()
    propose(desk_a, stone)                             # tech at A proposes
    login_as(desk_b, "tech")                           # four eyes by person, not by desk
    with pytest.raises(PermissionDenied):
        desk_b.approve(stone, comment="mine", password=PASSWORDS["tech"])
    login_as(desk_b, "sup2")
    desk_b.approve(stone, comment="checked at the other desk", password=PASSWORDS["sup2"])
    login_as(desk_a, "sup1")
    report = desk_a.issue_report(stone)
    verdict = desk_b.verify(report.token)
    assert verdict.valid and verdict.status == "valid"
    original = desk_b.report_pdf(report.number, original=True)
    assert original.read_bytes() == report.pdf_path.read_bytes()
    desk_a.revoke_report(report.number, "weight misread", password=PASSWORDS["sup1"])
    assert desk_b.report(report.number).status == "revoked"
    assert desk_b.verify(report.token).status == "revoked"
    assert desk_a.check().ok and desk_b.check().ok


def test_a_desk_without_the_signing_key_refuses_to_issue_until_it_is_imported(
        desk_a, desk_b, tmp_path):
    sub = receive_stones(desk_a)
    stone = sub.stones[1].number
    approve_stone(desk_a, stone)
    login_as(desk_b, "sup2")
    with pytest.raises(StateError, match="holds no signing key.*import-private"):
        desk_b.issue_report(stone)
    login_as(desk_a, "admin")
    with pytest.raises(ValidationError, match="passphrase"):
        desk_a.export_private_key(tmp_path / "key.pem", "short")
    exported = desk_a.export_private_key(tmp_path / "key.pem", "a long passphrase")
    assert b"ENCRYPTED PRIVATE KEY" in exported.read_bytes()
    login_as(desk_b, "admin")
    with pytest.raises(ValidationError, match="passphrase is wrong"):
        desk_b.import_private_key(exported, "not the passphrase")
    assert not list((desk_b.home / "keys").glob("*.key"))
    desk_b.import_private_key(exported, "a long passphrase")
    login_as(desk_b, "sup2")
    report = desk_b.issue_report(stone)
    login_as(desk_a, "sup1")
    assert desk_a.verify(report.token).valid
    actions = [e.action for e in desk_a.audit_events(limit=20).items]
    assert "key.export" in actions and "key.import" in actions
    result = desk_a.check()                 # the key's travels are no record changed
    assert result.ok, result.problems


def test_changes_at_one_desk_are_seen_at_the_other(desk_a, desk_b):
    assert desk_b.changed() is False          # the watch starts
    assert desk_b.changed() is False          # nothing happened
    receive_stones(desk_a)
    import time
    deadline = time.monotonic() + 2
    while not desk_b.changed():
        assert time.monotonic() < deadline, "desk B was not told within 2 s"
        time.sleep(0.05)
    assert desk_b.changed() is False


def test_init_and_join_refuse_the_wrong_database(pg_server, database, tmp_path,
                                                 fast_passwords):
    with pytest.raises(LabError, match="holds no lab yet"):
        Lab.join(tmp_path / "early", database=database)
    create_lab(tmp_path / "first", database=database).close()
    with pytest.raises(LabError, match="already holds a lab"):
        create_lab(tmp_path / "second", database=database)
    assert not (tmp_path / "second").exists()
    with pytest.raises(LabError, match="password"):
        Lab.join(tmp_path / "pw", database=database.replace("labdesk@", "labdesk:secret@"))
    with pytest.raises(LabError, match="cannot be reached"):
        Lab.join(tmp_path / "nowhere", database="postgresql://labdesk@127.0.0.1:1/labdesk")
    with pytest.raises(LabError, match="no such database|does not exist"):
        Lab.join(tmp_path / "missing", database=pg_server.dsn("no_such_database"))
    foreign = pg_server.create_database("someone_elses")
    try:
        import psycopg
        with psycopg.connect(foreign, autocommit=True) as conn:
            conn.execute("CREATE TABLE invoices (id int)")
        with pytest.raises(LabError, match="another application"):
            Lab.join(tmp_path / "foreign", database=foreign)
        with pytest.raises(LabError, match="another application"):
            create_lab(tmp_path / "foreign2", database=foreign)
    finally:
        pg_server.drop_database("someone_elses")
    for name in ("early", "pw", "nowhere", "missing", "foreign", "foreign2"):
        assert not (tmp_path / name).exists()


def test_a_sqlite_lab_moved_to_the_server_opens_from_a_joined_desk(
        template_home, database, tmp_path, fast_passwords):
    from support.homes import copy_home
    home = copy_home(template_home, tmp_path / "lab")
    lab = Lab.open(home)
    sub = receive_stones(lab)
    stone = sub.stones[0].number
    evidence = lab.add_evidence(stone, "kp_certificate", **kp_fields())
    scan = make_png(tmp_path / "kp.png")
    attachment = lab.attach(evidence.id, scan)
    approve_stone(lab, stone)
    report = lab.issue_report(stone)
    events = lab.audit_events().total
    login_as(lab, "tech")
    with pytest.raises(PermissionDenied):
        lab.move_to_server(database)
    login_as(lab, "admin")
    moved = lab.move_to_server(database)
    try:
        assert moved.on_server and not _sqlite_files(moved.home / "keys")
        assert list(home.glob("moved-to-server-*/labdesk.db"))  # kept, not deleted
        desk = Lab.join(tmp_path / "desk", database=database)
        try:
            login_as(desk, "sup2")
            result = desk.check()
            assert result.ok, result.problems
            assert desk.audit_events().total == events + 1  # and the move itself
            assert desk.verify(report.token).valid
            assert desk.document_path(attachment.sha256).read_bytes() == scan.read_bytes()
            assert desk.report_pdf(report.number, original=True).read_bytes() == \
                (home / next(home.glob("moved-to-server-*")).name / "reports" /
                 f"{report.number}.pdf").read_bytes()
            assert desk.stones(search="AC-001").total == 1
        finally:
            desk.close()
    finally:
        moved.close()


def test_a_server_lab_s_backup_restores_into_either_backend(
        desk_a, pg_server, tmp_path):
    sub = receive_stones(desk_a)
    stone = sub.stones[0].number
    evidence = desk_a.add_evidence(stone, "kp_certificate", **kp_fields())
    attachment = desk_a.attach(evidence.id, make_png(tmp_path / "kp.png"))
    approve_stone(desk_a, stone)
    report = desk_a.issue_report(stone)
    login_as(desk_a, "admin")
    path = desk_a.backup(tmp_path / "lab.zip")
    as_sqlite = Lab.restore(path, tmp_path / "restored-sqlite")
    other = pg_server.create_database("restored_here")
    try:
        as_server = Lab.restore(path, tmp_path / "restored-server", database=other)
        for restored in (as_sqlite, as_server):
            try:
                login_as(restored, "sup1")
                assert restored.check().ok
                assert restored.verify(report.token).valid
                assert restored.document_path(attachment.sha256).read_bytes() == \
                    desk_a.document_path(attachment.sha256).read_bytes()
                assert restored.report_pdf(report.number, original=True).read_bytes() == \
                    report.pdf_path.read_bytes()
            finally:
                restored.close()
        assert as_server.on_server and not as_sqlite.on_server
    finally:
        pg_server.drop_database("restored_here")


def test_a_second_window_on_a_moved_sqlite_lab_writes_nothing_more(
        database, tmp_path, fast_passwords):
    home = tmp_path / "lab"
    create_lab(home).close()
    first, second = Lab.open(home), Lab.open(home)
    try:
        login_as(second, "tech")
        second.changed()
        login_as(first, "admin")
        moved = first.move_to_server(database)
        moved.close()
        with pytest.raises(LabError, match="moved to a lab server"):
            second.add_client("Written After The Move BV")
        assert not (home / "labdesk.db").exists()     # nothing made where it was
        second.changed()                              # the watch makes no database either
        second.changed()
        assert not (home / "labdesk.db").exists()
    finally:
        second.close()
    with pytest.raises(LabError, match="moved to a lab server"):
        Lab.open(next(home.glob("moved-to-server-*")))


def test_names_the_server_would_merge_are_refused_before_anything_moves(
        database, tmp_path, fast_passwords):
    home = tmp_path / "lab"
    lab = create_lab(home)
    try:
        lab.add_client("Éclat SA")
        lab.add_client("éclat SA")
        with pytest.raises(ValidationError, match="Éclat SA.*éclat SA.*nothing was moved"):
            lab.move_to_server(database)
        assert (home / "labdesk.db").exists() and not (home / "desk.json").exists()
        assert lab.check().ok
        assert not lab.audit_events(action="lab.move").items
        # the database stayed empty: a lab can still be created in it
        create_lab(tmp_path / "fresh", database=database).close()
    finally:
        lab.close()


def test_a_report_pdf_also_attached_as_evidence_survives_a_backup(
        desk_a, tmp_path):
    sub = receive_stones(desk_a)
    first, second = sub.stones[0].number, sub.stones[1].number
    approve_stone(desk_a, first)
    report = desk_a.issue_report(first)
    earlier = tmp_path / "earlier-report.pdf"
    earlier.write_bytes(report.pdf_path.read_bytes())
    login_as(desk_a, "tech")
    evidence = desk_a.add_evidence(second, "other", notes="the earlier report")
    attachment = desk_a.attach(evidence.id, earlier)
    assert attachment.sha256 == report.pdf_sha256
    login_as(desk_a, "admin")
    restored = Lab.restore(desk_a.backup(tmp_path / "lab.zip"), tmp_path / "restored")
    try:
        login_as(restored, "admin")
        assert restored.check().ok
        assert restored.document_path(attachment.sha256).read_bytes() == \
            earlier.read_bytes()
    finally:
        restored.close()


def test_another_thread_cannot_roll_back_a_write_in_progress(desk_a):
    import threading

    from labdesk.store.connection import transaction
    db = desk_a._db
    inside, go_on = threading.Event(), threading.Event()
    outcome = []

    def writer():
        try:
            with transaction(db):
                db.execute("INSERT INTO settings (key, value) VALUES ('probe', '1')")
                inside.set()
                go_on.wait(10)
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome.append(exc)
        else:
            outcome.append("committed")

    thread = threading.Thread(target=writer)
    thread.start()
    assert inside.wait(10)
    db.roll_back_if_left_open()        # what a failed backup on another thread did
    go_on.set()
    thread.join(10)
    assert outcome == ["committed"]
    assert db.execute("SELECT value FROM settings WHERE key = 'probe'").fetchone()[0] == "1"


def test_a_desk_s_cached_report_pdf_that_is_another_s_is_fetched_again(
        desk_a, desk_b):
    sub = receive_stones(desk_a)
    approve_stone(desk_a, sub.stones[0].number)
    report = desk_a.issue_report(sub.stones[0].number)
    login_as(desk_b, "sup2")
    cached = desk_b.report_pdf(report.number, original=True)
    import os
    os.chmod(cached, 0o644)
    cached.write_bytes(b"%PDF-1.4 another report's PDF")   # a database restored earlier
    assert desk_b.report_pdf(report.number, original=True).read_bytes() == \
        report.pdf_path.read_bytes()
