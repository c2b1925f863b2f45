"""Migrations: a fixture lab for every released schema version, opened with the current
code (which migrates it forward after a backup) and compared with what it held.

``tests/fixtures/schemas/v<N>.db`` is the database, ``v<N>/`` its documents, report PDFs
and signing key, ``v<N>.json`` what it holds (``make_fixture.py`` wrote them with the
release that introduced version N).  Releasing schema version N+1 means running
``make_fixture.py`` once with that release and committing its three files: these tests
pick them up, and refuse to pass while a released version has no fixture.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from labdesk import Lab
from labdesk.store import schema
from support import reliability

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"


def _versions() -> list[Path]:
    return sorted(FIXTURES.glob("v*.db"), key=lambda p: int(p.stem[1:]))


def _install(fixture: Path, home: Path) -> dict:
    """A lab home from a fixture, as a lab in the field would be (modes included: git
    keeps none, and LabDesk refuses to sign with a key others can read)."""
    home.mkdir(parents=True)
    shutil.copyfile(fixture, home / "labdesk.db")
    folder = fixture.with_suffix("")
    for name in ("documents", "reports", "keys"):
        shutil.copytree(folder / name, home / name)
    os.chmod(home / "keys", 0o700)
    for key in (home / "keys").glob("*.key"):
        os.chmod(key, 0o600)
    for doc in (home / "documents").rglob("*"):
        if doc.is_file():
            os.chmod(doc, 0o444)
    return json.loads(fixture.with_suffix(".json").read_text())


def test_every_released_schema_version_has_a_fixture():
    versions = [int(p.stem[1:]) for p in _versions()]
    assert versions == list(range(1, schema.LATEST + 1)), \
        "run tests/fixtures/schemas/make_fixture.py with the release of each new schema"
    for fixture in _versions():
        assert fixture.with_suffix(".json").is_file() and fixture.with_suffix("").is_dir()
        conn = sqlite3.connect(f"file:{fixture}?mode=ro", uri=True)
        try:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == int(fixture.stem[1:])
        finally:
            conn.close()


@pytest.mark.parametrize("fixture", _versions(), ids=lambda p: p.stem)
def test_each_released_schema_migrates_forward_with_its_data_intact(fixture, tmp_path):
    home = tmp_path / "home"
    expected = _install(fixture, home)
    lab = Lab.open(home)  # migrates to the current version
    try:
        _login(lab)
        assert schema.version(lab._db) == schema.LATEST
        backups = list((home / "backups").glob("before-v*.db"))
        assert len(backups) == (1 if expected["schema_version"] < schema.LATEST else 0)
        result = lab.check()
        assert result.ok, result.problems
        _compare(lab, expected)
        _takes_new_work(lab, expected)
    finally:
        lab.close()


def _login(lab: Lab) -> None:
    """The fixture lab's admin logs in: its records are read by a logged-in user."""
    import make_fixture
    lab.login("admin", make_fixture.PASSWORDS["admin"])


def _compare(lab: Lab, expected: dict) -> None:
    import make_fixture
    now = make_fixture.describe(lab)
    for key in ("users", "stones", "keys"):
        assert now[key] == expected[key], key
    for number, report in expected["reports"].items():
        assert now["reports"][number] == report, number
        assert lab.report_pdf(number).is_file()  # its PDF, verified by its SHA-256
    for key, value in expected["settings"].items():
        assert now["settings"][key] == value, key
    for table, count in expected["records"].items():
        assert now["records"][table] >= count, table  # a migration may add, not lose
    events = lab.audit_events(limit=1, offset=now["audit_events"] - expected["audit_events"])
    assert events.items[0].hash == expected["audit_head"]  # the old chain, unchanged
    for who, password in expected["passwords"].items():
        assert lab.login(who, password).username == who


def _takes_new_work(lab: Lab, expected: dict) -> None:
    pw = expected["passwords"]
    lab.login("tech", pw["tech"])
    sub = lab.receive("After Migration", [{"weight": "0.700", "identification": "natural"}])
    number = sub.stones[0].number
    lab.propose_finding(number, "undetermined")
    lab.login("sup2", pw["sup2"])
    lab.approve(number, comment="ok", password=pw["sup2"])
    report = lab.issue_report(number)
    assert lab.verify(report.qr_text).valid
    assert lab.check().ok


@pytest.fixture(autouse=True)
def _make_fixture_importable(monkeypatch):
    monkeypatch.syspath_prepend(str(FIXTURES))


# ------------------------------------------- what the next migration will have to handle
@pytest.mark.parametrize("fixture", _versions(), ids=lambda p: p.stem)
def test_a_migration_to_a_next_version_keeps_the_data_and_backs_up_first(fixture,
                                                                         tmp_path):
    """The path the next real version will take, with the test's NEXT_SCRIPT after every
    released migration: backup, one transaction, data moved, check() passing, the old
    facts intact."""
    home = tmp_path / "home"
    expected = _install(fixture, home)
    with reliability.schema_next():
        lab = Lab.open(home)
        try:
            _login(lab)
            assert schema.version(lab._db) == schema.LATEST
            copy = list((home / "backups").glob(f"before-v{schema.LATEST}-*.db"))
            assert len(copy) == 1
            conn = sqlite3.connect(copy[0])
            assert conn.execute("PRAGMA user_version").fetchone()[0] == \
                expected["schema_version"]
            conn.close()
            result = lab.check()
            assert result.ok, result.problems
            terms = lab._db.execute("SELECT count(*) FROM stone_search_terms").fetchone()[0]
            assert terms == len(expected["stones"])
            _compare(lab, expected)
        finally:
            lab.close()


@pytest.mark.parametrize("fixture", _versions()[-1:], ids=lambda p: p.stem)
def test_a_migration_adding_a_column_to_an_audited_table_keeps_check_passing(fixture,
                                                                             tmp_path):
    from labdesk.store import schema as schema_module
    home = tmp_path / "home"
    _install(fixture, home)
    saved = (schema_module.MIGRATIONS, schema_module.LATEST)
    schema_module.MIGRATIONS = [*saved[0], (saved[1] + 1, "ALTER TABLE stones ADD COLUMN "
                                                         "origin_note TEXT;")]
    schema_module.LATEST = saved[1] + 1
    try:
        lab = Lab.open(home)
        try:
            _login(lab)
            result = lab.check()
            assert result.ok, result.problems[:3]
        finally:
            lab.close()
    finally:
        schema_module.MIGRATIONS, schema_module.LATEST = saved
