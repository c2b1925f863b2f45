"""The Lab facade after a rules change: the stones whose outcome moved, and what a
supervisor does about them (issue: what a rules change does to findings already made)."""
from __future__ import annotations

import json
import shutil

import pytest

from labdesk import IntegrityError, PermissionDenied, StateError
from labdesk.core.rulesets import default_rulesets_dir
from support.homes import PASSWORDS, login_as
from support.labs import kp_fields

CLIENT = "Rules Test Gems"


def _stone(weight: str, ref: str) -> dict:
    return {"client_ref": ref, "weight": weight, "shape": "round", "colour": "F",
            "clarity": "VS1", "identification": "natural"}


def _uk_clear_by_kp(lab, number: str) -> None:
    """A KP certificate and a System of Warranties invoice: clear in the UK (and nowhere
    else without more), the proof the edited rules below stop taking."""
    lab.add_evidence(number, "kp_certificate", **kp_fields(issued_on="2024-02-01"))
    lab.add_evidence(number, "sow_invoice", reference=f"INV-{number}", seller="Acme",
                     sow_statement=True, issued_on="2024-05-01", weight="12.500")


def _uk_clear_by_g7(lab, number: str) -> None:
    lab.add_evidence(number, "g7_certificate", reference=f"G7-{number}", issuer="FPS",
                     issuing_country="BE", issued_on="2024-05-01", origin_countries=["BW"],
                     origin_type="single", weight="12.500")


@pytest.fixture
def stones(lab):
    """Four stones: KP-proved and reported (A), KP-proved and approved (B), G7-proved and
    approved (C, untouched by the change), KP-proved and only received (D, no finding)."""
    login_as(lab, "tech")
    sub = lab.receive(CLIENT, [_stone("1.200", "A"), _stone("0.900", "B"),
                               _stone("1.100", "C"), _stone("1.300", "D")])
    a, b, c, d = (s.number for s in sub.stones)
    for number in (a, b, d):
        _uk_clear_by_kp(lab, number)
    _uk_clear_by_g7(lab, c)
    for number in (a, b, c):
        lab.propose_finding(number, "non_russian", mining_country="BW",
                            statement="documents of Botswana origin")
    login_as(lab, "sup1")
    for number in (a, b, c):
        lab.approve(number, "fine")
    report = lab.issue_report(a)          # sup1, who approved, issues it
    assert lab.finding(a).assessments["UK"]["outcome"] == "clear"
    return {"A": a, "B": b, "C": c, "D": d, "report": report.number}


def _rules_without_uk_kp(tmp_path, version: str = "2026.99"):
    """The shipped rulesets with the UK's KP-certificate proof dropped, as a new version."""
    folder = tmp_path / "rules"
    shutil.copytree(default_rulesets_dir(), folder)
    path = folder / "uk.toml"
    text = path.read_text(encoding="utf-8")
    edited = text.replace('proof = ["kp-certificate", "g7-certificate", ',
                          'proof = ["g7-certificate", ')
    assert edited.count('proof = ["g7-certificate", ') == 3
    path.write_text(edited.replace('version = "2026.1"', f'version = "{version}"'),
                    encoding="utf-8")
    return folder


def test_a_new_lab_has_adopted_the_rules_in_use(lab):
    assert lab.rules_review_needed() == {}
    login_as(lab, "tech")
    review = lab.reassess()
    assert (review.reassessed, review.changes, review.versions) == (0, (), {})


def test_a_newer_ruleset_finds_exactly_the_stones_it_moves(lab, stones, tmp_path,
                                                          monkeypatch):
    monkeypatch.setenv("LABDESK_RULESETS", str(_rules_without_uk_kp(tmp_path)))
    assert lab.rules_review_needed() == {"UK": "2026.99"}
    login_as(lab, "tech")
    before = lab.audit_events().total
    review = lab.reassess()
    assert review.versions == {"UK": ["2026.1", "2026.99"]}
    assert review.reassessed == 3                     # A, B, C; D has no finding
    moved = {c.stone: c for c in review.changes}
    assert set(moved) == {stones["A"], stones["B"]}   # C's G7 certificate still proves
    a = moved[stones["A"]]
    assert (a.jurisdiction, a.old_outcome, a.new_outcome, a.worse, a.status) == \
        ("UK", "clear", "insufficient", True, "open")
    assert (a.old_ruleset, a.new_ruleset, a.report) == ("UK 2026.1", "UK 2026.99",
                                                        stones["report"])
    assert a.assessed_on == lab.finding(stones["A"]).assessments["UK"]["on"]
    assert "uk-indirect-1ct (proofs changed)" in a.rules
    b = moved[stones["B"]]
    assert b.report is None and b.finding_status == "approved"
    assert "uk-indirect-0.5ct (proofs changed)" in b.rules
    assert lab.rules_review_needed() == {}
    events = lab.audit_events(limit=10).items
    assert lab.audit_events().total == before + 2     # one batch of changes, one adoption
    assert {e.action for e in events[:2]} == {"rules.reassess", "rules.adopt"}
    assert lab.check().ok
    # done once: the next run finds nothing new
    again = lab.reassess()
    assert (again.reassessed, again.changes) == (0, ())
    assert [c.stone for c in lab.rule_changes()] == [stones["B"], stones["A"]]
    assert lab.rule_changes(stone_no=stones["C"]) == []


def test_an_open_change_for_the_worse_holds_the_report_until_a_supervisor_keeps_it(
        lab, stones, tmp_path, monkeypatch):
    monkeypatch.setenv("LABDESK_RULESETS", str(_rules_without_uk_kp(tmp_path)))
    login_as(lab, "sup2")
    with pytest.raises(StateError, match="the origin rules changed after its finding was "
                                         "made \\(UK clear -> insufficient under UK "
                                         "2026.99\\)"):
        lab.issue_report(stones["B"])              # the issue runs the re-assessment
    change = lab.rule_changes(stone_no=stones["B"])[0]
    login_as(lab, "tech")
    with pytest.raises(PermissionDenied):
        lab.settle_rule_change(change.id, "keep", "the KP certificate is linked")
    login_as(lab, "sup1")
    kept = lab.settle_rule_change(change.id, "keep", "the invoice ties the stone to the KP "
                                                     "certificate", password=PASSWORDS["sup1"])
    assert (kept.status, kept.decided_by) == ("kept", "sup1")
    with pytest.raises(StateError, match="already settled"):
        lab.settle_rule_change(change.id, "keep", "again")
    login_as(lab, "sup2")
    assert lab.issue_report(stones["B"]).number
    assert lab.check().ok


def test_a_supervisor_reopens_a_reported_stone_a_change_moved(lab, stones, tmp_path,
                                                             monkeypatch):
    monkeypatch.setenv("LABDESK_RULESETS", str(_rules_without_uk_kp(tmp_path)))
    login_as(lab, "sup2")
    lab.reassess()
    change = lab.rule_changes(stone_no=stones["A"])[0]
    settled = lab.settle_rule_change(change.id, "reopen", "UK no longer takes the KP "
                                                          "certificate; find a G7 certificate",
                                     password=PASSWORDS["sup2"])
    assert settled.status == "reopened"
    assert lab.stone(stones["A"]).state == "received"
    assert lab.report(stones["report"]).status == "superseded"
    assert stones["A"] not in [c.stone for c in lab.rule_changes()]


def test_revoking_the_report_settles_its_change(lab, stones, tmp_path, monkeypatch):
    monkeypatch.setenv("LABDESK_RULESETS", str(_rules_without_uk_kp(tmp_path)))
    login_as(lab, "sup2")
    lab.reassess()
    change = lab.rule_changes(stone_no=stones["A"])[0]
    lab.settle_rule_change(change.id, "revoke", "withdrawn after the UK rules changed")
    assert lab.report(stones["report"]).status == "revoked"
    assert lab.rule_changes(status="revoked")[0].id == change.id


def test_a_ruleset_edited_without_a_new_version_is_refused(lab, stones, tmp_path,
                                                         monkeypatch):
    folder = _rules_without_uk_kp(tmp_path, version="2026.1")   # same version, new rules
    monkeypatch.setenv("LABDESK_RULESETS", str(folder))
    with pytest.raises(IntegrityError, match="changed without a new version"):
        lab.rules_review_needed()
    login_as(lab, "sup1")
    with pytest.raises(IntegrityError, match="Give the edited file a new version number"):
        lab.issue_report(stones["B"])


def test_a_rule_change_list_is_the_cli_s_too(lab, stones, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from labdesk.cli import main
    monkeypatch.setenv("LABDESK_RULESETS", str(_rules_without_uk_kp(tmp_path)))
    home = str(lab.home)
    lab.close()
    runner = CliRunner()
    refused = runner.invoke(main, ["assess", "--changed", "--home", home])
    assert refused.exit_code == 2 and "--user NAME" in refused.output
    done = runner.invoke(main, ["assess", "--changed", "--home", home, "--user", "tech"],
                         env={"LABDESK_PASSWORD": PASSWORDS["tech"]})
    assert done.exit_code == 0, done.output
    assert "re-assessed 3 stones under UK 2026.99: 2 outcomes moved, 2 for the worse" in \
        done.output
    lines = [line for line in done.output.splitlines() if line.startswith("#")]
    assert len(lines) == 2 and all("UK on " in line and "clear (UK 2026.1) -> insufficient "
                                   "(UK 2026.99), WORSE" in line for line in lines)
    as_json = runner.invoke(main, ["assess", "--changed", "--json", "--home", home,
                                   "--user", "tech"], env={"LABDESK_PASSWORD": PASSWORDS["tech"]})
    assert {c["stone"] for c in json.loads(as_json.output)} == {stones["A"], stones["B"]}
    change_id = json.loads(as_json.output)[0]["id"]
    settled = runner.invoke(main, ["rules", "settle", str(change_id), "keep", "--note",
                                   "linked by the invoice", "--home", home, "--user", "sup1"],
                            env={"LABDESK_PASSWORD": PASSWORDS["sup1"]})
    assert settled.exit_code == 0 and "keep" not in settled.output and "kept" in \
        settled.output
