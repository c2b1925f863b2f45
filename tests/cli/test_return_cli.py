"""Issue 17, returns: ``labdesk return STONE... --collected-by TEXT [--id-document TEXT]
[--note TEXT]`` hands stones back against the acting user's signature (the password given
is the re-entered password) and writes the receipt; a second return, a stone under review
and a missing collector are one line each, exit 2, nothing written."""
import os
import subprocess

from click.testing import CliRunner

from labdesk import Lab
from labdesk.cli import main
from support.homes import PASSWORDS, create_lab, login_as


def _lab(tmp_path):
    home = tmp_path / "lab"
    lab = create_lab(home)
    login_as(lab, "tech")
    sub = lab.receive("Acme Diamonds", [{"client_ref": "R-1", "weight": "1.010",
                                         "identification": "natural"},
                                        {"client_ref": "R-2", "weight": "0.720",
                                         "identification": "natural"}])
    numbers = [s.number for s in sub.stones]
    lab.propose_finding(numbers[1], "undetermined")
    lab.close()
    return home, numbers


def _run(home, *args, user="tech", password=None):
    env = {**os.environ, "LABDESK_PASSWORD": password or PASSWORDS[user]}
    return CliRunner().invoke(main, ["return", "--home", str(home), "--user", user, *args],
                              env=env)


def _events(home):
    lab = Lab.open(home)
    try:
        login_as(lab, "admin")
        return lab.audit_events(limit=1).total
    finally:
        lab.close()


def test_return_writes_the_receipt_and_is_refused_the_second_time(tmp_path):
    home, (first, second) = _lab(tmp_path)
    out = tmp_path / "receipt.pdf"
    result = _run(home, first, "--collected-by", "Jan Peeters", "--id-document",
                  "passport P1234567", "--note", "in person", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "returned 1 stone to Jan Peeters for Acme Diamonds on receipt RET-000001, " \
           "signed by Tom Tech" in result.output
    assert str(out) in result.output
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert first in text and "1.010" in text and "Jan Peeters" in text
    assert "passport P1234567" in text

    before = _events(home)
    again = _run(home, first, "--collected-by", "Jan Peeters")
    assert again.exit_code == 2
    assert again.output.strip() == f"error: {first} was returned to the client already"
    under_review = _run(home, second, "--collected-by", "Jan Peeters")
    assert under_review.exit_code == 2
    assert f"{second} has a finding awaiting review" in under_review.output
    missing = _run(home, second)
    assert missing.exit_code == 2 and "--collected-by" in missing.output
    assert _events(home) == before

    reprint = _run(home, "--reprint", "RET-000001", "-o", str(tmp_path / "again.pdf"))
    assert reprint.exit_code == 0, reprint.output
    assert (tmp_path / "again.pdf").read_bytes() == out.read_bytes()


def test_a_wrong_password_returns_nothing(tmp_path):
    home, (first, _) = _lab(tmp_path)
    result = _run(home, first, "--collected-by", "Jan", password="not-the-password")
    assert result.exit_code == 2
    lab = Lab.open(home)
    try:
        login_as(lab, "admin")
        assert lab.stone(first).state == "received"
    finally:
        lab.close()
