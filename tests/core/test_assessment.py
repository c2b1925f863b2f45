"""The origin assessment, table-driven from domain.md section 1, for EU, US and UK."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from labdesk.core.assessment import (CLEAR, INSUFFICIENT, OUTCOMES, PROCESSING_MISSING,
                                     PROHIBITED, Assessment, assess, diamond_types)
from labdesk.core.facts import EvidenceFacts, StoneFacts
from labdesk.core.rulesets import default_rulesets_dir, load_rulesets
from labdesk.core.weights import parse_weight

D = dt.date
ALL = ("EU", "US", "UK")
RULESETS = load_rulesets(default_rulesets_dir())
RECEIVED = D(2025, 1, 15)

_DEFAULTS = {
    "kp_certificate": dict(reference="BW-1", issuing_country="BW", issued_on=D(2023, 11, 1),
                           expires_on=D(2024, 1, 1), origin_countries=("BW",),
                           origin_type="single", weight="5.000"),
    "g7_certificate": dict(reference="G7-1", issuing_country="BE", issued_on=D(2023, 11, 1),
                           origin_countries=("BW",), origin_type="single", weight="5.000"),
    "provenance_record": dict(reference="TR-1", platform="Tracr", issued_on=D(2023, 11, 1),
                              origin_countries=("BW",), weight="5.000"),
    "non_russian_declaration": dict(reference="DEC-1", issuer="Acme Diamonds",
                                    issued_on=D(2023, 11, 1), weight="5.000"),
    "sow_invoice": dict(reference="INV-1", seller="Acme Diamonds", sow_statement=True,
                        issued_on=D(2023, 11, 1), weight="5.000"),
    "grandfathering_proof": dict(reference="BL-1", issued_on=D(2024, 2, 10),
                                 outside_russia_since=D(2024, 2, 1), weight="5.000"),
    "lab_analysis": dict(reference="LA-1", issued_on=D(2023, 11, 1), origin_countries=("BW",),
                         weight="5.000"),
    "due_diligence_statement": dict(reference="DDS-1", importer="Acme Diamonds NV",
                                    issued_on=D(2024, 12, 1), weight="5.000"),
}
_ids = iter(range(1, 10_000))


def ev(kind="kp_certificate", level="stone", **fields) -> EvidenceFacts:
    """Evidence of ``kind`` with sound defaults; ``weight`` in carats as text."""
    values = {**_DEFAULTS.get(kind, {}), **fields}
    weight = values.pop("weight", None)
    return EvidenceFacts(id=next(_ids), kind=kind, level=level,
                         weight_mct=parse_weight(weight) if weight else None, **values)


def russian(kind="kp_certificate", **fields) -> EvidenceFacts:
    """A document naming Russia as country of origin (issued outside Russia)."""
    defaults = {"kp_certificate": dict(reference="AE-9", issuing_country="AE"),
                "provenance_record": dict(reference="TR-RU")}.get(kind, {})
    return ev(kind, **{**defaults, "origin_countries": ("RU",), **fields})


def stone(weight="1.200", identification="natural", evidence=(), received=RECEIVED,
          parcel=None, count=1) -> StoneFacts:
    mct = parse_weight(weight)
    return StoneFacts(number="D0000001", weight_mct=mct, identification=identification,
                      received_on=received,
                      submission_weight_mct=parse_weight(parcel) if parcel else mct,
                      submission_count=count, evidence=tuple(evidence))


def linked(kp=None, level="stone", weight="5.000") -> list[EvidenceFacts]:
    """A KP certificate with the importer's declaration covering the stone: the document
    that ties a polished stone to the rough certificate (EU, UK) and the self-certification
    the US asks for."""
    return [kp or ev(level=level, weight=weight),
            ev("non_russian_declaration", level=level, weight=weight)]


def run(facts, code, on) -> Assessment:
    return assess(facts, RULESETS[code], on)


def said(result, *words) -> bool:
    """Whether one reason contains every one of ``words``."""
    return any(all(w in reason for w in words) for reason in result.reasons)


# -- the contract ------------------------------------------------------------------------

def test_the_assessment_carries_exactly_the_contract_attributes():
    result = run(stone(evidence=[ev()]), "EU", D(2025, 6, 1))
    assert [f.name for f in dataclasses.fields(Assessment)] == [
        "jurisdiction", "on", "ruleset", "ruleset_id", "ruleset_version", "in_scope",
        "outcome", "reasons", "missing"]
    assert (result.jurisdiction, result.on, result.ruleset, result.ruleset_id,
            result.ruleset_version) == ("EU", D(2025, 6, 1), "EU 2026.2", "EU", "2026.2")
    assert result.outcome in OUTCOMES and isinstance(result.in_scope, bool)
    data = json.loads(json.dumps(result.as_dict()))
    assert data["on"] == "2025-06-01" and data["ruleset"] == "EU 2026.2"
    assert data["reasons"] == result.reasons and data["missing"] == result.missing


def test_the_assessment_is_pure_and_repeatable():
    facts = stone(evidence=[ev()])
    first, second = run(facts, "UK", D(2024, 6, 1)), run(facts, "UK", D(2024, 6, 1))
    assert first == second
    assert first.on == D(2024, 6, 1)      # the date given, never the clock


# -- boundary days -----------------------------------------------------------------------

BOUNDARY_DAYS = [
    # jurisdiction, identification, weight, last day out of scope, first day in scope
    ("EU", "natural", "1.200", D(2024, 2, 29), D(2024, 3, 1)),
    ("EU", "natural", "0.700", D(2024, 8, 31), D(2024, 9, 1)),
    ("EU", "laboratory_grown", "0.700", D(2024, 8, 31), D(2024, 9, 1)),
    ("EU", "laboratory_grown", "1.200", D(2024, 8, 31), D(2024, 9, 1)),
    ("US", "natural", "1.200", D(2024, 2, 29), D(2024, 3, 1)),
    ("US", "natural", "0.700", D(2024, 8, 31), D(2024, 9, 1)),
    ("UK", "natural", "1.200", D(2024, 2, 29), D(2024, 3, 1)),
    ("UK", "natural", "0.700", D(2024, 8, 31), D(2024, 9, 1)),
    ("UK", "laboratory_grown", "0.700", D(2025, 4, 23), D(2025, 4, 24)),
]


@pytest.mark.parametrize("code, identification, weight, before, first", BOUNDARY_DAYS)
def test_without_evidence_a_stone_comes_into_scope_on_the_rule_date(
        code, identification, weight, before, first):
    facts = stone(weight, identification)
    out, into = run(facts, code, before), run(facts, code, first)
    assert (out.outcome, out.in_scope, out.missing) == (CLEAR, False, [])
    assert out.reasons[0].startswith(f"Clear: on {before}, no {code} rule requires proof")
    assert (into.outcome, into.in_scope) == (INSUFFICIENT, True)
    assert into.missing and into.reasons[0].startswith("Insufficient:")
    assert said(out, "does not apply yet", f"comes into force on {first}")


@pytest.mark.parametrize("code, identification, weight, before, first", BOUNDARY_DAYS)
def test_a_russian_stone_processed_elsewhere_is_banned_from_the_rule_date(
        code, identification, weight, before, first):
    facts = stone(weight, identification,
                  [russian("provenance_record", processing_countries=("IN",))])
    out, into = run(facts, code, before), run(facts, code, first)
    made = "mined" if identification == "natural" else "produced"
    assert (out.outcome, out.in_scope) == (CLEAR, False)
    assert out.reasons[0].startswith(f"Not prohibited by {code} on {before}, but linked to "
                                     f"Russia: provenance record TR-RU names Russia as the "
                                     f"country of origin, so the stone was {made} in Russia")
    assert (into.outcome, into.in_scope) == (PROHIBITED, True)
    assert into.reasons[0].startswith("Prohibited:")
    assert said(into, f"in force from {first}", f"{made} in Russia")


@pytest.mark.parametrize("code, before, first", [
    ("EU", D(2023, 12, 31), D(2024, 1, 1)),
    ("UK", D(2023, 12, 31), D(2024, 1, 1)),
    ("US", D(2022, 3, 10), D(2022, 3, 11)),
])
def test_a_stone_exported_from_russia_is_banned_at_any_size_from_the_direct_ban(
        code, before, first):
    kp = ev(reference="RU-77", issuing_country="RU", issued_on=D(2021, 6, 1),
            weight="0.500")
    facts = stone("0.300", evidence=[kp], received=D(2021, 7, 1))
    out, into = run(facts, code, before), run(facts, code, first)
    assert (out.outcome, out.in_scope) == (CLEAR, False)
    assert said(out, "KP certificate RU-77 was issued in Russia, so the goods were exported "
                     "from Russia")
    assert said(out, f"No {code} ban in force on {before}")
    assert (into.outcome, into.in_scope, into.missing) == (PROHIBITED, True, [])
    assert into.reasons[0].startswith(f"Prohibited: {code} rule {code.lower()}-direct "
                                      f"(in force from {first}) bans")
    assert "of any size" in into.reasons[0]


@pytest.mark.parametrize("code", ALL)
@pytest.mark.parametrize("evidence, words", [
    (ev(transit_countries=("RU",)), "shows the goods transited through Russia"),
    (ev(reference="RU-2024-0001", issuing_country=None),
     "carries a Russian Kimberley Process number"),
    (ev("sow_invoice", issuing_country="RU"), "was issued in Russia"),
])
def test_direct_links_to_russia_prohibit_small_stones(code, evidence, words):
    result = run(stone("0.100", evidence=[evidence]), code, D(2025, 6, 1))
    assert result.outcome == PROHIBITED and result.in_scope
    assert words in result.reasons[0]


# -- boundary weights --------------------------------------------------------------------

@pytest.mark.parametrize("code", ALL)
@pytest.mark.parametrize("weight, on, outcome, in_scope", [
    ("0.499", D(2025, 6, 1), CLEAR, False),
    ("0.500", D(2025, 6, 1), INSUFFICIENT, True),
    ("0.999", D(2024, 6, 1), CLEAR, False),
    ("1.000", D(2024, 6, 1), INSUFFICIENT, True),
])
def test_thresholds_include_the_threshold_weight(code, weight, on, outcome, in_scope):
    result = run(stone(weight), code, on)
    assert (result.outcome, result.in_scope) == (outcome, in_scope)
    if not in_scope:
        assert said(result, f"this stone weighs {weight} ct, below the threshold")


@pytest.mark.parametrize("code, threshold", [("EU", "0.50"), ("US", "0.50"), ("UK", "0.50")])
def test_a_russian_stone_below_the_threshold_is_not_prohibited_but_called_russian(
        code, threshold):
    cut_in_india = russian("provenance_record", processing_countries=("IN",))
    result = run(stone("0.499", evidence=[cut_in_india]), code, D(2025, 6, 1))
    assert (result.outcome, result.in_scope) == (CLEAR, False)
    assert result.reasons[0] == (
        f"Not prohibited by {code} on 2025-06-01, but linked to Russia: provenance record "
        f"TR-RU names Russia as the country of origin, so the stone was mined in Russia.")
    assert result.reasons[1] == (
        f"{code} does not prohibit it on 2025-06-01: it weighs 0.499 ct, below the "
        f"{threshold} ct threshold of rule {code.lower()}-indirect-0.5ct for Russian stones "
        f"processed elsewhere.")
    assert result.reasons[2] == ("Provenance record TR-RU shows it was cut and polished in "
                                 "India, outside Russia.")
    heavier = run(stone("0.500", evidence=[cut_in_india]), code, D(2025, 6, 1))
    assert heavier.outcome == PROHIBITED


# -- natural, laboratory-grown, simulant, not yet screened -------------------------------

@pytest.mark.parametrize("code, identification, weight, on, outcome, in_scope", [
    ("EU", "laboratory_grown", "1.200", D(2024, 6, 1), CLEAR, False),   # 1 ct rule: natural
    ("EU", "laboratory_grown", "0.600", D(2024, 9, 1), INSUFFICIENT, True),
    ("EU", "natural", "0.600", D(2024, 9, 1), INSUFFICIENT, True),
    ("US", "laboratory_grown", "1.200", D(2025, 6, 1), CLEAR, False),   # US: natural only
    ("US", "natural", "1.200", D(2025, 6, 1), INSUFFICIENT, True),
    ("UK", "laboratory_grown", "0.600", D(2025, 4, 23), CLEAR, False),
    ("UK", "laboratory_grown", "0.600", D(2025, 4, 24), INSUFFICIENT, True),
    ("UK", "natural", "0.600", D(2025, 4, 23), INSUFFICIENT, True),
    ("EU", "simulant", "2.000", D(2025, 6, 1), CLEAR, False),
    ("US", "simulant", "2.000", D(2025, 6, 1), CLEAR, False),
    ("UK", "simulant", "2.000", D(2025, 6, 1), CLEAR, False),
    # not yet screened: treated as whichever kind a rule covers
    ("UK", "refer", "0.600", D(2025, 1, 1), INSUFFICIENT, True),
    ("US", "refer", "1.200", D(2025, 6, 1), INSUFFICIENT, True),
    ("EU", None, "0.600", D(2024, 9, 1), INSUFFICIENT, True),
    ("US", None, "1.200", D(2024, 2, 29), CLEAR, False),
])
def test_natural_and_laboratory_grown(code, identification, weight, on, outcome, in_scope):
    result = run(stone(weight, identification), code, on)
    assert (result.outcome, result.in_scope) == (outcome, in_scope)
    if identification in ("refer", None):
        assert said(result, "treated as natural or laboratory-grown")


def test_a_simulant_is_not_a_diamond_even_with_russian_papers():
    result = run(stone("2.000", "simulant", [russian(issuing_country="RU")]), "EU",
                 D(2025, 6, 1))
    assert (result.outcome, result.in_scope) == (CLEAR, False)
    assert result.reasons == ["Clear: the stone is identified as a simulant, not a diamond, "
                              "so no EU rule on Russian diamonds applies to it."]


def test_the_us_does_not_ban_laboratory_grown_stones_from_russia():
    facts = stone("1.200", "laboratory_grown", [russian("provenance_record")])
    assert run(facts, "US", D(2025, 6, 1)).outcome == CLEAR
    assert run(facts, "UK", D(2025, 6, 1)).outcome == PROHIBITED
    assert run(facts, "EU", D(2025, 6, 1)).outcome == PROHIBITED


@pytest.mark.parametrize("identification", ["natural", "laboratory_grown", "refer", None,
                                            "simulant", "Laboratory-Grown"])
def test_diamond_types(identification):
    expected = {"natural": ("natural",), "laboratory_grown": ("laboratory_grown",),
                "Laboratory-Grown": ("laboratory_grown",), "simulant": ()}
    assert diamond_types(identification) == expected.get(identification,
                                                         ("natural", "laboratory_grown"))


@pytest.mark.parametrize("code", ["EU", "UK"])
def test_a_kp_certificate_cannot_prove_a_laboratory_grown_stone(code):
    result = run(stone("0.600", "laboratory_grown", [ev()]), code, D(2025, 6, 1))
    assert result.outcome == INSUFFICIENT
    assert said(result, "KP certificate BW-1 does not count",
                "covers natural rough only, not a laboratory-grown stone")
    proved = run(stone("0.600", "laboratory_grown", [ev("provenance_record")]), code,
                 D(2025, 6, 1))
    assert proved.outcome == CLEAR


def test_a_kp_certificate_waits_for_the_identification_where_lab_grown_is_in_scope():
    refer = stone("0.700", "refer", linked())
    eu = run(refer, "EU", D(2025, 6, 1))                 # the EU 0.5 ct rule covers both
    assert eu.outcome == INSUFFICIENT
    assert said(eu, "KP certificate BW-1 is in order", "settle the identification first")
    uk = run(refer, "UK", D(2025, 1, 1))                 # the UK covers natural only then
    assert uk.outcome == CLEAR
    assert run(stone("0.700", "natural", linked()), "EU", D(2025, 6, 1)).outcome == CLEAR


# -- grandfathering ----------------------------------------------------------------------

GRANDFATHERING = [
    # code, weight, outside Russia since, issued, outcome on 2025-06-01, words
    ("UK", "1.200", D(2024, 2, 1), D(2024, 2, 10), CLEAR,
     "exempts the stone from UK rule uk-indirect-1ct (grandfathering): it shows the "
     "stone outside Russia since 2024-02-01, before 2024-03-01."),
    ("US", "1.200", D(2024, 2, 1), D(2024, 2, 10), CLEAR,
     "exempts the stone from US rule us-indirect-1ct (grandfathering)"),
    ("EU", "1.200", D(2024, 2, 1), D(2024, 2, 10), PROHIBITED,     # EU: before 2024-01-01
     "does not exempt the stone from EU rule eu-indirect-1ct: it shows the stone outside "
     "Russia since 2024-02-01, not before 2024-01-01."),
    ("EU", "1.200", D(2023, 12, 31), D(2024, 1, 10), CLEAR,
     "exempts the stone from EU rule eu-indirect-1ct (grandfathering)"),
    ("UK", "1.200", D(2024, 3, 1), D(2024, 3, 10), PROHIBITED,
     "does not exempt the stone from UK rule uk-indirect-1ct: it shows the stone "
     "outside Russia since 2024-03-01, not before 2024-03-01."),
    ("US", "1.200", D(2024, 5, 1), D(2024, 5, 10), PROHIBITED, "not before 2024-03-01"),
    ("US", "0.700", D(2024, 5, 1), D(2024, 5, 10), CLEAR,
     "exempts the stone from US rule us-indirect-0.5ct"),
    ("US", "0.700", D(2024, 9, 1), D(2024, 9, 10), PROHIBITED, "not before 2024-09-01"),
    # UK 0.5-1 ct: only GBSAN0002's date (before 2024-03-01) was found
    ("UK", "0.700", D(2024, 5, 1), D(2024, 5, 10), PROHIBITED, "not before 2024-03-01"),
    ("UK", "0.700", D(2024, 2, 1), D(2024, 2, 10), CLEAR,
     "exempts the stone from UK rule uk-indirect-0.5ct"),
    ("EU", "0.700", D(2024, 5, 1), D(2024, 5, 10), PROHIBITED, "not before 2024-01-01"),
    # impossible papers exempt nothing
    ("UK", "1.200", D(2024, 2, 1), D(2025, 2, 1), PROHIBITED,
     "does not exempt the stone from UK rule uk-indirect-1ct: it was issued "
     "(2025-02-01) after the stone was received (2025-01-15)"),
    ("US", "1.200", D(2024, 2, 1), D(2024, 1, 10), PROHIBITED,
     "it states the stone was outside Russia since 2024-02-01, after the document was issued "
     "(2024-01-10)"),
]


@pytest.mark.parametrize("code, weight, since, issued, outcome, words", GRANDFATHERING)
def test_grandfathering_of_a_russian_stone(code, weight, since, issued, outcome, words):
    proof = ev("grandfathering_proof", outside_russia_since=since, issued_on=issued)
    cut_in_india = russian("provenance_record", processing_countries=("IN",))
    result = run(stone(weight, evidence=[cut_in_india, proof]), code, D(2025, 6, 1))
    assert result.outcome == outcome and result.in_scope
    assert said(result, words)
    assert said(result, "provenance record TR-RU names Russia", "mined in Russia")
    if outcome == CLEAR:
        assert result.reasons[0].startswith("Clear: grandfathering proof BL-1 exempts it by "
                                            "grandfathering")


@pytest.mark.parametrize("code, date", [("EU", "2024-01-01"), ("US", "2024-03-01"),
                                        ("UK", "2024-03-01")])
def test_missing_grandfathering_names_the_earliest_date_that_frees_the_stone(code, date):
    result = run(stone("1.200", evidence=[russian()]), code, D(2025, 6, 1))
    assert result.outcome == PROHIBITED
    assert result.missing[0].endswith(f"showing the stone was outside Russia before {date}")
    # grandfathered, it could still have been cut in Russia: that must be shown too
    assert result.missing[1] == PROCESSING_MISSING and len(result.missing) == 2


@pytest.mark.parametrize("code", ALL)
def test_grandfathering_also_clears_a_stone_of_unknown_origin(code):
    proof = ev("grandfathering_proof", outside_russia_since=D(2023, 12, 1),
               issued_on=D(2023, 12, 5))
    result = run(stone("1.200", evidence=[proof]), code, D(2025, 6, 1))
    assert (result.outcome, result.in_scope) == (CLEAR, True)


@pytest.mark.parametrize("since, outcome", [(D(2025, 4, 1), CLEAR),
                                            (D(2025, 4, 24), INSUFFICIENT)])
def test_uk_grandfathering_of_laboratory_grown_stones(since, outcome):
    proof = ev("grandfathering_proof", outside_russia_since=since, issued_on=D(2025, 5, 1),
               )
    facts = stone("0.600", "laboratory_grown", [proof], received=D(2025, 5, 15))
    assert run(facts, "UK", D(2025, 6, 1)).outcome == outcome


# -- the US declaration and the EU/UK combinations ---------------------------------------

@pytest.mark.parametrize("code, evidence, outcome", [
    ("US", ["non_russian_declaration"], INSUFFICIENT),       # needs backing (CBP)
    ("US", ["non_russian_declaration", "g7_certificate"], CLEAR),
    ("US", ["non_russian_declaration", "kp_certificate"], CLEAR),
    ("US", ["non_russian_declaration", "provenance_record"], CLEAR),
    ("US", ["g7_certificate"], INSUFFICIENT),                # no self-certification
    ("US", ["provenance_record"], INSUFFICIENT),
    ("US", ["kp_certificate"], INSUFFICIENT),
    ("EU", ["non_russian_declaration"], INSUFFICIENT),
    ("UK", ["non_russian_declaration"], INSUFFICIENT),
    ("US", ["non_russian_declaration", "sow_invoice"], INSUFFICIENT),
    ("EU", ["non_russian_declaration", "sow_invoice"], CLEAR),
    ("UK", ["non_russian_declaration", "sow_invoice"], CLEAR),
    ("EU", ["sow_invoice"], INSUFFICIENT),
    ("UK", ["sow_invoice"], INSUFFICIENT),
    ("US", ["sow_invoice"], INSUFFICIENT),
    ("US", ["lab_analysis"], INSUFFICIENT),
])
def test_declarations(code, evidence, outcome):
    result = run(stone("1.200", evidence=[ev(kind) for kind in evidence]), code,
                 D(2025, 6, 1))
    assert result.outcome == outcome


@pytest.mark.parametrize("code", ["EU", "UK"])
def test_a_lone_declaration_says_what_else_is_needed(code):
    result = run(stone("1.200", evidence=[ev("non_russian_declaration")]), code,
                 D(2025, 6, 1))
    assert said(result, "Non-Russian origin declaration DEC-1 is in order (declares the goods "
                        "not of Russian origin, covers 5.000 ct) but does not count alone: it "
                        "counts only together with an invoice carrying the System of "
                        "Warranties statement covering this stone.")
    assert any(m.startswith("an invoice carrying the System of Warranties statement covering "
                            "this stone (1.200 ct), to go with non-Russian origin declaration "
                            "DEC-1") for m in result.missing)


def test_an_invoice_without_the_warranty_statement_does_not_count():
    facts = stone("1.200", evidence=[ev("non_russian_declaration"),
                                     ev("sow_invoice", sow_statement=False)])
    result = run(facts, "EU", D(2025, 6, 1))
    assert result.outcome == INSUFFICIENT
    assert said(result, "Invoice INV-1 does not count: it does not carry the System of "
                        "Warranties statement.")


def test_a_laboratory_analysis_is_not_accepted_proof():
    result = run(stone("1.200", evidence=[ev("lab_analysis")]), "UK", D(2025, 6, 1))
    assert said(result, "Laboratory analysis LA-1 is in order (origin Botswana, covers "
                        "5.000 ct) but UK rules do not accept it as proof of non-Russian "
                        "origin.")


# -- the EU dates of 2025 and 2026 -------------------------------------------------------

@pytest.mark.parametrize("kinds, last_2025, first_2026", [
    (["kp_certificate", "sow_invoice"], CLEAR, INSUFFICIENT),
    (["non_russian_declaration", "sow_invoice"], CLEAR, INSUFFICIENT),
    (["g7_certificate"], CLEAR, INSUFFICIENT),
    (["provenance_record"], CLEAR, INSUFFICIENT),            # a Tracr record alone
    (["due_diligence_statement"], INSUFFICIENT, INSUFFICIENT),
    (["due_diligence_statement", "g7_certificate"], CLEAR, CLEAR),
    (["due_diligence_statement", "provenance_record"], CLEAR, CLEAR),
    (["due_diligence_statement", "kp_certificate"], INSUFFICIENT, CLEAR),
    (["due_diligence_statement", "non_russian_declaration"], INSUFFICIENT, CLEAR),
])
def test_eu_polished_stones_need_the_due_diligence_statement_from_2026(kinds, last_2025,
                                                                       first_2026):
    facts = stone("1.200", evidence=[ev(kind) for kind in kinds])
    assert run(facts, "EU", D(2025, 12, 31)).outcome == last_2025
    result = run(facts, "EU", D(2026, 1, 1))
    assert result.outcome == first_2026
    if first_2026 == INSUFFICIENT:
        assert any(m.startswith("the importer's signed due-diligence statement") or
                   m.startswith("a G7 certificate, a provenance record") for m in
                   result.missing), result.missing
    if "due_diligence_statement" not in kinds and last_2025 == CLEAR:
        assert said(result, "until 2025-12-31")
        assert said(result, "does not count alone", "counts only together with the "
                    "importer's due-diligence statement on diamond origin covering this stone")


@pytest.mark.parametrize("on", [D(2025, 2, 28), D(2025, 3, 1)])
@pytest.mark.parametrize("countries, outcome", [((), INSUFFICIENT), (("BW", "ZA"), CLEAR)])
def test_eu_mixed_origin_certificates_around_2025_03_01(on, countries, outcome):
    kp = ev(origin_type="mixed", origin_countries=countries)
    result = run(stone("1.200", evidence=linked(kp)), "EU", on)
    assert result.outcome == outcome
    if countries:
        assert said(result, "KP certificate BW-1 counts: mixed origin Botswana, South Africa")
    else:
        assert said(result, "KP certificate BW-1 does not count: it is a mixed-origin "
                            "certificate that names no mining country.")


# -- evidence on the submission ----------------------------------------------------------

@pytest.mark.parametrize("code", ALL)
@pytest.mark.parametrize("level, weight, parcel, outcome, words", [
    ("submission", "10.000", "8.000", CLEAR,
     "KP certificate BW-1 (on the submission) counts: single origin Botswana, covers "
     "10.000 ct, the whole parcel of 4 stones (8.000 ct)."),
    ("submission", "10.000", "12.000", INSUFFICIENT,
     "KP certificate BW-1 (on the submission) does not count: it covers 10.000 ct, fewer "
     "than the 12.000 ct of the parcel of 4 stones it is recorded for."),
    ("stone", "1.500", "12.000", CLEAR, "KP certificate BW-1 counts"),
])
def test_parcel_evidence_covers_every_stone_in_it(code, level, weight, parcel, outcome,
                                                   words):
    facts = stone("1.200", evidence=linked(level=level, weight=weight), parcel=parcel, count=4)
    result = run(facts, code, D(2025, 6, 1))
    assert result.outcome == outcome
    assert said(result, words)


@pytest.mark.parametrize("code", ALL)
def test_a_russian_parcel_certificate_prohibits_every_stone_in_it(code):
    facts = stone("0.800", evidence=[russian(level="submission", weight="20.000")],
                  parcel="10.000", count=9)
    result = run(facts, code, D(2025, 6, 1))
    assert result.outcome == PROHIBITED
    assert said(result, "KP certificate AE-9 (on the submission) names Russia")


# -- what does not count, for every jurisdiction -----------------------------------------

NOT_COUNTING = [
    ("dates: expiry before issue", dict(issued_on=D(2023, 6, 1), expires_on=D(2023, 1, 1)),
     "it expires (2023-01-01) before it was issued (2023-06-01)"),
    ("dates: issued after the stone was received",
     dict(issued_on=D(2025, 2, 1), expires_on=D(2025, 4, 1)),
     "it was issued (2025-02-01) after the stone was received (2025-01-15)"),
    ("dates: issued after the assessment date",
     dict(issued_on=D(2024, 12, 1), expires_on=None),
     "it was issued (2024-12-01) after the assessment date (2024-10-01)"),
    ("fewer carats than the stone", dict(weight="1.000"),
     "it covers 1.000 ct, fewer than the stone's 1.200 ct"),
    ("no carats stated", dict(weight=None),
     "it states no carat weight, so it cannot be shown to cover this stone"),
    ("mixed origin naming no country", dict(origin_type="mixed", origin_countries=()),
     "it is a mixed-origin certificate that names no mining country"),
    ("no country of origin", dict(origin_type=None, origin_countries=()),
     "it names no country of origin"),
]


@pytest.mark.parametrize("code", ALL)
@pytest.mark.parametrize("case, broken, problem", NOT_COUNTING,
                         ids=[c[0] for c in NOT_COUNTING])
def test_a_certificate_that_does_not_count(code, case, broken, problem):
    on = D(2024, 10, 1)
    good = run(stone("1.200", evidence=linked()), code, on)
    assert good.outcome == CLEAR                       # the control: sound papers clear it
    result = run(stone("1.200", evidence=linked(ev(**broken))), code, on)
    assert (result.outcome, result.in_scope) == (INSUFFICIENT, True)
    assert f"KP certificate BW-1 does not count: {problem}." in result.reasons


@pytest.mark.parametrize("code", ALL)
def test_a_certificate_covering_less_than_its_parcel_does_not_count(code):
    facts = stone("1.200", evidence=[ev(level="submission", weight="3.000")], parcel="4.000",
                  count=3)
    result = run(facts, code, D(2025, 6, 1))
    assert result.outcome == INSUFFICIENT
    assert said(result, "does not count: it covers 3.000 ct, fewer than the 4.000 ct of the "
                        "parcel of 3 stones")


DECLARATION_CASES = [
    ("about other goods (fewer carats)", dict(weight="0.300"),
     "it covers 0.300 ct, fewer than the stone's 1.200 ct"),
    ("about other goods (no carats)", dict(weight=None),
     "it states no carat weight, so it cannot be shown to cover this stone"),
    ("issued after the stone was received", dict(issued_on=D(2025, 3, 1)),
     "it was issued (2025-03-01) after the stone was received (2025-01-15)"),
    ("naming Russia", dict(origin_countries=("RU",)), "it names Russia as a country of origin"),
]


@pytest.mark.parametrize("code", ALL)
@pytest.mark.parametrize("case, broken, problem", DECLARATION_CASES,
                         ids=[c[0] for c in DECLARATION_CASES])
def test_a_declaration_that_does_not_count(code, case, broken, problem):
    extra = [ev("g7_certificate")] if code == "US" else [ev("sow_invoice")]
    good = run(stone("1.200", evidence=[ev("non_russian_declaration")] + extra), code,
               D(2025, 6, 1))
    assert good.outcome == CLEAR
    facts = stone("1.200", evidence=[ev("non_russian_declaration", **broken)] + extra)
    result = run(facts, code, D(2025, 6, 1))
    assert result.outcome in (INSUFFICIENT, PROHIBITED)
    assert result.outcome == (PROHIBITED if "origin_countries" in broken else INSUFFICIENT)
    assert f"Non-Russian origin declaration DEC-1 does not count: {problem}." in \
        result.reasons


@pytest.mark.parametrize("code", ALL)
def test_one_russian_document_outweighs_a_sound_certificate(code):
    facts = stone("1.200", evidence=linked() + [russian("provenance_record")])
    result = run(facts, code, D(2025, 6, 1))
    assert result.outcome == PROHIBITED
    assert said(result, "KP certificate BW-1 counts")
    assert said(result, "provenance record TR-RU names Russia")


@pytest.mark.parametrize("code", ALL)
def test_a_mixed_parcel_naming_russia_is_treated_as_russian(code):
    kp = ev(origin_type="mixed", origin_countries=("BW", "RU"))
    result = run(stone("1.200", evidence=[kp]), code, D(2025, 6, 1))
    assert result.outcome == PROHIBITED
    assert said(result, "names Russia among the countries of origin of a mixed parcel "
                        "(Botswana, Russia), so the stone is treated as mined in Russia")


# -- sentences a supervisor reads --------------------------------------------------------

def test_sentences_name_the_rule_its_threshold_and_date_and_the_evidence():
    kp = ev(reference="BW-12345", weight="1.200")
    result = run(stone("1.200", evidence=[kp, ev("sow_invoice")]), "EU", D(2025, 6, 1))
    assert result.reasons[0] == ("Clear: KP certificate BW-12345 and invoice INV-1 prove "
                                 "non-Russian origin as required by EU rules eu-indirect-1ct "
                                 "and eu-indirect-0.5ct.")
    assert "KP certificate BW-12345 counts: single origin Botswana, covers 1.200 ct." in \
        result.reasons
    small = run(stone("0.612"), "EU", D(2025, 6, 1))
    assert ("EU rule eu-indirect-0.5ct (in force from 2024-09-01): natural and "
            "laboratory-grown diamonds of 0.50 ct or more processed outside Russia need proof "
            "of non-Russian origin; this stone weighs 0.612 ct.") in small.reasons
    assert ("EU rule eu-indirect-1ct (in force from 2024-03-01) requires proof of non-Russian "
            "origin for natural diamonds of 1.00 ct or more processed outside Russia; this "
            "stone weighs 0.612 ct, below the threshold, so the rule does not apply.") in \
        small.reasons
    broken = ev(reference="ZA-2", issuing_country="ZA", origin_countries=("ZA",),
                issued_on=D(2023, 6, 1), expires_on=D(2023, 1, 1))
    bad = run(stone("1.200", evidence=[broken]), "EU", D(2025, 6, 1))
    assert "KP certificate ZA-2 does not count: it expires (2023-01-01) before it was " \
           "issued (2023-06-01)." in bad.reasons


def test_missing_evidence_is_said_in_words_with_the_weight_to_cover():
    result = run(stone("0.612", evidence=[]), "US", D(2025, 6, 1))
    assert result.outcome == INSUFFICIENT
    assert result.missing[0].startswith("the importer's signed non-Russian "
                                        "self-certification")
    assert "covering this stone (0.612 ct)" in result.missing[0]
    assert result.missing[-1].endswith("outside Russia before 2024-09-01")
    parcel = run(stone("0.612", parcel="3.000", count=5), "US", D(2025, 6, 1))
    assert "or its whole parcel (3.000 ct)" in parcel.missing[0]


@pytest.mark.parametrize("code", ALL)
def test_reasons_are_full_sentences_without_repeats(code):
    facts = stone("1.200", evidence=[ev(), russian(), ev("grandfathering_proof")])
    for on in (D(2024, 2, 1), D(2024, 6, 1), D(2025, 6, 1), D(2026, 6, 1)):
        result = run(facts, code, on)
        assert result.reasons and len(result.reasons) == len(set(result.reasons))
        for reason in result.reasons:
            assert reason[0].isupper() and reason.endswith("."), reason
