"""``labdesk export stones|audit|submission`` and ``labdesk verify PACK.pdf`` (issue 17,
parts 2 and 3): what they write, their exit codes (0 done, 1 not genuine, 2 bad input,
nothing written), and the audit event of each export."""
from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from click.testing import CliRunner

from labdesk.cli import main
from labdesk.reports import pack
from support.files import make_pdf
from support.homes import PASSWORDS, login_as
from support.labs import approve_stone, kp_fields, receive_stones, written
from support.pdf_edits import replace_text


@pytest.fixture
def home_with_stones(lab, sub, tmp_path):
    """sub (three Acme stones) with a KP certificate, the first reported; two Beta Gems
    stones; the lab closed for the command line."""
    login_as(lab, "tech")
    ev = lab.add_evidence(sub.number, "kp_certificate", **kp_fields())
    lab.attach(ev.id, make_pdf(tmp_path / "kp.pdf"))
    receive_stones(lab, [{"client_ref": "=1+2", "weight": "0.300"},
                         {"client_ref": "BG-10", "weight": "3.100"}], client="Beta Gems")
    approve_stone(lab, sub.stones[0].number)
    lab.issue_report(sub.stones[0].number)
    home = lab.home
    return home, sub


def cli(home, *args, user="sup2"):
    return CliRunner().invoke(main, [*args, "--home", str(home), "--user", user],
                              env={"LABDESK_PASSWORD": PASSWORDS[user]},
                              catch_exceptions=False)


def test_export_stones_to_xlsx_and_csv(home_with_stones, tmp_path):
    home, sub = home_with_stones
    result = cli(home, "export", "stones", "--client", "Acme Diamonds", "--out",
                 str(tmp_path / "acme.xlsx"))
    assert result.exit_code == 0, result.output
    assert "3 stones written to" in result.output
    book = openpyxl.load_workbook(tmp_path / "acme.xlsx", read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    assert [r[0] for r in rows[1:]] == [s.number for s in sub.stones]
    result = cli(home, "export", "stones", "--sort", "weight", "--descending", "--out",
                 str(tmp_path / "all.csv"))
    assert result.exit_code == 0 and "5 stones" in result.output
    text = (tmp_path / "all.csv").read_text(encoding="utf-8-sig")
    assert "'=1+2" in text and ",=1+2" not in text
    lines = text.splitlines()[1:]
    assert lines[0].split(",")[4] == "3.1"          # the heaviest first
    result = cli(home, "export", "stones", "--state", "reported", "--out",
                 str(tmp_path / "reported.csv"))
    assert "1 stone written" in result.output


def test_export_audit_for_a_date_range(home_with_stones, tmp_path):
    home, _sub = home_with_stones
    today = dt.date.today().isoformat()
    result = cli(home, "export", "audit", "--from", today, "--to", today, "--out",
                 str(tmp_path / "audit.csv"))
    assert result.exit_code == 0, result.output
    assert "audit events written" in result.output
    assert "report.issue" in (tmp_path / "audit.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("args, message", [
    (["stones", "--out", "x.txt"], "must end in .csv or .xlsx"),
    (["stones", "--state", "lost", "--out", "x.csv"], "is not a state"),
    (["audit", "--from", "2026-02-01", "--to", "2026-01-01", "--out", "x.csv"],
     "before"),
    (["audit", "--from", "soon", "--to", "2026-01-01", "--out", "x.csv"], "date"),
    (["submission", "SUB-999999", "--out", "packs"], "no submission SUB-999999"),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(home_with_stones, tmp_path,
                                                           monkeypatch, args, message):
    home, _sub = home_with_stones
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    from labdesk import Lab
    with Lab.open(home) as lab:
        before = written(lab)
    result = CliRunner().invoke(main, ["export", *args, "--home", str(home), "--user",
                                       "tech"], env={"LABDESK_PASSWORD": PASSWORDS["tech"]})
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert list(out.iterdir()) == []
    with Lab.open(home) as lab:
        assert written(lab) == before


def test_an_export_needs_a_user(home_with_stones, tmp_path):
    home, _sub = home_with_stones
    result = CliRunner().invoke(main, ["export", "stones", "--home", str(home), "--out",
                                       str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "logged-in user" in result.output
    assert not (tmp_path / "x.csv").exists()


def test_pack_exported_verified_and_an_altered_copy_refused(home_with_stones, tmp_path):
    home, sub = home_with_stones
    result = cli(home, "export", "submission", sub.number.lower(), "--out",
                 str(tmp_path / "packs"))
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "packs" / f"{sub.number}-pack.pdf"
    assert str(pdf) in result.output and (tmp_path / "packs" /
                                          f"{sub.number}-pack.xlsx").is_file()

    result = cli(home, "verify", str(pdf))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"VALID: compliance pack of {sub.number} (3 stones")
    assert "unaltered" in result.output

    keys = tmp_path / "keys.pem"
    _export_keys(home, keys)
    offline = CliRunner().invoke(main, ["verify", str(pdf), "--public-key", str(keys),
                                        "--json"])
    assert offline.exit_code == 0, offline.output
    answer = json.loads(offline.output)
    assert answer["valid"] and answer["kind"] == "compliance_pack"
    assert answer["claim"]["sub"] == sub.number

    content = json.loads(pack.attached_content(pdf.read_bytes()))
    report = content["stones"][0]["report"]
    altered = tmp_path / "altered.pdf"
    altered.write_bytes(replace_text(pdf.read_bytes(), f"{report} (issued)",
                                     f"{report} (issued)".replace("1", "7")))
    for extra in ([], ["--public-key", str(keys)]):
        refused = CliRunner().invoke(main, ["verify", str(altered), *extra, "--home",
                                            str(home), "--user", "sup2"],
                                     env={"LABDESK_PASSWORD": PASSWORDS["sup2"]})
        assert refused.exit_code == 1, refused.output
        assert refused.output.startswith("ALTERED:")


def _export_keys(home, path):
    from labdesk import Lab
    with Lab.open(home) as lab:
        login_as(lab, "admin")
        lab.export_public_keys(path)
