"""The Lab facade as a door: making a lab, opening one, closing it (design.md "The Lab
facade")."""
from __future__ import annotations

import shutil
import sqlite3

import pytest

from labdesk import Lab, LabError, ValidationError
from support.homes import login_as
from support.labs import set_schema_version, written


# ---------------------------------------------------------------------- lifecycle
def test_init_creates_a_lab_logged_in_as_its_admin(tmp_path):
    home = tmp_path / "new"
    lab = Lab.init(home, lab_name="  Antwerp   Gem Lab ", admin_username="boss",
                   admin_password="boss-pw-1", admin_name="Bea Boss",
                   report_prefix="agl")
    try:
        assert lab.user.username == "boss" and lab.user.role == "admin"
        assert lab.settings()["lab_name"] == "Antwerp Gem Lab"
        assert lab.settings()["report_prefix"] == "AGL"
        for folder in ("documents", "reports", "keys", "backups"):
            assert (home / folder).is_dir()
        assert (home / "keys").stat().st_mode & 0o077 == 0
        actions = lab.audit_actions()
        assert "lab.init" in actions and "settings.set" in actions
        assert lab.check().ok
    finally:
        lab.close()
    reopened = Lab.open(home)
    try:
        assert reopened.user is None
        assert reopened.login("boss", "boss-pw-1").full_name == "Bea Boss"
    finally:
        reopened.close()


def test_init_refuses_a_home_that_holds_a_lab(lab):
    before = written(lab)
    with pytest.raises(LabError, match="already holds a lab"):
        Lab.init(lab.home, lab_name="Other", admin_username="x2", admin_password="pw-x2-xyz",
                 admin_name="X")
    assert written(lab) == before


@pytest.mark.parametrize("kwargs, field", [
    ({"admin_password": "short"}, "password"),
    ({"admin_username": "a b"}, "username"),
    ({"admin_name": "  "}, "full_name"),
    ({"lab_name": ""}, "lab_name"),
    ({"paper_size": "A5"}, "paper_size"),
])
def test_init_refuses_bad_input_and_writes_nothing(tmp_path, kwargs, field):
    home = tmp_path / "new"
    args = {"lab_name": "Lab", "admin_username": "boss", "admin_password": "boss-pw-1",
            "admin_name": "Bea Boss", **kwargs}
    with pytest.raises(ValidationError) as err:
        Lab.init(home, **args)
    assert err.value.field == field
    assert not (home / "labdesk.db").exists()


def test_open_refuses_a_missing_or_damaged_home(tmp_path):
    with pytest.raises(LabError, match="no lab"):
        Lab.open(tmp_path / "nowhere")
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "labdesk.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(LabError):
        Lab.open(damaged)


@pytest.mark.parametrize("content", ["empty", "foreign"])
def test_open_refuses_a_database_that_is_no_lab(tmp_path, content):
    home = tmp_path / "home"
    home.mkdir()
    path = home / "labdesk.db"
    if content == "empty":
        path.write_bytes(b"")
    else:
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.commit()
        conn.close()
    with pytest.raises(LabError):
        Lab.open(home).close()
    conn = sqlite3.connect(path)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()
    assert "users" not in tables  # left as it was


def test_open_refuses_a_lab_written_by_a_newer_labdesk(lab):
    home = lab.home
    set_schema_version(lab, 99)
    lab.close()
    with pytest.raises(LabError, match="newer"):
        Lab.open(home)


def test_lab_is_a_context_manager(template_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(template_home, home)
    with Lab.open(home) as opened:
        login_as(opened, "tech")
        assert opened.user.username == "tech"
    with pytest.raises(Exception):
        opened.stones()  # closed
