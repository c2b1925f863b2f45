"""The command line of a lab with several desks: init --database, join, status, keys
export-private/import-private, migrate --to (issue 14)."""
from __future__ import annotations

import itertools
import os
import subprocess
import sys

import pytest

from support.homes import PASSWORDS, create_lab

_names = itertools.count(1)


def labdesk(*args, password="admin-pw-1", passphrase=None, check=True):
    env = {**os.environ, "LABDESK_PASSWORD": password}
    if passphrase is not None:
        env["LABDESK_KEY_PASSPHRASE"] = passphrase
    result = subprocess.run([sys.executable, "-m", "labdesk", *args], env=env,
                            capture_output=True, text=True, timeout=120,
                            stdin=subprocess.DEVNULL)
    if check and result.returncode != 0:
        raise AssertionError(f"labdesk {' '.join(args)} exited {result.returncode}: "
                             f"{result.stderr}")
    return result


@pytest.fixture
def database(pg_server):
    name = f"cli_desks_{next(_names)}"
    yield pg_server.create_database(name)
    pg_server.drop_database(name)


def test_init_join_status_and_the_key_from_the_command_line(database, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    done = labdesk("init", "--home", str(first), "--lab-name", "Two Desk Lab",
                   "--admin", "admin", "--admin-name", "Ada Admin", "--database", database,
                   "--verify-url", "https://verify.example/v")
    assert "PostgreSQL" in done.stdout
    refused = labdesk("join", "--home", str(tmp_path / "x"), "--database",
                      database.replace("labdesk@", "labdesk:pw@"), check=False)
    assert refused.returncode == 2 and "password" in refused.stderr
    assert not (tmp_path / "x").exists()
    joined = labdesk("join", "--home", str(second), "--database", database)
    assert "holds no signing key" in joined.stdout
    status = labdesk("status", "--home", str(second))
    assert "database: PostgreSQL" in status.stdout
    key = tmp_path / "signing-key.pem"
    labdesk("keys", "export-private", "--home", str(first), "--user", "admin", "-o",
            str(key), passphrase="correct horse battery")
    wrong = labdesk("keys", "import-private", str(key), "--home", str(second), "--user",
                    "admin", passphrase="wrong horse battery", check=False)
    assert wrong.returncode == 2 and "passphrase is wrong" in wrong.stderr
    labdesk("keys", "import-private", str(key), "--home", str(second), "--user", "admin",
            passphrase="correct horse battery")
    assert len(list((second / "keys").glob("*.key"))) == 1


def test_migrate_moves_a_sqlite_lab_to_the_server(database, tmp_path, fast_passwords):
    home = tmp_path / "lab"
    create_lab(home).close()
    labdesk("migrate", "--home", str(home), "--user", "admin", "--to", database)
    assert (home / "desk.json").is_file() and not (home / "labdesk.db").exists()
    desk = tmp_path / "desk"
    labdesk("join", "--home", str(desk), "--database", database)
    checked = labdesk("check", "--home", str(desk), "--user", "sup1",
                      password=PASSWORDS["sup1"])
    assert checked.returncode == 0
