"""``labdesk verify``'s verdicts and exit codes (issue 16, item 6): offline without a
revocation list a genuine token is GENUINE SIGNATURE, REVOCATION NOT CHECKED with exit 3;
VALID and exit 0 only when revocation was checked (a list, or the lab's own records)."""
import json
import os
import subprocess
import sys

import pytest

from labdesk.lab import Lab

ADMIN, SUP = "admin-pass-1", "sup-pass-1"


def run(*args):
    return subprocess.run([sys.executable, "-m", "labdesk", *args], capture_output=True,
                          text=True, env={**os.environ, "LABDESK_PASSWORD": SUP},
                          stdin=subprocess.DEVNULL, timeout=120)


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """A lab with one issued report; its public keys and revocation list exported."""
    where = tmp_path_factory.mktemp("verdicts")
    lab = Lab.init(where / "lab", lab_name="Verdict Lab", admin_username="admin",
                   admin_password=ADMIN, admin_name="Ada Admin")
    lab.login("admin", ADMIN)
    lab.add_user("sup", "Sue Sup", "supervisor", SUP)
    sub = lab.receive("Acme", [{"weight": "1.01", "identification": "natural"}])
    stone = sub.stones[0].number
    lab.add_evidence(sub.number, "kp_certificate", reference="KP-1",
                     origin_countries="BW")
    lab.propose_finding(stone, "non_russian", mining_country="BW",
                        statement="the KP certificate names Botswana")
    lab.login("sup", SUP)
    lab.approve(stone, password=SUP)
    report = lab.issue_report(stone)
    pem = where / "lab.pem"
    lab.export_public_keys(pem)
    clean = where / "revocations.txt"
    clean.write_text(lab.revocation_list())
    lab.close()
    return {"home": str(where / "lab"), "token": report.token, "number": report.number,
            "pem": str(pem), "clean": str(clean), "where": where}


def test_offline_without_a_revocation_list_is_exit_3(issued):
    result = run("verify", issued["token"], "--public-key", issued["pem"])
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stdout.startswith("GENUINE SIGNATURE, REVOCATION NOT CHECKED")
    assert "VALID" not in result.stdout.split("\n")[0].replace("NOT CHECKED", "")
    assert issued["number"] in result.stdout and "--revocations" in result.stdout
    as_json = run("verify", issued["token"], "--public-key", issued["pem"], "--json")
    assert as_json.returncode == 3
    data = json.loads(as_json.stdout)
    assert data["status"] == "genuine_revocation_not_checked"
    assert data["valid"] is False and data["revocations_checked"] is False
    assert data["claim"]["n"] == issued["number"]


def test_a_damaged_revocation_list_checks_nothing_so_exit_3(issued):
    damaged = issued["where"] / "damaged.txt"
    damaged.write_text("LDR1.not-a-list.at-all")
    result = run("verify", issued["token"], "--public-key", issued["pem"],
                 "--revocations", str(damaged))
    assert result.returncode == 3 and result.stdout.startswith("GENUINE SIGNATURE")


def test_valid_and_exit_0_only_when_revocation_was_checked(issued):
    with_list = run("verify", issued["token"], "--public-key", issued["pem"],
                    "--revocations", issued["clean"])
    assert with_list.returncode == 0, with_list.stdout + with_list.stderr
    assert with_list.stdout.startswith("VALID")
    against_lab = run("verify", issued["token"], "--home", issued["home"], "--user", "sup")
    assert against_lab.returncode == 0 and against_lab.stdout.startswith("VALID")


def test_a_forged_token_is_still_exit_1_offline(issued):
    forged = issued["token"].replace("LD1.eyJ", "LD1.eyK")
    result = run("verify", forged, "--public-key", issued["pem"])
    assert result.returncode == 1 and "Not genuine" in result.stdout


def test_a_revoked_report_offline(issued, tmp_path):
    """The issue's case: revoked, checked offline.  Without the list: exit 3, never
    VALID; with the lab's new list: REVOKED, exit 1."""
    lab = Lab.open(issued["home"])
    try:
        lab.login("sup", SUP)
        lab.revoke_report(issued["number"], "clerical error", password=SUP)
        listing = tmp_path / "revocations.txt"
        listing.write_text(lab.revocation_list())
    finally:
        lab.close()
    unchecked = run("verify", issued["token"], "--public-key", issued["pem"])
    assert unchecked.returncode == 3 and not unchecked.stdout.startswith("VALID")
    revoked = run("verify", issued["token"], "--public-key", issued["pem"],
                  "--revocations", str(listing))
    assert revoked.returncode == 1 and revoked.stdout.startswith("REVOKED")
    against_lab = run("verify", issued["token"], "--home", issued["home"], "--user", "sup")
    assert against_lab.returncode == 1 and against_lab.stdout.startswith("REVOKED")


def test_help_documents_the_exit_codes():
    result = run("verify", "--help")
    assert result.returncode == 0
    assert "Exit 3" in result.stdout
    assert "GENUINE SIGNATURE, REVOCATION NOT CHECKED" in result.stdout
