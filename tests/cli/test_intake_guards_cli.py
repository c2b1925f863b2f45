"""Issue 16 from the command line, each command its own process: five wrong passwords in
five runs lock the account (item 14) until an admin unlocks it; the same packing list
twice needs --allow-duplicates, and a supervisor voids a submission (item 4); import
--help lists the accepted headers (item 9); a PDF named .csv is said to be a PDF (13)."""
import os
import subprocess
import sys

import pytest

LABDESK = [sys.executable, "-m", "labdesk"]
PW = {"admin": "admin-pass-1", "tech": "tech-pass-1", "sup": "sup-pass-11"}


def run(*args, password="admin-pass-1", **env):
    environment = {**os.environ, "LABDESK_PASSWORD": password, **env}
    return subprocess.run([*LABDESK, *args], capture_output=True, text=True,
                          env=environment, stdin=subprocess.DEVNULL, timeout=120)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    home = tmp_path_factory.mktemp("cli") / "lab"
    assert run("init", "--home", str(home), "--lab-name", "CLI Lab", "--admin", "admin",
               "--admin-name", "Ada Admin", "--verify-url",
               "https://lab.example/v").returncode == 0
    for name, role in (("tech", "technician"), ("sup", "supervisor")):
        made = run("user", "add", name, "--home", str(home), "--user", "admin", "--name",
                   name.title(), "--role", role, LABDESK_NEW_PASSWORD=PW[name])
        assert made.returncode == 0, made.stderr
    return home


@pytest.fixture
def home(template, tmp_path):
    import shutil
    copy = tmp_path / "lab"
    shutil.copytree(template, copy)
    return copy


def test_five_wrong_passwords_in_five_runs_lock_the_account_until_an_admin_unlocks(home):
    for attempt in range(1, 6):
        result = run("evidence", "list", "D0000001", "--home", str(home), "--user", "tech",
                     password=f"guess-{attempt}")
        assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "the fifth wrong password in a row: the account is locked until" in \
        result.stderr
    right = run("evidence", "list", "D0000001", "--home", str(home), "--user", "tech",
                password=PW["tech"])
    assert right.returncode == 2
    assert "this account is locked after 5 wrong passwords in a row, until" in right.stderr
    listed = run("user", "list", "--home", str(home), "--user", "admin")
    if "No such option" in listed.stderr:   # before `user list` asked for a login
        listed = run("user", "list", "--home", str(home))
    assert "(locked until" in listed.stdout
    refused = run("user", "unlock", "tech", "--home", str(home), "--user", "tech",
                  password=PW["tech"])
    assert refused.returncode == 2 and "locked" in refused.stderr
    done = run("user", "unlock", "tech", "--home", str(home), "--user", "admin")
    assert done.returncode == 0 and "unlocked tech" in done.stdout
    assert run("evidence", "list", "D0000001", "--home", str(home), "--user", "tech",
               password=PW["tech"]).stderr.count("locked") == 0
    from labdesk import Lab
    lab = Lab.open(home)   # the audit trail holds each wrong password, the lock, the unlock
    try:
        lab.login("admin", PW["admin"])
        actions = [e.action for e in reversed(lab.audit_events(limit=20).items)
                   if e.entity == "users" and e.entity_id != "1"]
        assert actions[-6:] == ["user.login_failed"] * 4 + ["user.lock", "user.unlock"]
        assert lab.check().ok
    finally:
        lab.close()


def test_the_same_list_twice_needs_allow_duplicates_and_a_supervisor_voids(home, tmp_path):
    packing = tmp_path / "acme.csv"
    packing.write_text("Stock #,Weight/Carat,Lab,Cert #,Origin/Country\n"
                       "A-1,1.02,GIA,2141438167,BW\nA-2,0.50,IGI,LG1,RU\n")
    args = ("import", str(packing), "--client", "Acme", "--home", str(home),
            "--user", "tech")
    first = run(*args, password=PW["tech"])
    assert first.returncode == 0, first.stderr
    assert "columns left out" not in first.stdout
    again = run(*args, password=PW["tech"])
    assert again.returncode == 2 and again.stderr.count("\n") == 1
    assert "Acme sent 2 of its 2 stock numbers before: SUB-000001" in again.stderr
    assert "--allow-duplicates" in again.stderr and "nothing was saved" in again.stderr
    forced = run(*args, "--allow-duplicates", password=PW["tech"])
    assert forced.returncode == 0 and "received SUB-000002" in forced.stdout
    by_tech = run("void", "SUB-000002", "--reason", "twice", "--home", str(home),
                  "--user", "tech", password=PW["tech"])
    assert by_tech.returncode == 2 and "only a supervisor may void" in by_tech.stderr
    voided = run("void", "SUB-000002", "--reason", "the same list twice", "--home",
                 str(home), "--user", "sup", password=PW["sup"])
    assert voided.returncode == 0, voided.stderr
    assert "voided SUB-000002: 2 stones kept" in voided.stdout
    proposed = run("propose", "D0000003", "--origin", "undetermined", "--home", str(home),
                   "--user", "tech", password=PW["tech"])
    assert proposed.returncode == 2 and "voided" in proposed.stderr


def test_import_help_lists_the_accepted_headers():
    result = run("import", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for header in ("Weight/Carat", "Carat Weight", "Cts", "Lab", "Cert #", "Certificate #",
                   "Report No", "Origin", "Country", "Origin/Country", "Country of Origin",
                   "--allow-duplicates"):
        assert header in text, header


def test_a_pdf_named_csv_is_said_to_be_a_pdf(home, tmp_path):
    fake = tmp_path / "list.csv"
    fake.write_bytes(b"%PDF-1.3\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n")
    result = run("import", str(fake), "--client", "Acme", "--home", str(home), "--user",
                 "tech", password=PW["tech"])
    assert result.returncode == 2
    assert "this is a PDF document, not a spreadsheet" in result.stderr
    assert "no header row" not in result.stderr
