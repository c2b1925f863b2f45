"""Rulesets as data: the shipped files, and the errors a broken file gives."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from labdesk.core.assessment import assess
from labdesk.core.facts import StoneFacts
from labdesk.core.rulesets import (DIRECT, PROCESSED_ELSEWHERE, Ruleset, default_rulesets_dir,
                                   earlier_versions, load_ruleset, load_rulesets)
from labdesk.errors import ValidationError

D = dt.date


@pytest.fixture(scope="module")
def shipped() -> dict[str, Ruleset]:
    return load_rulesets(default_rulesets_dir())


# -- the shipped rulesets ----------------------------------------------------------------

def test_the_shipped_folder_holds_one_file_per_jurisdiction(shipped):
    assert sorted(p.name for p in default_rulesets_dir().glob("*.toml")) == \
        ["eu.toml", "uk.toml", "us.toml"]
    assert set(shipped) == {"EU", "US", "UK"}
    for code, ruleset in shipped.items():
        assert ruleset.jurisdiction == ruleset.id == code
        assert ruleset.version and ruleset.label == f"{code} {ruleset.version}"


@pytest.mark.parametrize("code, rule_id, scope, applies_to, threshold_mct, start", [
    ("EU", "eu-direct", DIRECT, ("natural", "laboratory_grown"), 0, D(2024, 1, 1)),
    ("EU", "eu-indirect-1ct", PROCESSED_ELSEWHERE, ("natural",), 1000, D(2024, 3, 1)),
    ("EU", "eu-indirect-0.5ct", PROCESSED_ELSEWHERE, ("natural", "laboratory_grown"), 500,
     D(2024, 9, 1)),
    ("US", "us-direct", DIRECT, ("natural",), 0, D(2022, 3, 11)),
    ("US", "us-indirect-1ct", PROCESSED_ELSEWHERE, ("natural",), 1000, D(2024, 3, 1)),
    ("US", "us-indirect-0.5ct", PROCESSED_ELSEWHERE, ("natural",), 500, D(2024, 9, 1)),
    ("UK", "uk-direct", DIRECT, ("natural", "laboratory_grown"), 0, D(2024, 1, 1)),
    ("UK", "uk-indirect-1ct", PROCESSED_ELSEWHERE, ("natural",), 1000, D(2024, 3, 1)),
    ("UK", "uk-indirect-0.5ct", PROCESSED_ELSEWHERE, ("natural",), 500, D(2024, 9, 1)),
    ("UK", "uk-indirect-lab-grown-0.5ct", PROCESSED_ELSEWHERE, ("laboratory_grown",), 500,
     D(2025, 4, 24)),
])
def test_shipped_rules_state_domain_facts(shipped, code, rule_id, scope, applies_to,
                                          threshold_mct, start):
    rule = shipped[code].rule(rule_id)
    assert (rule.scope, rule.applies_to, rule.threshold_mct, rule.effective_from) == \
        (scope, applies_to, threshold_mct, start)
    assert rule.effective_until is None


def test_every_shipped_rule_names_its_source_and_how_to_satisfy_it(shipped):
    for ruleset in shipped.values():
        for rule in ruleset.rules:
            assert len(rule.source) > 40, rule.id
            assert all(len(ex.source) > 40 for ex in rule.exemptions), rule.id
            if rule.scope == "certification":
                assert rule.proofs and not rule.triggers, rule.id
            elif rule.scope == PROCESSED_ELSEWHERE:
                assert rule.proofs and rule.exemptions, rule.id
                assert all(p.source and p.description for p in rule.proofs)
                assert all(ex.outside_russia_before <= rule.effective_from
                           for ex in rule.exemptions), rule.id
            else:
                assert rule.triggers and not rule.proofs, rule.id
                assert "processed_in_russia" in rule.triggers, rule.id


def test_every_source_names_a_legal_text_or_guidance_with_a_date(shipped):
    """Rules of law are data with their source: each names an act, licence, notice or
    guidance, and a date (a year at least)."""
    texts = ("Reg.", "Regulation", "Order", "OFAC", "CBP", "General License", "Licence",
             "Notice", "guidance", "GBSAN", "AWDC", "FAQ", "CSMS")
    for ruleset in shipped.values():
        parts = [(r.id, r.source) for r in ruleset.rules] + \
            [(p.id, p.source) for p in ruleset.proofs] + \
            [(f"{r.id} exemption", ex.source) for r in ruleset.rules for ex in r.exemptions]
        for where, source in parts:
            assert any(t in source for t in texts), (ruleset.id, where)
            assert re.search(r"20[12][0-9]", source), (ruleset.id, where)


@pytest.mark.parametrize("code, rule_id, forms", [
    ("EU", "eu-direct", ("loose", "mounted")), ("EU", "eu-indirect-1ct", ("loose",)),
    ("EU", "eu-indirect-0.5ct", ("loose",)), ("US", "us-direct", ("loose",)),
    ("US", "us-direct-jewellery", ("mounted",)),
    ("US", "us-indirect-1ct", ("loose", "mounted")), ("UK", "uk-direct", ("loose", "mounted")),
    ("UK", "uk-indirect-1ct", ("loose",)), ("UK", "uk-indirect-lab-grown-0.5ct", ("loose",)),
])
def test_jewellery_provisions_as_they_stand(shipped, code, rule_id, forms):
    assert shipped[code].rule(rule_id).forms == forms


def test_the_us_general_licences_end(shipped):
    rule = shipped["US"].rule("us-indirect-1ct")
    periods = [(ex.effective_from, ex.effective_until) for ex in rule.exemptions]
    assert periods == [(D(2024, 8, 23), D(2025, 8, 31)), (D(2025, 8, 27), D(2026, 8, 31))]
    assert [ex.in_force(D(2026, 8, 31)) for ex in rule.exemptions] == [False, True]
    assert not any(ex.in_force(D(2026, 9, 1)) for ex in rule.exemptions)


@pytest.mark.parametrize("code, on, expected", [
    ("EU", D(2023, 12, 31), []),
    ("EU", D(2024, 1, 1), ["eu-direct"]),
    ("EU", D(2024, 2, 29), ["eu-direct"]),
    ("EU", D(2024, 3, 1), ["eu-direct", "eu-indirect-1ct"]),
    ("EU", D(2024, 8, 31), ["eu-direct", "eu-indirect-1ct"]),
    ("EU", D(2024, 9, 1), ["eu-direct", "eu-indirect-1ct", "eu-indirect-0.5ct"]),
    ("US", D(2022, 3, 10), []),
    ("US", D(2022, 3, 11), ["us-direct"]),
    ("US", D(2024, 3, 1), ["us-direct", "us-direct-jewellery", "us-jewellery-certification",
                           "us-indirect-1ct"]),
    ("UK", D(2025, 4, 23), ["uk-direct", "uk-indirect-1ct", "uk-indirect-0.5ct"]),
    ("UK", D(2025, 4, 24), ["uk-direct", "uk-indirect-1ct", "uk-indirect-0.5ct",
                            "uk-indirect-lab-grown-0.5ct"]),
])
def test_rules_in_force_on_a_day(shipped, code, on, expected):
    assert [r.id for r in shipped[code].rules_in_force(on)] == expected


@pytest.mark.parametrize("on, accepted", [
    (D(2025, 12, 31), {"g7-certificate", "provenance-record", "kp-certificate",
                       "declaration-with-sow-invoice"}),
    (D(2026, 1, 1), {"due-diligence-statement"}),
])
def test_eu_proofs_narrow_to_the_due_diligence_statement_from_2026(shipped, on, accepted):
    rule = shipped["EU"].rule("eu-indirect-0.5ct")
    assert {p.id for p in rule.proofs if p.in_force(on)} == accepted


def test_unknown_rule_is_a_validation_error(shipped):
    with pytest.raises(ValidationError, match="no rule 'eu-nothing'"):
        shipped["EU"].rule("eu-nothing")


# -- broken files ------------------------------------------------------------------------

GOOD = '''\
jurisdiction = "EU"
name = "European Union"
version = "2026.1"

[proof.kp]
requires = ["kp_certificate"]
description = "a KP certificate"
source = "proof source"

[[rule]]
id = "eu-direct"
scope = "direct"
applies_to = ["natural", "laboratory_grown"]
threshold_ct = "0"
effective_from = 2024-01-01
triggers = ["exported_from_russia"]
source = "direct source"

[[rule]]
id = "eu-indirect-1ct"
scope = "processed_elsewhere"
applies_to = ["natural"]
threshold_ct = "1.00"
effective_from = 2024-03-01
proof = ["kp"]
source = "indirect source"

[[rule.exemption]]
kind = "grandfathering"
evidence = ["grandfathering_proof"]
outside_russia_before = 2024-03-01
description = "a grandfathering proof"
source = "exemption source"
'''


def _write(tmp_path, text, name="eu.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_good_file_loads(tmp_path):
    ruleset = load_ruleset(_write(tmp_path, GOOD))
    assert ruleset.label == "EU 2026.1"
    rule = ruleset.rule("eu-indirect-1ct")
    assert rule.threshold_mct == 1000 and rule.proofs[0].requires == ("kp_certificate",)
    assert rule.exemptions[0].outside_russia_before == D(2024, 3, 1)


@pytest.mark.parametrize("old, new, field, message", [
    ('threshold_ct = "1.00"', 'threshold_ct = "abc"', "threshold_ct",
     "eu.toml: rule 'eu-indirect-1ct': key 'threshold_ct': 'abc' is not a carat weight"),
    ('threshold_ct = "1.00"', 'threshold_ct = "-1"', "threshold_ct",
     "eu.toml: rule 'eu-indirect-1ct': key 'threshold_ct': '-1' is negative"),
    ('threshold_ct = "1.00"', 'threshold_ct = "1.0005"', "threshold_ct",
     "eu.toml: rule 'eu-indirect-1ct': key 'threshold_ct': '1.0005' has more than three "
     "decimals"),
    ('threshold_ct = "1.00"', 'threshold_ct = true', "threshold_ct",
     "eu.toml: rule 'eu-indirect-1ct': key 'threshold_ct': True is not a carat weight"),
    ('effective_from = 2024-03-01', 'effective_from = "2024-13-01"', "effective_from",
     "eu.toml: rule 'eu-indirect-1ct': key 'effective_from': '2024-13-01' is not a date"),
    ('effective_from = 2024-03-01', 'effective_from = 2024-03-01T10:00:00', "effective_from",
     "eu.toml: rule 'eu-indirect-1ct': key 'effective_from': 2024-03-01T10:00:00 has a time "
     "of day"),
    ('effective_from = 2024-03-01', 'effective_from = 2024-03-01\neffective_until = 2024-02-01',
     "effective_until",
     "eu.toml: rule 'eu-indirect-1ct': key 'effective_until': 2024-02-01 is before "
     "effective_from 2024-03-01"),
    ('threshold_ct = "1.00"', 'threshhold_ct = "1.00"', "threshhold_ct",
     "eu.toml: rule 'eu-indirect-1ct': key 'threshhold_ct': unknown key"),
    ('source = "indirect source"\n', '', "source",
     "eu.toml: rule 'eu-indirect-1ct': key 'source': missing"),
    ('scope = "processed_elsewhere"', 'scope = "indirect"', "scope",
     "eu.toml: rule 'eu-indirect-1ct': key 'scope': 'indirect' is not a scope"),
    ('applies_to = ["natural"]', 'applies_to = ["natural", "synthetic"]', "applies_to",
     "eu.toml: rule 'eu-indirect-1ct': key 'applies_to': 'synthetic' is not a kind of "
     "diamond"),
    ('applies_to = ["natural"]', 'applies_to = "natural"', "applies_to",
     "eu.toml: rule 'eu-indirect-1ct': key 'applies_to': 'natural' is not a list"),
    ('proof = ["kp"]', 'proof = ["kpx"]', "proof",
     "eu.toml: rule 'eu-indirect-1ct': key 'proof': 'kpx' is not a proof defined under "
     "[proof]"),
    ('proof = ["kp"]\n', '', "proof",
     "eu.toml: rule 'eu-indirect-1ct': key 'proof': a processed_elsewhere rule lists"),
    ('triggers = ["exported_from_russia"]\n', '', "triggers",
     "eu.toml: rule 'eu-direct': key 'triggers': a direct rule names"),
    ('triggers = ["exported_from_russia"]', 'triggers = ["mined_in_russia"]', "triggers",
     "eu.toml: rule 'eu-direct': key 'triggers': 'mined_in_russia' is not a trigger"),
    ('requires = ["kp_certificate"]', 'requires = ["kp_cert"]', "requires",
     "eu.toml: proof 'kp': key 'requires': 'kp_cert' is not an evidence kind"),
    ('requires = ["kp_certificate"]', 'requires = ["grandfathering_proof"]', "requires",
     "eu.toml: proof 'kp': key 'requires': 'grandfathering_proof' is an exemption"),
    ('requires = ["kp_certificate"]', 'requires = ["kp_certificate"]\nwith_any_of = ["invoice"]',
     "with_any_of", "eu.toml: proof 'kp': key 'with_any_of': 'invoice' is not an evidence "
     "kind"),
    ('requires = ["kp_certificate"]', 'requires = ["kp_certificate"]\n'
     'with_any_of = ["kp_certificate"]', "with_any_of",
     "eu.toml: proof 'kp': key 'with_any_of': names a kind that 'requires' already needs"),
    ('applies_to = ["natural"]', 'applies_to = ["natural"]\nforms = ["set"]', "forms",
     "eu.toml: rule 'eu-indirect-1ct': key 'forms': 'set' is not a form (loose or mounted)"),
    ('outside_russia_before = 2024-03-01', 'outside_russia_before = 2024-03-01\n'
     'effective_from = 2025-01-01\neffective_until = 2024-12-31', "effective_until",
     "eu.toml: rule 'eu-indirect-1ct': exemption #1: key 'effective_until': 2024-12-31 is "
     "before effective_from 2025-01-01"),
    ('version = "2026.1"', 'version = 2026.1', "version",
     "eu.toml: key 'version': 2026.1 is not text"),
    ('jurisdiction = "EU"', 'jurisdiction = "eu"', "jurisdiction",
     "eu.toml: key 'jurisdiction': 'eu' is not a jurisdiction code"),
    ('id = "eu-direct"', 'id = "eu-indirect-1ct"', "id",
     "eu.toml: rule 'eu-indirect-1ct': key 'id': 'eu-indirect-1ct' is used by another rule"),
    ('id = "eu-direct"\n', '', "id", "eu.toml: rule #1: key 'id': missing"),
    ('outside_russia_before = 2024-03-01', 'outside_russia_before = "soon"',
     "outside_russia_before",
     "eu.toml: rule 'eu-indirect-1ct': exemption #1: key 'outside_russia_before': 'soon' is "
     "not a date"),
    ('evidence = ["grandfathering_proof"]', 'evidence = ["kp_certificate"]', "evidence",
     "eu.toml: rule 'eu-indirect-1ct': exemption #1: key 'evidence': 'kp_certificate' is not "
     "an evidence kind that records since when a stone was outside Russia"),
    ('kind = "grandfathering"', 'kind = "trade_fair"', "kind",
     "eu.toml: rule 'eu-indirect-1ct': exemption #1: key 'kind': 'trade_fair' is not an "
     "exemption kind"),
    # TOML syntax errors still name the rule and the key where the text allows
    ('effective_from = 2024-03-01', 'effective_from = 2024-02-30', "effective_from",
     "eu.toml: rule 'eu-indirect-1ct': key 'effective_from': not valid TOML"),
    ('threshold_ct = "1.00"', 'threshold_ct = "1.00', "threshold_ct",
     "eu.toml: rule 'eu-indirect-1ct': key 'threshold_ct': not valid TOML"),
    ('description = "a KP certificate"', 'description = a KP certificate', "description",
     "eu.toml: proof 'kp': key 'description': not valid TOML"),
])
def test_a_broken_file_names_file_rule_and_key(tmp_path, old, new, field, message):
    assert GOOD.count(old) == 1, old
    path = _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(ValidationError) as caught:
        load_ruleset(path)
    assert str(caught.value).startswith(message), str(caught.value)
    assert caught.value.field == field


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    text = GOOD.replace('threshold_ct = "1.00"', 'threshold_ct = "abc"') \
        .replace('source = "direct source"\n', '')
    with pytest.raises(ValidationError) as caught:
        load_ruleset(_write(tmp_path, text))
    messages = [p["message"] for p in caught.value.problems]
    assert messages == [
        "eu.toml: rule 'eu-direct': key 'source': missing",
        "eu.toml: rule 'eu-indirect-1ct': key 'threshold_ct': 'abc' is not a carat weight "
        "(write it as \"0.50\")"]
    assert str(caught.value) == "; ".join(messages)


def test_a_missing_file_or_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ValidationError, match="no such ruleset file"):
        load_ruleset(tmp_path / "xx.toml")
    with pytest.raises(ValidationError, match="no such rulesets folder"):
        load_rulesets(tmp_path / "nowhere")
    with pytest.raises(ValidationError, match="no ruleset files"):
        load_rulesets(tmp_path)


def test_a_file_must_be_named_after_its_jurisdiction(tmp_path):
    _write(tmp_path, GOOD, name="us.toml")
    with pytest.raises(ValidationError, match="us.toml: key 'jurisdiction': 'EU' does not "
                                              "match the file name"):
        load_rulesets(tmp_path)


def test_a_broken_file_in_a_folder_stops_the_load(tmp_path):
    _write(tmp_path, GOOD.replace('threshold_ct = "1.00"', 'threshold_ct = "abc"'))
    with pytest.raises(ValidationError, match="^eu.toml: rule 'eu-indirect-1ct'"):
        load_rulesets(tmp_path)


# -- changing a rule is editing a file ---------------------------------------------------

def test_editing_a_threshold_and_version_changes_the_assessment(tmp_path, shipped):
    shutil.copy(default_rulesets_dir() / "eu.toml", tmp_path / "eu.toml")
    text = (tmp_path / "eu.toml").read_text(encoding="utf-8")
    assert text.count('threshold_ct = "0.50"') == 1
    (tmp_path / "eu.toml").write_text(
        text.replace('threshold_ct = "0.50"', 'threshold_ct = "0.80"')
            .replace('version = "2026.2"', 'version = "2026.3"'), encoding="utf-8")
    edited = load_rulesets(tmp_path)["EU"]
    stone = StoneFacts(number="D1", weight_mct=700, identification="natural",
                       received_on=D(2025, 5, 1), submission_weight_mct=700,
                       submission_count=1)
    before = assess(stone, shipped["EU"], D(2025, 6, 1))
    after = assess(stone, edited, D(2025, 6, 1))
    assert (before.ruleset, before.outcome, before.in_scope) == \
        ("EU 2026.2", "insufficient", True)
    assert (after.ruleset, after.outcome, after.in_scope) == ("EU 2026.3", "clear", False)
    assert any("0.80 ct threshold" in r or "0.80 ct or more" in r for r in after.reasons)


# -- every change to a ruleset bumps its version ----------------------------------------

LOCK = Path(__file__).resolve().parents[1] / "fixtures" / "rulesets.lock.json"


def test_every_change_to_a_shipped_ruleset_bumps_its_version(shipped):
    """The lock names the text of each shipped version.  Edited the rules?  Copy the old
    file to resources/rulesets/history/<code>-<old version>.toml, give the new one a new
    version, and write its version and SHA-256 here."""
    lock = json.loads(LOCK.read_text(encoding="utf-8"))
    assert set(lock) == set(shipped)
    for code, ruleset in shipped.items():
        digest = hashlib.sha256(ruleset.path.read_bytes()).hexdigest()
        if ruleset.version == lock[code]["version"]:
            assert digest == lock[code]["sha256"], \
                f"{ruleset.path.name} changed but its version {ruleset.version} did not"
        else:
            pytest.fail(f"{ruleset.path.name} is now version {ruleset.version}: record its "
                        f"SHA-256 {digest} in {LOCK.name}")


def test_every_earlier_version_is_kept_and_loads(shipped):
    earlier = earlier_versions()
    assert {("EU", "2026.1"), ("US", "2024.2"), ("UK", "2025.1")} <= set(earlier)
    for (code, version), path in earlier.items():
        old = load_ruleset(path)
        assert (old.jurisdiction, old.version) == (code, version)
        assert version != shipped[code].version, "history holds earlier versions only"
