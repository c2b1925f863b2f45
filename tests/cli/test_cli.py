"""The ``labdesk`` command, run as a user would run it."""
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from labdesk.cli import main
from labdesk.demo import DEMO_USERS

LABDESK = [sys.executable, "-m", "labdesk"]


def run(*args, password="admin-pass-1", **env):
    environment = {**os.environ, "LABDESK_PASSWORD": password, **env}
    return subprocess.run([*LABDESK, *args], capture_output=True, text=True,
                          env=environment, stdin=subprocess.DEVNULL, timeout=120)


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "lab"
    result = run("init", "--home", str(home), "--lab-name", "CLI Lab", "--admin", "admin",
                 "--admin-name", "Ada Admin")
    assert result.returncode == 0, result.stderr
    return home


def test_init_user_add_and_list(home):
    result = run("user", "add", "tech", "--home", str(home), "--user", "admin", "--name",
                 "Tom Tech", "--role", "technician", LABDESK_NEW_PASSWORD="tech-pass-1")
    assert result.returncode == 0, result.stderr
    listed = run("user", "list", "--home", str(home))
    assert "tech" in listed.stdout and "technician" in listed.stdout


def test_wrong_password_is_one_line_and_exit_2(home):
    result = run("user", "add", "x1", "--home", str(home), "--user", "admin", "--name",
                 "X", "--role", "technician", password="not-the-password",
                 LABDESK_NEW_PASSWORD="whatever-1")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "wrong username or password" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_home_is_a_clear_error(tmp_path):
    result = run("check", "--home", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert "no lab in" in result.stderr and "Traceback" not in result.stderr


def test_check_passes_then_reports_tampering_with_exit_1(home):
    assert run("check", "--home", str(home), "--user", "admin").returncode == 0
    run("user", "add", "tech", "--home", str(home), "--user", "admin", "--name", "Tom",
        "--role", "technician", LABDESK_NEW_PASSWORD="tech-pass-1")
    with sqlite3.connect(home / "labdesk.db") as conn:
        conn.execute("UPDATE users SET role = 'supervisor' WHERE username = 'tech'")
    result = run("check", "--home", str(home), "--user", "admin")
    assert result.returncode == 1
    assert "users: tech differs from its last audited state" in result.stdout
    assert "role: recorded 'technician', now 'supervisor'" in result.stdout


def test_reindex_repairs_what_check_reports_about_the_search_index(home, tmp_path):
    listing = tmp_path / "list.csv"
    listing.write_text("Stock #,Shape,Weight\nA1,BR,1.01\nA2,PS,0.72\n")
    assert run("import", str(listing), "--home", str(home), "--user", "admin", "--client",
               "Acme").returncode == 0
    with sqlite3.connect(home / "labdesk.db") as conn:
        conn.execute("DELETE FROM stones_fts")
    broken = run("check", "--home", str(home), "--user", "admin")
    assert broken.returncode == 1 and "search index: 0 entries for 2 stones" in broken.stdout
    result = run("reindex", "--home", str(home), "--user", "admin")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "search index rebuilt: 2 stones"
    assert run("check", "--home", str(home), "--user", "admin").returncode == 0


def test_import_packing_list_and_problems(home, tmp_path):
    good = tmp_path / "list.csv"
    good.write_text("Stock #;Shape;Weight;Color;Clarity;Price/Ct\n"
                    "A1;BR;1,01;F;VS1;5000\nA2;PS;0,72;G;SI1;3000\n", encoding="utf-8-sig")
    result = run("import", str(good), "--home", str(home), "--user", "admin",
                 "--client", "Dealer NV")
    assert result.returncode == 0, result.stderr
    assert "2 stones, 1.730 ct" in result.stdout
    assert "Price/Ct" in result.stdout  # named back as left out
    bad = tmp_path / "bad.csv"
    bad.write_text("Stock #,Weight,Color\nB1,-1,F\nB2,0.5,Q9\n")
    result = run("import", str(bad), "--home", str(home), "--user", "admin",
                 "--client", "Dealer NV")
    assert result.returncode == 2
    assert "nothing was saved" in result.stderr
    assert "-1" in result.stderr and "Q9" in result.stderr
    status = run("status", "--home", str(home))
    assert "stones: 2" in status.stdout


def test_backup_and_restore(home, tmp_path):
    target = tmp_path / "b.zip"
    assert run("backup", str(target), "--home", str(home), "--user", "admin").returncode == 0
    result = run("restore", str(target), "--home", str(tmp_path / "restored"))
    assert result.returncode == 0, result.stderr
    assert "check passed" in result.stdout
    again = run("restore", str(target), "--home", str(tmp_path / "restored"))
    assert again.returncode == 2 and "already holds a lab" in again.stderr


def test_demo_no_gui_builds_every_state(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["demo", "--no-gui", "--home", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    for state in ("received", "proposed", "rejected", "approved"):
        assert state in result.output
    assert "password:" in result.output
    check = runner.invoke(main, ["check", "--home", str(tmp_path / "demo"), "--user", "ada"],
                          env={"LABDESK_PASSWORD": DEMO_USERS["ada"][2]})
    assert check.exit_code == 0, check.output
    assert Path(tmp_path / "demo" / "documents").is_dir()


def test_assess_prints_reasons_and_json(tmp_path):
    import json
    runner = CliRunner()
    home = str(tmp_path / "demo")
    assert runner.invoke(main, ["demo", "--no-gui", "--home", home]).exit_code == 0
    from labdesk.lab import Lab
    lab = Lab.open(home)
    lab.login("tom", DEMO_USERS["tom"][2])
    stone = lab.stones(limit=1).items[0].number
    lab.close()
    runner = CliRunner(env={"LABDESK_USER": "tom", "LABDESK_PASSWORD": DEMO_USERS["tom"][2]})
    text = runner.invoke(main, ["assess", stone, "--jurisdiction", "eu", "--on",
                                "2024-09-01", "--home", home])
    assert text.exit_code == 0, text.output
    assert text.output.startswith("EU on 2024-09-01")
    assert "  - " in text.output
    data = runner.invoke(main, ["assess", stone, "--jurisdiction", "US", "--json",
                                "--home", home])
    parsed = json.loads(data.output)
    assert parsed["jurisdiction"] == "US"
    assert parsed["outcome"] in ("clear", "insufficient", "prohibited")
    bad = runner.invoke(main, ["assess", stone, "--jurisdiction", "XX", "--home", home])
    assert bad.exit_code == 2 and "no ruleset" in bad.output


def test_publish_writes_the_site(tmp_path):
    runner = CliRunner()
    home = str(tmp_path / "demo")
    assert runner.invoke(main, ["demo", "--no-gui", "--home", home]).exit_code == 0
    result = runner.invoke(main, ["publish", str(tmp_path / "site"), "--home", home])
    assert result.exit_code == 0, result.output
    for name in ("index.html", "revocations.txt", "keys.json", "keys.pem"):
        assert (tmp_path / "site" / name).stat().st_size > 0
    assert (tmp_path / "site" / "revocations.txt").read_text().startswith("LDR1.")
    assert "verify.labdesk.example" in result.output
