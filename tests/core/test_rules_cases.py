"""The dated case table of the origin rules: every ban's first day and the day before,
every threshold at its weight and just below, every exemption's first and last day,
where a stone was cut, KP certificates on polished stones, the US self-certification and
mounted stones; then the stones that must clear (the rules are not stricter than a clear
text).  Each case names its expected outcome and a reason that must be given."""
from __future__ import annotations

import datetime as dt

import pytest

from labdesk.core.assessment import CLEAR, INSUFFICIENT, PROHIBITED
from labdesk.core.facts import StoneFacts
from test_assessment import RECEIVED, ev, linked, run, russian, said, stone

D = dt.date


def cut_in(country="IN", **fields):
    """A provenance record: mined in Russia, cut and polished in ``country``."""
    return russian("provenance_record", processing_countries=(country,), **fields)


def exported():
    """A KP certificate issued in Russia: the goods were exported from Russia."""
    return ev(reference="RU-77", issuing_country="RU", issued_on=D(2021, 6, 1),
              origin_countries=("RU",), weight="5.000")


def grandfathered(since, issued=None):
    return ev("grandfathering_proof", outside_russia_since=since,
              issued_on=issued or since + dt.timedelta(days=5))


def mounted(facts: StoneFacts) -> StoneFacts:
    return StoneFacts(**{**facts.__dict__, "mounted": True})


def early(weight, evidence, **kw):
    """A stone received early enough for every document of the table to predate it."""
    return stone(weight, evidence=evidence, received=D(2021, 7, 1), **kw)


# (case, jurisdiction, facts, day, outcome, words of one reason)
CASES = [
    # -- the direct bans: first day and the day before --------------------------------
    ("EU direct, day before", "EU", early("0.300", [exported()]), D(2023, 12, 31), CLEAR,
     "No EU ban in force on 2023-12-31"),
    ("EU direct, first day", "EU", early("0.300", [exported()]), D(2024, 1, 1), PROHIBITED,
     "EU rule eu-direct (in force from 2024-01-01) bans"),
    ("UK direct, day before", "UK", early("0.300", [exported()]), D(2023, 12, 31), CLEAR,
     "No UK ban in force on 2023-12-31"),
    ("UK direct, first day", "UK", early("0.300", [exported()]), D(2024, 1, 1), PROHIBITED,
     "UK rule uk-direct (in force from 2024-01-01) bans"),
    ("US direct, day before", "US", early("0.300", [exported()]), D(2022, 3, 10), CLEAR,
     "No US ban in force on 2022-03-10"),
    ("US direct, first day", "US", early("0.300", [exported()]), D(2022, 3, 11), PROHIBITED,
     "US rule us-direct (in force from 2022-03-11) bans"),
    ("US jewellery, day before", "US", mounted(early("0.300", [exported()])),
     D(2024, 2, 29), CLEAR, "rule us-direct-jewellery applies from 2024-03-01"),
    ("US jewellery, first day", "US", mounted(early("0.300", [exported()])), D(2024, 3, 1),
     PROHIBITED, "US rule us-direct-jewellery (in force from 2024-03-01) bans"),
    # -- the bans on Russian stones cut elsewhere: first day and the day before ----------
    ("EU 1 ct, day before", "EU", stone("1.200", evidence=[cut_in()]), D(2024, 2, 29), CLEAR,
     "rule eu-indirect-1ct does not apply yet"),
    ("EU 1 ct, first day", "EU", stone("1.200", evidence=[cut_in()]), D(2024, 3, 1),
     PROHIBITED, "EU rule eu-indirect-1ct (in force from 2024-03-01) bans natural"),
    ("EU 0.5 ct, day before", "EU", stone("0.700", evidence=[cut_in()]), D(2024, 8, 31),
     CLEAR, "below the 1.00 ct threshold of rule eu-indirect-1ct"),
    ("EU 0.5 ct, first day", "EU", stone("0.700", evidence=[cut_in()]), D(2024, 9, 1),
     PROHIBITED, "EU rule eu-indirect-0.5ct (in force from 2024-09-01) bans"),
    ("US 1 ct, day before", "US", stone("1.200", evidence=[cut_in()]), D(2024, 2, 29), CLEAR,
     "rule us-indirect-1ct does not apply yet"),
    ("US 1 ct, first day", "US", stone("1.200", evidence=[cut_in()]), D(2024, 3, 1),
     PROHIBITED, "US rule us-indirect-1ct (in force from 2024-03-01) bans"),
    ("US 0.5 ct, day before", "US", stone("0.700", evidence=[cut_in()]), D(2024, 8, 31),
     CLEAR, "below the 1.00 ct threshold of rule us-indirect-1ct"),
    ("US 0.5 ct, first day", "US", stone("0.700", evidence=[cut_in()]), D(2024, 9, 1),
     PROHIBITED, "US rule us-indirect-0.5ct (in force from 2024-09-01) bans"),
    ("UK 1 ct, day before", "UK", stone("1.200", evidence=[cut_in()]), D(2024, 2, 29), CLEAR,
     "rule uk-indirect-1ct does not apply yet"),
    ("UK 1 ct, first day", "UK", stone("1.200", evidence=[cut_in()]), D(2024, 3, 1),
     PROHIBITED, "UK rule uk-indirect-1ct (in force from 2024-03-01) bans"),
    ("UK 0.5 ct, day before", "UK", stone("0.700", evidence=[cut_in()]), D(2024, 8, 31),
     CLEAR, "below the 1.00 ct threshold of rule uk-indirect-1ct"),
    ("UK 0.5 ct, first day", "UK", stone("0.700", evidence=[cut_in()]), D(2024, 9, 1),
     PROHIBITED, "UK rule uk-indirect-0.5ct (in force from 2024-09-01) bans"),
    ("UK synthetics, day before", "UK",
     stone("0.700", "laboratory_grown", [cut_in()], received=D(2025, 5, 1)),
     D(2025, 4, 23), CLEAR, "rule uk-indirect-lab-grown-0.5ct does not apply yet"),
    ("UK synthetics, first day", "UK",
     stone("0.700", "laboratory_grown", [cut_in()], received=D(2025, 5, 1)),
     D(2025, 4, 24), PROHIBITED, "UK rule uk-indirect-lab-grown-0.5ct (in force from "
                                 "2025-04-24) bans laboratory-grown"),
    # -- thresholds: the threshold weight and the weight just below ----------------------
    *[(f"{code} {w} ct on {day}", code, stone(w, evidence=[cut_in()]), day, outcome, words)
      for code in ("EU", "US", "UK")
      for w, day, outcome, words in (
          ("1.000", D(2024, 6, 1), PROHIBITED, "indirect-1ct (in force from 2024-03-01) "
                                               "bans"),
          ("0.999", D(2024, 6, 1), CLEAR, "weighs 0.999 ct, below the 1.00 ct threshold"),
          ("0.500", D(2025, 6, 1), PROHIBITED, "indirect-0.5ct (in force from 2024-09-01) "
                                               "bans"),
          ("0.499", D(2025, 6, 1), CLEAR, "weighs 0.499 ct, below the 0.50 ct threshold"))],
    # -- exemptions: first and last day -------------------------------------------------
    ("US GL 104, day before it was issued", "US",
     stone("1.200", evidence=[cut_in(), grandfathered(D(2024, 1, 10))]), D(2024, 8, 22),
     PROHIBITED, "applies only from 2024-08-23"),
    ("US GL 104, first day", "US",
     stone("1.200", evidence=[cut_in(), grandfathered(D(2024, 1, 10))]), D(2024, 8, 23),
     CLEAR, "exempts the stone from US rule us-indirect-1ct (grandfathering)"),
    ("US GL 104, last day", "US",
     stone("1.200", evidence=[cut_in(), grandfathered(D(2024, 1, 10))]), D(2025, 8, 31),
     CLEAR, "exempts the stone from US rule us-indirect-1ct (grandfathering)"),
    ("US GL 104A, its last day", "US",
     stone("1.200", evidence=[cut_in(), grandfathered(D(2024, 1, 10))]), D(2026, 8, 31),
     CLEAR, "expired on 2025-08-31, before 2026-08-31"),
    ("US GL 104A, the day after it ended", "US",
     stone("1.200", evidence=[cut_in(), grandfathered(D(2024, 1, 10))]), D(2026, 9, 1),
     PROHIBITED, "expired on 2026-08-31, before 2026-09-01"),
    ("US GL 104A, 0.5 ct, the day after it ended", "US",
     stone("0.700", evidence=[cut_in(), grandfathered(D(2024, 5, 10))]), D(2026, 9, 1),
     PROHIBITED, "under General License 104A) expired on 2026-08-31"),
    ("EU grandfathering, outside Russia on the last day before", "EU",
     stone("1.200", evidence=[cut_in(), grandfathered(D(2023, 12, 31))]), D(2025, 6, 1),
     CLEAR, "outside Russia since 2023-12-31, before 2024-01-01"),
    ("EU grandfathering, outside Russia from the first day", "EU",
     stone("1.200", evidence=[cut_in(), grandfathered(D(2024, 1, 1))]), D(2025, 6, 1),
     PROHIBITED, "outside Russia since 2024-01-01, not before 2024-01-01"),
    ("UK grandfathering, 1 ct, last day before", "UK",
     stone("1.200", evidence=[cut_in(), grandfathered(D(2024, 2, 29))]), D(2025, 6, 1),
     CLEAR, "outside Russia since 2024-02-29, before 2024-03-01"),
    ("UK grandfathering, 0.7 ct, outside Russia from 2024-03-01", "UK",
     stone("0.700", evidence=[cut_in(), grandfathered(D(2024, 3, 1))]), D(2025, 6, 1),
     PROHIBITED, "not before 2024-03-01"),
    ("UK synthetics licence, last day before", "UK",
     stone("0.700", "laboratory_grown", [cut_in(), grandfathered(D(2025, 4, 23))],
           received=D(2025, 5, 15)), D(2025, 6, 1), CLEAR, "before 2025-04-24"),
    # -- where the stone was cut ---------------------------------------------------------
    *[(f"{code} Russian mining, no word of the cutting", code,
       stone("0.300", evidence=[russian("provenance_record")]), D(2025, 6, 1), INSUFFICIENT,
       "no evidence shows where it was cut and polished") for code in ("EU", "US", "UK")],
    *[(f"{code} Russian mining, cut in India", code, stone("0.300", evidence=[cut_in()]),
       D(2025, 6, 1), CLEAR, "shows it was cut and polished in India, outside Russia")
      for code in ("EU", "US", "UK")],
    *[(f"{code} Botswana rough cut in Russia", code,
       stone("0.300", evidence=[ev("provenance_record", processing_countries=("RU",))]),
       D(2025, 6, 1), PROHIBITED, "cut and polished, so it is of Russian origin")
      for code in ("EU", "US", "UK")],
    ("EU cut in Russia, the day before the ban", "EU",
     early("0.300", [ev("provenance_record", processing_countries=("RU",),
                        issued_on=D(2021, 6, 1))]), D(2023, 12, 31), CLEAR,
     "No EU ban in force on 2023-12-31"),
    # -- KP certificates on polished stones ---------------------------------------------
    *[(f"{code} KP certificate alone", code, stone("1.200", evidence=[ev()]), D(2025, 6, 1),
       INSUFFICIENT, "covers a shipment of rough, not a polished stone")
      for code in ("EU", "UK")],
    *[(f"{code} KP certificate with an invoice tying the stone to it", code,
       stone("1.200", evidence=[ev(), ev("sow_invoice")]), D(2025, 6, 1), CLEAR,
       "KP certificate BW-1 and invoice INV-1 prove") for code in ("EU", "UK")],
    ("UK KP certificate with a declaration tying the stone to it", "UK",
     stone("1.200", evidence=linked()), D(2025, 6, 1), CLEAR,
     "KP certificate BW-1 and non-Russian origin declaration DEC-1 prove"),
    # -- the US self-certification -------------------------------------------------------
    ("US G7 certificate without the declaration", "US",
     stone("1.200", evidence=[ev("g7_certificate")]), D(2025, 6, 1), INSUFFICIENT,
     "G7 certificate G7-1 is in order"),
    ("US G7 certificate with the declaration", "US",
     stone("1.200", evidence=[ev("non_russian_declaration"), ev("g7_certificate")]),
     D(2025, 6, 1), CLEAR, "non-Russian origin declaration DEC-1 and G7 certificate G7-1 "
                           "prove"),
    ("US declaration without backing", "US",
     stone("1.200", evidence=[ev("non_russian_declaration")]), D(2025, 6, 1), INSUFFICIENT,
     "does not count alone"),
    ("US KP certificate with the declaration", "US", stone("1.200", evidence=linked()),
     D(2025, 6, 1), CLEAR, "prove non-Russian origin as required by US rules"),
    # -- mounted stones ------------------------------------------------------------------
    ("EU mounted, Russian-mined, cut in India (Part C not in force)", "EU",
     mounted(stone("1.200", evidence=[cut_in()])), D(2025, 6, 1), CLEAR,
     "covers loose stones only; this stone is mounted in jewellery"),
    ("EU loose, the same stone", "EU", stone("1.200", evidence=[cut_in()]), D(2025, 6, 1),
     PROHIBITED, "eu-indirect-1ct"),
    ("EU mounted, exported from Russia", "EU", mounted(early("1.200", [exported()])),
     D(2025, 6, 1), PROHIBITED, "EU rule eu-direct"),
    ("US mounted, Russian-mined, cut in India (stricter reading)", "US",
     mounted(stone("1.200", evidence=[cut_in()])), D(2025, 6, 1), PROHIBITED,
     "us-indirect-1ct"),
    ("UK mounted, Russian-mined, cut in India", "UK",
     mounted(stone("1.200", evidence=[cut_in()])), D(2025, 6, 1), CLEAR,
     "covers loose stones only"),
    ("UK mounted, unproved: no processed-elsewhere rule needs proof", "UK",
     mounted(stone("1.200")), D(2025, 6, 1), CLEAR, "no UK rule requires proof"),
    ("US mounted, unproved", "US", mounted(stone("1.200")), D(2025, 6, 1), INSUFFICIENT,
     "us-indirect-1ct"),
    # -- the US certification of jewellery: every piece, whatever its size ---------------
    ("US mounted 0.30 ct without the certification", "US", mounted(stone("0.300")),
     D(2025, 6, 1), INSUFFICIENT, "US rule us-jewellery-certification requires"),
    ("US mounted 0.30 ct with the certification", "US",
     mounted(stone("0.300", evidence=[ev("non_russian_declaration")])), D(2025, 6, 1), CLEAR,
     "non-Russian origin declaration DEC-1 proves non-Russian origin as required by US rule "
     "us-jewellery-certification"),
    ("US mounted 0.30 ct, the day before the certification", "US",
     mounted(stone("0.300")), D(2024, 2, 29), CLEAR, "no US rule requires proof"),
    ("US loose 0.30 ct needs no certification", "US", stone("0.300"), D(2025, 6, 1), CLEAR,
     "no US rule requires proof"),
    # -- grandfathering does not survive a later export from Russia ----------------------
    ("US GL 103: jewellery outside Russia since 2023, exported from Russia in 2024", "US",
     mounted(stone("0.300", evidence=[
         ev(reference="RU-77", issuing_country="RU", issued_on=D(2024, 6, 1),
            origin_countries=("RU",), weight="5.000"),
         ev("non_russian_declaration"), grandfathered(D(2023, 6, 1))])),
     D(2025, 6, 1), PROHIBITED, "shows the goods left Russia or passed through it on "
                                "2024-06-01, after 2024-03-01"),
    ("US GL 104: exported from Russia in 2024 after being outside it in 2023", "US",
     stone("1.200", evidence=[
         cut_in(), ev(reference="RU-78", issuing_country="RU", issued_on=D(2024, 6, 1),
                      origin_countries=("RU",), weight="5.000"),
         grandfathered(D(2023, 6, 1))]), D(2025, 6, 1), PROHIBITED,
     "after 2024-03-01"),
    ("UK licence: a transit through Russia on an undated document", "UK",
     stone("1.200", evidence=[cut_in(), ev("g7_certificate", transit_countries=("RU",),
                                           issued_on=None),
                              grandfathered(D(2024, 1, 5))]), D(2025, 6, 1), PROHIBITED,
     "on a day it does not state"),
    # -- a document that states no issue date cannot be shown to predate the stone -------
    *[(f"{code} undated documents prove nothing", code,
       stone("1.200", evidence=[ev("g7_certificate", issued_on=None),
                                ev("non_russian_declaration", issued_on=None),
                                ev("sow_invoice", issued_on=None)]),
       D(2025, 6, 1), INSUFFICIENT, "it states no issue date")
      for code in ("EU", "US", "UK")],
    ("EU grandfathering proof with no issue date", "EU",
     stone("1.200", evidence=[cut_in(), ev("grandfathering_proof",
                                           outside_russia_since=D(2023, 1, 1),
                                           issued_on=None)]), D(2025, 6, 1), PROHIBITED,
     "it states no issue date"),
]


@pytest.mark.parametrize("case, code, facts, on, outcome, words", CASES,
                         ids=[c[0] for c in CASES])
def test_the_dated_case_table(case, code, facts, on, outcome, words):
    result = run(facts, code, on)
    assert result.outcome == outcome, result.reasons
    assert said(result, words), result.reasons


# -- stones that must clear: the rules are not stricter than a clear text ---------------

MUST_CLEAR = [
    ("a Botswana stone with a G7 certificate, EU 2025", "EU",
     stone("1.200", evidence=[ev("g7_certificate")]), D(2025, 6, 1)),
    ("a Botswana stone with a G7 certificate, UK", "UK",
     stone("1.200", evidence=[ev("g7_certificate")]), D(2026, 6, 1)),
    ("a Botswana stone with a G7 certificate and the self-certification, US", "US",
     stone("1.200", evidence=[ev("g7_certificate"), ev("non_russian_declaration")]),
     D(2026, 6, 1)),
    ("a Botswana stone with a G7 certificate behind the due-diligence statement, EU 2026",
     "EU", stone("1.200", evidence=[ev("g7_certificate"), ev("due_diligence_statement")]),
     D(2026, 6, 1)),
    *[(f"a 0.40 ct stone declared mined and cut outside Russia, {code}", code,
       stone("0.400", evidence=[ev("non_russian_declaration", origin_countries=("CA",),
                                   processing_countries=("BE",))]), D(2026, 6, 1))
      for code in ("EU", "US", "UK")],
    *[(f"a 0.40 ct stone with no papers, {code}", code, stone("0.400"), D(2026, 6, 1))
      for code in ("EU", "US", "UK")],
    ("a Russian-mined stone cut in India before the EU's first ban", "EU",
     stone("1.200", evidence=[cut_in()]), D(2023, 12, 31)),
    ("a Russian-mined stone cut in India before the UK's first ban", "UK",
     stone("1.200", evidence=[cut_in()]), D(2023, 12, 31)),
    ("a Russian-mined stone cut in India before the US ban on cut stones", "US",
     stone("1.200", evidence=[cut_in()]), D(2024, 2, 29)),
    ("a stone exported from Russia before the US order", "US",
     early("1.200", [exported()]), D(2022, 3, 10)),
    ("a grandfathered Russian stone under GL 104A", "US",
     stone("1.200", evidence=[cut_in(), grandfathered(D(2024, 1, 10))]), D(2026, 3, 1)),
    ("a simulant with Russian papers", "EU",
     stone("1.200", "simulant", [exported()], received=RECEIVED), D(2025, 6, 1)),
]


@pytest.mark.parametrize("case, code, facts, on", MUST_CLEAR, ids=[c[0] for c in MUST_CLEAR])
def test_stones_that_must_clear(case, code, facts, on):
    result = run(facts, code, on)
    assert result.outcome == CLEAR, result.reasons
    assert result.reasons[0].startswith(("Clear", "Not prohibited")), result.reasons
