"""The whole workflow from the command line (issue 16, item 2): from ``labdesk init`` to
an issued report that verifies, with nothing but the ``labdesk`` command."""
import os
import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner

from labdesk.cli import main

PASSWORDS = {"admin": "admin-pass-1", "sup": "sup-pass-1", "tech": "tech-pass-1"}


def run(*args, user="admin", **env):
    environment = {**os.environ, "LABDESK_PASSWORD": PASSWORDS[user], **env}
    return subprocess.run([sys.executable, "-m", "labdesk", *args], capture_output=True,
                          text=True, env=environment, stdin=subprocess.DEVNULL,
                          timeout=120)


def ok(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_from_init_to_an_issued_report_that_verifies(tmp_path):
    home = str(tmp_path / "lab")
    at = ["--home", home]
    ok(run("init", *at, "--lab-name", "CLI Lab", "--admin", "admin", "--admin-name",
           "Ada Admin", "--verify-url", "https://verify.example.org/cli/"))
    for name, role in (("sup", "supervisor"), ("tech", "technician")):
        ok(run("user", "add", name, *at, "--user", "admin", "--name", name.title(),
               "--role", role, LABDESK_NEW_PASSWORD=PASSWORDS[name]))
    listing = tmp_path / "list.csv"
    listing.write_text("Stock #,Shape,Weight,Identification\nA1,BR,1.01,natural\n"
                       "A2,PS,0.72,natural\n")
    received = ok(run("import", str(listing), *at, "--user", "tech", "--client", "Acme",
                      user="tech"))
    submission = received.split()[1].rstrip(":")
    stone = received.split("(")[1].split()[0]
    assert submission.startswith("SUB-") and stone

    listed = ok(run("stones", *at, "--user", "tech", "--client", "Acme", user="tech"))
    assert stone in listed and "2 stones" in listed
    assert ok(run("stones", *at, "--user", "tech", "--limit", "1", user="tech")) \
        .strip().endswith("1 of 2 stones")

    parcel = ok(run("evidence", "add", submission, "kp_certificate", *at, "--user", "tech",
                    "reference=KP-BW-2025-1", "issuing_country=BW",
                    "origin_countries=BW,NA", "issued_on=2026-01-05",
                    "expires_on=2027-01-05", "weight=1.73", user="tech")).strip()
    own = ok(run("evidence", "add", stone, "non_russian_declaration", *at, "--user",
                 "tech", "reference=D-17", "seller=Acme NV", "origin_countries=BW",
                 "processing_countries=BE", user="tech")).strip()
    assert parcel.isdigit() and own.isdigit() and parcel != own
    scan = tmp_path / "kp.png"
    from PIL import Image
    Image.new("RGB", (60, 40), "white").save(scan)
    attached = ok(run("attach", parcel, str(scan), *at, "--user", "tech", user="tech"))
    assert "kp.png" in attached and f"#{parcel}" in attached
    evidence = ok(run("evidence", "list", stone, *at, "--user", "tech", user="tech"))
    assert "Kimberley Process certificate KP-BW-2025-1" in evidence
    assert "Botswana (BW), Namibia (NA)" in evidence and "1 scanned document" in evidence
    assert "Non-Russian origin declaration D-17" in evidence

    ok(run("propose", stone, "--origin", "non_russian", "--mining-country", "BW",
           "--statement", "KP certificate names Botswana", *at, "--user", "tech",
           user="tech"))
    ok(run("reject", stone, "--reason", "name the mine's country again", *at, "--user",
           "sup", user="sup"))
    ok(run("propose", stone, "--origin", "non_russian", "--mining-country", "BW",
           "--statement", "KP certificate names Botswana", *at, "--user", "tech",
           user="tech"))
    approved = ok(run("approve", stone, "--comment", "documents checked", *at, "--user",
                      "sup", user="sup"))
    assert stone in approved
    issued = ok(run("report", "issue", stone, *at, "--user", "sup", user="sup"))
    number, token = issued.split()[1], issued.splitlines()[1]
    assert "LD1." in token

    detail = ok(run("stone", stone, *at, "--user", "tech", user="tech"))
    assert detail.startswith(f"{stone}: Reported, locked")
    assert "Carat weight" in detail and "1.010 ct" in detail and "Natural" in detail
    assert "Not of Russian origin (mined in Botswana)" in detail
    assert "documents checked" in detail
    for jurisdiction in ("EU", "US", "UK"):
        assert f"\n  {jurisdiction} (" in detail
    assert "Finding rejected" in detail and "Finding approved" in detail
    assert "password re-entered" in detail and f"report {number}" in detail

    # against the lab's own records
    checked = ok(run("verify", token, *at, "--user", "admin"))
    assert checked.startswith("VALID") and number in checked
    # a retailer: the lab's public keys and its signed revocation list
    site = tmp_path / "site"
    ok(run("publish", str(site), *at))
    offline = ok(run("verify", token, "--public-key", str(site / "keys.pem"),
                     "--revocations", str(site / "revocations.txt")))
    assert offline.startswith("VALID") and number in offline
    # the public keys alone: genuine, but revocation not checked (exit 3, never VALID)
    pem = tmp_path / "lab.pem"
    ok(run("keys", "export", "-o", str(pem), *at))
    unchecked = run("verify", token, "--public-key", str(pem))
    assert unchecked.returncode == 3, unchecked.stdout + unchecked.stderr
    assert unchecked.stdout.startswith("GENUINE SIGNATURE, REVOCATION NOT CHECKED")

    assert ok(run("check", *at, "--user", "admin")).startswith("ok:")


# ---------------------------------------------------------------------- bad input

@pytest.fixture
def lab_home(tmp_path, monkeypatch):
    """A lab with two stones received (D1, D2), an admin and a supervisor."""
    from labdesk.lab import Lab
    home = tmp_path / "lab"
    lab = Lab.init(home, lab_name="Bad Input Lab", admin_username="admin",
                   admin_password=PASSWORDS["admin"], admin_name="Ada Admin")
    lab.login("admin", PASSWORDS["admin"])
    lab.add_user("sup", "Sue Sup", "supervisor", PASSWORDS["sup"])
    sub = lab.receive("Acme", [{"weight": "1.01", "identification": "natural"},
                               {"weight": "0.50", "identification": "natural"}])
    lab.close()
    monkeypatch.setenv("LABDESK_PASSWORD", PASSWORDS["admin"])
    monkeypatch.delenv("LABDESK_USER", raising=False)
    return home, sub.number, [s.number for s in sub.stones]


def counts(home) -> dict:
    """What a refused command must not change: the records, and the audit events other
    than the wrong passwords it counts (each is audited, issue 16 item 14)."""
    with sqlite3.connect(home / "labdesk.db") as conn:
        found = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                 for table in ("evidence", "attachments", "findings")}
        found["audit"] = conn.execute(
            "SELECT count(*) FROM audit WHERE action NOT IN ('user.login_failed', "
            "'user.lock', 'user.failures_cleared')").fetchone()[0]
        return found


def invoke(home, *args, password=None):
    env = {"LABDESK_PASSWORD": password} if password else {}
    result = CliRunner().invoke(main, [*args, "--home", str(home)],
                                                env=env)
    return result


@pytest.mark.parametrize("args, says", [
    (["kp_certificate", "reference=KP-1", "colour=D"], "colour: not an evidence field"),
    (["kp_certificate", "reference"], "'reference' is not FIELD=VALUE"),
    (["kp_certificate", "=KP-1"], "is not FIELD=VALUE"),
    (["kp_certificate", "reference=KP-1", "reference=KP-2"], "reference: given twice"),
    (["kp_certificate", "reference=KP-1", "seller=X"],
     "seller: not a field of a Kimberley Process certificate"),
    (["kp_certificate", "reference=KP-1", "origin_countries=BW,XQ"], "origin_countries"),
    (["kp_certificate", "reference=KP-1", "issued_on=yesterday"], "issued_on"),
    (["kp_certificate", "origin_countries=BW"], "reference"),
    (["kp_certifcate", "reference=KP-1"], "not an evidence kind"),
])
def test_evidence_add_refuses_bad_fields_and_writes_nothing(lab_home, args, says):
    home, _, stones = lab_home
    before = counts(home)
    result = invoke(home, "evidence", "add", stones[0], *args, "--user", "admin")
    assert result.exit_code == 2, result.output
    assert says in result.stderr and result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert counts(home) == before


def test_evidence_add_to_a_stone_or_submission_that_does_not_exist(lab_home):
    home, submission, _ = lab_home
    before = counts(home)
    for target in ("D9999999", "SUB-999999"):
        result = invoke(home, "evidence", "add", target, "kp_certificate",
                        "reference=KP-1", "--user", "admin")
        assert result.exit_code == 2 and "target: no" in result.stderr
    assert counts(home) == before
    added = invoke(home, "evidence", "add", submission, "kp_certificate",
                   "reference=KP-1", "origin_countries=BW,NA", "--user", "admin")
    assert added.exit_code == 0, added.stderr
    assert added.stdout.strip().isdigit()
    assert counts(home)["evidence"] == before["evidence"] + 1


def test_attach_a_missing_file_or_to_missing_evidence(lab_home, tmp_path):
    home, submission, _ = lab_home
    before = counts(home)
    missing = invoke(home, "attach", "1", str(tmp_path / "nope.pdf"), "--user", "admin")
    assert missing.exit_code == 2
    not_a_number = invoke(home, "attach", "one", str(tmp_path), "--user", "admin")
    assert not_a_number.exit_code == 2
    assert counts(home) == before


def test_propose_approve_reject_reopen_refusals(lab_home):
    home, _, stones = lab_home
    stone = stones[0]
    before = counts(home)
    bad_origin = invoke(home, "propose", stone, "--origin", "martian", "--user", "admin")
    assert bad_origin.exit_code == 2 and "martian" in bad_origin.stderr
    bad_country = invoke(home, "propose", stone, "--origin", "non_russian",
                         "--mining-country", "XQ", "--user", "admin")
    assert bad_country.exit_code == 2 and "XQ" in bad_country.stderr
    nothing_to_approve = invoke(home, "approve", stone, "--user", "sup",
                                password=PASSWORDS["sup"])
    assert nothing_to_approve.exit_code == 2
    no_reason = invoke(home, "reject", stone, "--user", "sup", password=PASSWORDS["sup"])
    assert no_reason.exit_code == 2 and "--reason" in no_reason.stderr
    no_user = invoke(home, "approve", stone)
    assert no_user.exit_code == 2 and "--user" in no_user.stderr
    assert counts(home) == before

    proposed = invoke(home, "propose", stone, "--origin", "undetermined", "--user",
                      "admin")
    assert proposed.exit_code == 0, proposed.stderr
    after_proposal = counts(home)
    own = invoke(home, "approve", stone, "--user", "admin")  # four eyes
    assert own.exit_code == 2 and own.stderr.count("\n") == 1
    wrong = invoke(home, "approve", stone, "--user", "sup", password="not-sups-password")
    assert wrong.exit_code == 2
    blank = invoke(home, "reject", stone, "--reason", "  ", "--user", "sup",
                   password=PASSWORDS["sup"])
    assert blank.exit_code == 2
    reopen_proposed = invoke(home, "reopen", stone, "--reason", "why not", "--user",
                             "sup", password=PASSWORDS["sup"])
    assert reopen_proposed.exit_code == 2
    assert counts(home) == after_proposal

    approved = invoke(home, "approve", stone, "--user", "sup", password=PASSWORDS["sup"])
    assert approved.exit_code == 0, approved.stderr
    reopened = invoke(home, "reopen", stone, "--reason", "a scan was missing", "--user",
                      "sup", password=PASSWORDS["sup"])
    assert reopened.exit_code == 0, reopened.stderr
    assert "received" in reopened.stdout.lower()


def test_stone_and_stones_refuse_what_is_not_there(lab_home):
    home, _, stones = lab_home
    missing = invoke(home, "stone", "D9999999", "--user", "admin")
    assert missing.exit_code == 2 and "no stone" in missing.stderr
    listed = invoke(home, "stones", "--state", "received", "--user", "admin")
    assert listed.exit_code == 0 and all(s in listed.stdout for s in stones)
    none = invoke(home, "stones", "--search", "nothing-like-this", "--user", "admin")
    assert none.exit_code == 0 and none.stdout.strip() == "0 stones"
    bad_limit = invoke(home, "stones", "--limit", "0", "--user", "admin")
    assert bad_limit.exit_code == 2
