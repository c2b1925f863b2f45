"""Exports through the Lab facade (issue 17, parts 2 and 3): the Stones page's filter and
sort as CSV and XLSX, the audit trail for a date range, and the client's compliance
pack (a PDF whose QR code carries the lab's signed digest, and an XLSX), on SQLite and
PostgreSQL."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess

import openpyxl
import pytest

from labdesk import AuthError, ValidationError
from labdesk.errors import NotFound
from labdesk.reports import pack, pack_claims, sheets
from labdesk.reports.claims import canonical_bytes
from support.files import make_pdf
from support.homes import FULL_NAMES, login_as
from support.pdf_edits import replace_text
from support.labs import (CLIENT, approve_stone, kp_fields, propose, receive_stones,
                          written)

HOSTILE = ("=HYPERLINK(\"http://evil.example\",\"x\")", "+44 20 7946", "-2+3",
           "@SUM(A1:A2)", "\tcmd", "\rcmd")


@pytest.fixture
def stones(lab, sub):
    """sub (three Acme stones) and two of Beta Gems with hostile notes, received in
    March 2024; the first Acme stone approved."""
    receive_stones(lab, [{"client_ref": HOSTILE[0], "weight": "0.300", "notes": HOSTILE[1]},
                         {"client_ref": "BG-10", "weight": "3.100", "notes": HOSTILE[3]}],
                   client="Beta Gems", received_at=dt.date(2024, 3, 15))
    approve_stone(lab, sub.stones[0].number)
    return sub


def _csv(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.reader(fh))


def _xlsx(path) -> list[list]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def test_stones_export_holds_every_stone_of_the_filter_in_its_order(lab, stones,
                                                                   tmp_path):
    login_as(lab, "tech")
    count = lab.export_stones(tmp_path / "all.xlsx", order="weight", descending=True)
    rows = _xlsx(tmp_path / "all.xlsx")
    assert count == 5 and rows[0][:5] == ["Stone", "Submission", "Client", "Client ref",
                                          "Carat"]
    everything = [s.number for s in lab.stones(order="weight", descending=True).items]
    assert [r[0] for r in rows[1:]] == everything
    assert rows[1][4] == 3.1   # a weight is a number in the spreadsheet

    assert lab.export_stones(tmp_path / "acme.csv", client=CLIENT) == 3
    acme = _csv(tmp_path / "acme.csv")
    assert [r[0] for r in acme[1:]] == ["D0000001", "D0000002", "D0000003"]
    assert lab.export_stones(tmp_path / "approved.xlsx", state="approved") == 1
    assert [r[0] for r in _xlsx(tmp_path / "approved.xlsx")[1:]] == ["D0000001"]
    assert lab.export_stones(tmp_path / "found.csv", search="bright") == 1
    assert _csv(tmp_path / "found.csv")[1][0] == "D0000001"
    assert lab.export_stones(tmp_path / "old.csv", received_from="2024-03-01",
                             received_to="2024-03-31") == 2


def test_cells_a_spreadsheet_would_run_are_neutralised(lab, stones, tmp_path):
    login_as(lab, "tech")
    lab.export_stones(tmp_path / "beta.csv", client="Beta Gems")
    lab.export_stones(tmp_path / "beta.xlsx", client="Beta Gems")
    for rows in (_csv(tmp_path / "beta.csv"), _xlsx(tmp_path / "beta.xlsx")):
        cells = [c for row in rows for c in row if isinstance(c, str)]
        assert "'" + HOSTILE[0] in cells and "'" + HOSTILE[1] in cells
        assert "'" + HOSTILE[3] in cells
        assert not any(c.startswith(sheets.FORMULA_STARTS) for c in cells)
    book = openpyxl.load_workbook(tmp_path / "beta.xlsx")
    assert not any(cell.data_type == "f" for row in book.worksheets[0].iter_rows()
                   for cell in row)


def test_an_export_is_audited_with_who_and_what(lab, stones, tmp_path):
    login_as(lab, "sup2")
    lab.export_stones(tmp_path / "x.csv", state="received", search="AC")
    event = lab.audit_events(action="export.stones", limit=1).items[0]
    assert event.actor == "sup2" and event.data["file"] == "x.csv"
    assert event.data["rows"] == 2
    assert event.data["filter"] == {"state": "received", "search": "AC"}
    lab.export_audit(tmp_path / "trail.csv", dt.date.today(), dt.date.today())
    assert lab.audit_events(action="export.audit", limit=1).items[0].data["rows"] > 0
    assert lab.check().ok


@pytest.mark.parametrize("kwargs, field", [
    ({"path": "x.txt"}, "out"), ({"path": "x.csv", "state": "lost"}, "state"),
    ({"path": "no-such-folder/x.csv"}, "out"), ({"path": ".", "dir": True}, "out"),
    ({"path": "x.csv", "received_from": "yesterday-ish"}, "date"),
])
def test_bad_export_input_is_one_message_and_writes_nothing(lab, stones, tmp_path,
                                                            kwargs, field):
    login_as(lab, "tech")
    before = written(lab)
    out = tmp_path / "out"
    out.mkdir()
    kwargs = dict(kwargs)
    target = out if kwargs.pop("dir", False) else out / kwargs["path"]
    kwargs.pop("path")
    with pytest.raises(ValidationError) as caught:
        lab.export_stones(target, **kwargs)
    assert caught.value.field == field
    assert written(lab) == before
    assert list(out.iterdir()) == []


def test_unknown_client_and_nobody_logged_in_are_refused(lab, stones, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    login_as(lab, "tech")
    with pytest.raises(NotFound, match="no client named 'Gamma'"):
        lab.export_stones(tmp_path / "x.csv", client="Gamma")
    lab.logout()
    for call in (lambda: lab.export_stones(tmp_path / "x.csv"),
                 lambda: lab.export_audit(tmp_path / "a.csv", "2024-01-01", "2024-12-31"),
                 lambda: lab.compliance_pack(stones.number, tmp_path / "pack")):
        with pytest.raises(AuthError):
            call()
    assert list(tmp_path.iterdir()) == []


def test_audit_export_covers_the_date_range(lab, stones, tmp_path):
    login_as(lab, "tech")
    today = dt.date.today()
    count = lab.export_audit(tmp_path / "today.xlsx", today.isoformat(), today)
    rows = _xlsx(tmp_path / "today.xlsx")
    assert rows[0][:4] == ["Event", "At (UTC)", "Actor", "Action"]
    assert count == len(rows) - 1 > 5
    actions = [r[3] for r in rows[1:]]
    assert "finding.approve" in actions and "submission.receive" in actions
    assert all(r[1][:10] == today.isoformat() for r in rows[1:])
    ids = [r[0] for r in rows[1:]]
    assert ids == sorted(ids)
    assert lab.export_audit(tmp_path / "old.csv", "2001-01-01", "2001-12-31") == 0
    assert _csv(tmp_path / "old.csv") == [list(_csv(tmp_path / "old.csv")[0])]
    with pytest.raises(ValidationError, match="before"):
        lab.export_audit(tmp_path / "bad.csv", today, today - dt.timedelta(days=1))


# ---------------------------------------------------------------------- compliance pack
@pytest.fixture
def packed(lab, sub, tmp_path):
    """sub with parcel evidence (a KP certificate and its scan), the first stone
    reported, the second proposed, the third received; and its pack, made by sup2."""
    login_as(lab, "tech")
    ev = lab.add_evidence(sub.number, "kp_certificate", **kp_fields())
    lab.attach(ev.id, make_pdf(tmp_path / "kp.pdf"))
    approve_stone(lab, sub.stones[0].number)
    report = lab.issue_report(sub.stones[0].number)
    propose(lab, sub.stones[1].number)
    login_as(lab, "sup2")
    made = lab.compliance_pack(sub.number, tmp_path / "out")
    return sub, report, made


def _pdftotext(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_the_pack_holds_every_stone_and_report_number(lab, packed):
    sub, report, made = packed
    assert made.pdf.name == f"{sub.number}-pack.pdf" and made.stones == 3
    text = _pdftotext(made.pdf)
    for stone in sub.stones:
        assert stone.number in text and stone.client_ref in text
    assert report.number in text and "Compliance pack" in text
    assert lab.settings()["lab_name"] in text and "BW-2024-0001" in text
    sha = lab.stone_detail(sub.stones[0].number).evidence[0].attachments[0].sha256
    assert sha in "".join(text.split())           # the SHA-256 may wrap
    assert "EU " in text and "clear" in text
    rows = _xlsx(made.xlsx)
    assert [r[0] for r in rows[1:]] == [s.number for s in sub.stones]
    first = dict(zip(rows[0], rows[1]))
    assert first["Report"] == report.number and first["Report status"] == "issued"
    assert first["Mining country"] == "BW" and first["EU ruleset"].startswith("EU ")
    assert sha in first["Documents (SHA-256)"]
    assert "BW-2024-0001" in first["Evidence references"]
    event = lab.audit_events(action="export.pack", limit=1).items[0]
    assert event.actor == "sup2" and event.data["stones"] == 3
    assert event.data["digest"] == pack_claims.check(made.token, {}).claim["h"]


def test_verify_accepts_the_pack_and_refuses_an_altered_copy(lab, packed, tmp_path):
    sub, report, made = packed
    result = lab.verify_pack(made.pdf)
    assert result.valid and result.status == "valid", result.problems
    assert result.claim["sub"] == sub.number and result.claim["n"] == "3"
    assert lab.verify(made.token).valid      # the QR text alone: the lab's signature

    data = made.pdf.read_bytes()
    content = json.loads(pack.attached_content(data))
    # the printed weight of a stone changed in the PDF (its content kept)
    weight = content["stones"][1]["weight"]
    edited = tmp_path / "edited.pdf"
    edited.write_bytes(replace_text(data, weight, "9.999"))
    assert "9.999" in _pdftotext(edited)
    result = lab.verify_pack(edited)
    assert not result.valid and result.status == "altered"
    assert "9.999" in result.problems[0] and weight in result.problems[0]

    # a stone's line and content changed together: the digest no longer matches
    content["stones"][2]["finding"] = "Non-Russian (approved)"
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(pack.build(content, made.token))
    result = lab.verify_pack(forged)
    assert result.status == "altered" and "differs from what the lab signed" in \
        result.problems[0]

    # the text reprinted with the signed content attached: a page reads differently
    original = json.loads(pack.attached_content(data))
    import pypdfium2 as pdfium
    document = pdfium.PdfDocument(pack.build_pdf(content, made.token))
    document.new_attachment(pack.ATTACHMENT).set_data(canonical_bytes(original))
    out = io.BytesIO()
    document.save(out)
    document.close()
    relabelled = tmp_path / "relabelled.pdf"
    relabelled.write_bytes(out.getvalue())
    assert lab.verify_pack(relabelled).status == "altered"

    # a token whose digest was rewritten is not the lab's signature
    body, signature = made.token[len(pack_claims.PREFIX):].split(".")
    claim = json.loads(pack_claims.unb64url(body))
    claim["n"] = "4"
    fake = pack_claims.PREFIX + pack_claims.b64url(canonical_bytes(claim)) + "." + \
        signature
    assert lab.verify(fake).status == "forged"


def test_a_pack_notes_a_report_withdrawn_since(lab, packed):
    sub, report, made = packed
    login_as(lab, "sup1")
    from support.homes import PASSWORDS
    lab.revoke_report(report.number, "weight misread", password=PASSWORDS["sup1"])
    result = lab.verify_pack(made.pdf)
    assert result.valid
    assert any(report.number in p and "revoked now" in p for p in result.problems)


def test_pack_refuses_bad_input_and_writes_nothing(lab, packed, tmp_path):
    sub, _report, _made = packed
    before = written(lab)
    with pytest.raises(NotFound):
        lab.compliance_pack("SUB-999999", tmp_path / "none")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValidationError) as caught:
        lab.compliance_pack(sub.number, tmp_path / "file")
    assert caught.value.field == "out"
    with pytest.raises(ValidationError):
        lab.compliance_pack(sub.number, tmp_path / "p", on="not a day")
    assert written(lab) == before
    assert not (tmp_path / "none").exists() and not (tmp_path / "p").exists()


def test_the_pack_is_made_by_name(lab, packed):
    _sub, _report, made = packed
    content = json.loads(pack.attached_content(made.pdf.read_bytes()))
    assert content["made_by"] == FULL_NAMES["sup2"]
    assert content["rulesets"][0].startswith("EU ")
