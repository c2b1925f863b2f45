"""Assessment: what a jurisdiction's origin rules say about one stone on one day.

``assess(facts, ruleset, on)`` judges every piece of evidence that covers the stone (its
own and its parcel's), applies the rules of ``ruleset`` in force on ``on`` and explains
itself in sentences a supervisor can act on.  Pure: no I/O and no clock.

Outcomes:

* ``prohibited``: the evidence puts the stone under a ban in force on ``on``: a direct
  rule (exported from or transited through Russia), or a processed_elsewhere rule that
  covers the stone while the evidence names Russia as its country of origin; unless a
  grandfathering proof exempts it from that rule.
* ``insufficient``: a processed_elsewhere rule covers the stone and the evidence does
  not prove non-Russian origin in any way the rule accepts on ``on``.
* ``clear``: otherwise.  A stone mined in Russia but below every threshold is ``clear``
  for that jurisdiction; the reasons still say plainly that it was mined in Russia.

``in_scope``: on ``on`` the jurisdiction requires proof of non-Russian origin for this
stone: a processed_elsewhere rule covers its type and weight (grandfathering then being
one way to satisfy it), or a direct ban applies to it.

Readings this module takes (the stricter one wherever domain.md leaves a choice):

* ``simulant`` is not a diamond: no rule applies.  ``refer`` or no identification yet:
  treated as natural *and* laboratory-grown, so every rule covering either applies.
* Evidence counts as proof only when its dates are possible (not issued after the stone
  was received or after ``on``, not expiring before it was issued), when it states the
  carats it covers and they cover the stone (stone evidence) or the whole parcel
  (submission evidence), and when it has no Russian link.  The carat test is also how a
  declaration "about other goods" is recognised.
* Certificates, provenance records and analyses must name the country of origin; a
  mixed-origin certificate that names none proves nothing.  A KP certificate covers
  natural rough only, so it never proves the origin of a laboratory-grown stone.  An
  invoice must carry the System of Warranties statement.
* Russian links are read from *every* piece of evidence, even one that does not count
  as proof: a document naming Russia as country of origin means "mined in Russia"
  (also when Russia is one of several countries of a mixed parcel); a document issued in
  Russia, or a KP certificate numbered ``RU...``, means "exported from Russia"; Russia
  among the transit countries means "transited Russia".
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from labdesk.core.countries import RUSSIA, country_name
from labdesk.core.facts import EvidenceFacts, StoneFacts
from labdesk.core.rulesets import (DIRECT, EXPORTED_FROM_RUSSIA, LABORATORY_GROWN, NATURAL,
                                   CERTIFICATION, PROCESSED_ELSEWHERE, PROCESSED_IN_RUSSIA,
                                   PROOF_SCOPES,
                                   TRANSITED_RUSSIA, Exemption, Proof, Rule, Ruleset)
from labdesk.core.weights import format_weight

CLEAR = "clear"
INSUFFICIENT = "insufficient"
PROHIBITED = "prohibited"
OUTCOMES = (CLEAR, INSUFFICIENT, PROHIBITED)

MINED_IN_RUSSIA = "mined_in_russia"

#: Evidence kinds that prove origin by naming the country of origin.
_NAMES_ORIGIN = ("kp_certificate", "g7_certificate", "provenance_record", "lab_analysis",
                 "other")
_SHORT_NAMES = {
    "kp_certificate": "KP certificate", "g7_certificate": "G7 certificate",
    "sow_invoice": "invoice", "non_russian_declaration": "non-Russian origin declaration",
    "provenance_record": "provenance record", "grandfathering_proof": "grandfathering proof",
    "lab_analysis": "laboratory analysis", "other": "document",
    "due_diligence_statement": "due-diligence statement",
}
_NEEDED_NAMES = {
    "kp_certificate": "a Kimberley Process certificate",
    "g7_certificate": "a G7 certificate",
    "sow_invoice": "an invoice carrying the System of Warranties statement",
    "non_russian_declaration": "a signed non-Russian origin declaration",
    "provenance_record": "a provenance record",
    "lab_analysis": "a laboratory analysis", "other": "a document",
    "due_diligence_statement": "the importer's due-diligence statement on diamond origin",
}
_TYPE_WORDS = {NATURAL: "natural", LABORATORY_GROWN: "laboratory-grown"}
_TRIGGER_WORDS = {EXPORTED_FROM_RUSSIA: "exported from Russia",
                  TRANSITED_RUSSIA: "transited through Russia",
                  PROCESSED_IN_RUSSIA: "cut and polished in Russia"}
#: What a technician must add when a stone mined in Russia has no word of where it was cut.
PROCESSING_MISSING = ("evidence of where the stone was cut and polished, showing it was "
                      "processed outside Russia (a provenance record, G7 certificate, "
                      "declaration or invoice stating the processing countries)")
_RUSSIAN_KP_NUMBER = re.compile(r"^RU(?![A-Z])", re.IGNORECASE)


@dataclass(frozen=True)
class Assessment:
    """The answer for one stone, one jurisdiction, one day (a contract with the facade)."""
    jurisdiction: str
    on: dt.date
    ruleset: str                 # id and version, "EU 2026.1"
    ruleset_id: str
    ruleset_version: str
    in_scope: bool
    outcome: str                 # clear | insufficient | prohibited
    reasons: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Plain JSON-ready values (the date as ISO text)."""
        return {"jurisdiction": self.jurisdiction, "on": self.on.isoformat(),
                "ruleset": self.ruleset, "ruleset_id": self.ruleset_id,
                "ruleset_version": self.ruleset_version, "in_scope": self.in_scope,
                "outcome": self.outcome, "reasons": list(self.reasons),
                "missing": list(self.missing)}


@dataclass(frozen=True)
class RussianLink:
    """Something a piece of evidence says that ties the stone to Russia."""
    kind: str                    # mined_in_russia | exported_from_russia | transited_russia
    evidence: EvidenceFacts
    text: str                    # "KP certificate AE-1 names Russia as a country of origin"


@dataclass(frozen=True)
class Judgement:
    """Whether one piece of evidence can prove non-Russian origin, and why not."""
    evidence: EvidenceFacts
    label: str                   # "KP certificate BW-12345"
    summary: str                 # "single origin Botswana, covers 1.200 ct"
    problems: tuple[str, ...]    # why it does not count; empty when it counts

    @property
    def counts(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _ProofResult:
    """How a rule's accepted proofs fare against the evidence."""
    satisfied_by: tuple[str, ...] | None      # labels of the evidence that proves it
    missing: tuple[str, ...]


@dataclass(frozen=True)
class _ExemptionResult:
    """Whether grandfathering takes the stone out of a rule."""
    exempt_by: str | None                      # label of the exempting evidence
    sentences: tuple[str, ...]


# -- words -----------------------------------------------------------------------------

def _sentence(text: str) -> str:
    """Capitalise the first letter (labels such as 'invoice X' start sentences)."""
    return text[:1].upper() + text[1:]


def _country(code: str) -> str:
    """'BW' -> 'Botswana'; Russia is called Russia."""
    return "Russia" if code == RUSSIA else country_name(code)


def _countries(codes) -> str:
    return ", ".join(_country(c) for c in codes)


def _carats(mct: int) -> str:
    """Thousandths of a carat as the reasons print them: always three decimals."""
    return format_weight(mct, 3)


def _threshold(mct: int) -> str:
    """A threshold as the rules state it: '0.50', '1.00' (three decimals if needed)."""
    return format_weight(mct, 2 if mct % 10 == 0 else 3)


def _types(types) -> str:
    return " and ".join(_TYPE_WORDS[t] for t in types)


def _size(rule: Rule) -> str:
    return "of any size" if rule.threshold_mct == 0 else \
        f"of {_threshold(rule.threshold_mct)} ct or more"


def _joined(items, word: str = "and") -> str:
    """'a', 'a and b', 'a, b and c' (or 'a, b or c' with ``word="or"``)."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {word} " + items[-1]


def _form(mounted: bool) -> str:
    return "mounted in jewellery" if mounted else "a loose stone"


def _forms(rule: Rule) -> str:
    """'loose stones', 'stones mounted in jewellery'."""
    words = {"loose": "loose stones", "mounted": "stones mounted in jewellery"}
    return _joined([words[f] for f in rule.forms])


def _head(ruleset: Ruleset, rule: Rule) -> str:
    """'EU rule eu-indirect-1ct (in force from 2024-03-01)'."""
    until = f" until {rule.effective_until}" if rule.effective_until else ""
    return f"{ruleset.jurisdiction} rule {rule.id} (in force from {rule.effective_from}{until})"


def _rule_ids(ruleset: Ruleset, rules) -> str:
    ids = [r.id for r in rules]
    noun = "rule" if len(ids) == 1 else "rules"
    return f"{ruleset.jurisdiction} {noun} {_joined(ids)}"


def diamond_types(identification: str | None) -> tuple[str, ...]:
    """Which kinds of diamond a stone counts as for the rules.

    natural -> (natural,); laboratory_grown -> (laboratory_grown,); simulant -> ();
    refer, none yet or anything unknown -> both (the stricter reading).
    """
    key = (identification or "").strip().lower().replace("-", "_").replace(" ", "_")
    if key == NATURAL:
        return (NATURAL,)
    if key in (LABORATORY_GROWN, "lab_grown", "synthetic"):
        return (LABORATORY_GROWN,)
    if key == "simulant":
        return ()
    return (NATURAL, LABORATORY_GROWN)


def evidence_label(evidence: EvidenceFacts) -> str:
    """'KP certificate BW-12345', 'invoice (evidence 7)', with '(on the submission)'."""
    name = _SHORT_NAMES.get(evidence.kind, evidence.kind.replace("_", " "))
    label = f"{name} {evidence.reference}" if evidence.reference else \
        f"{name} (evidence {evidence.id})"
    return label + (" (on the submission)" if evidence.level == "submission" else "")


# -- judging one piece of evidence -----------------------------------------------------

def _date_problems(evidence: EvidenceFacts, facts: StoneFacts, on: dt.date) -> list[str]:
    """Dates that make the document impossible, or not yet in existence on ``on``."""
    problems = []
    issued, expires = evidence.issued_on, evidence.expires_on
    if issued is None:
        problems.append("it states no issue date, so it cannot be shown to have existed "
                        "when the stone was received")
    elif issued > facts.received_on:
        problems.append(f"it was issued ({issued}) after the stone was received "
                        f"({facts.received_on})")
    elif issued and issued > on:
        problems.append(f"it was issued ({issued}) after the assessment date ({on})")
    if issued and expires and expires < issued:
        problems.append(f"it expires ({expires}) before it was issued ({issued})")
    return problems


def _weight_problems(evidence: EvidenceFacts, facts: StoneFacts) -> list[str]:
    """Whether the carats the document covers reach the stone, or its whole parcel."""
    parcel = evidence.level == "submission"
    if evidence.weight_mct is None:
        what = "the parcel" if parcel else "this stone"
        return [f"it states no carat weight, so it cannot be shown to cover {what}"]
    if parcel and evidence.weight_mct < facts.submission_weight_mct:
        return [f"it covers {_carats(evidence.weight_mct)} ct, fewer than the "
                f"{_carats(facts.submission_weight_mct)} ct of the parcel of "
                f"{facts.submission_count} stones it is recorded for"]
    if not parcel and evidence.weight_mct < facts.weight_mct:
        return [f"it covers {_carats(evidence.weight_mct)} ct, fewer than the stone's "
                f"{_carats(facts.weight_mct)} ct"]
    return []


def _russia_problems(evidence: EvidenceFacts) -> list[str]:
    """Russian links, as reasons a document cannot prove non-Russian origin."""
    problems = []
    if RUSSIA in evidence.origin_countries:
        problems.append("it names Russia as a country of origin")
    if evidence.issuing_country == RUSSIA:
        problems.append("it was issued in Russia")
    elif _has_russian_kp_number(evidence):
        problems.append(f"its number {evidence.reference} is a Russian Kimberley Process "
                        f"number")
    if RUSSIA in evidence.transit_countries:
        problems.append("it shows the goods transited through Russia")
    if RUSSIA in evidence.processing_countries:
        problems.append("it shows the stone was cut and polished in Russia")
    return problems


def _kind_problems(evidence: EvidenceFacts, types: tuple[str, ...]) -> list[str]:
    """What each kind must state to prove anything about origin."""
    problems = []
    if evidence.kind in _NAMES_ORIGIN and not evidence.origin_countries:
        if evidence.origin_type == "mixed":
            problems.append("it is a mixed-origin certificate that names no mining country")
        else:
            problems.append("it names no country of origin")
    if evidence.kind == "kp_certificate" and types == (LABORATORY_GROWN,):
        problems.append("a Kimberley Process certificate covers natural rough only, not a "
                        "laboratory-grown stone")
    if evidence.kind == "sow_invoice" and evidence.sow_statement is not True:
        problems.append("it does not carry the System of Warranties statement")
    if evidence.kind == "grandfathering_proof" and evidence.outside_russia_since is None:
        problems.append("it does not state since when the stone was outside Russia")
    return problems


def _has_russian_kp_number(evidence: EvidenceFacts) -> bool:
    """KP numbers begin with the issuing country's code (domain.md section 2)."""
    return (evidence.kind == "kp_certificate" and bool(evidence.reference)
            and bool(_RUSSIAN_KP_NUMBER.match(evidence.reference.strip())))


def _summary(evidence: EvidenceFacts, facts: StoneFacts) -> str:
    """What the document states, in a few words: 'single origin Botswana, covers 1.200 ct'."""
    parts = []
    if evidence.kind == "non_russian_declaration":
        parts.append("declares the goods not of Russian origin")
    elif evidence.kind == "sow_invoice" and evidence.sow_statement:
        parts.append("carries the System of Warranties statement")
    elif evidence.kind == "provenance_record" and evidence.platform:
        parts.append(f"recorded on {evidence.platform}")
    if evidence.origin_countries:
        kind = {"single": "single origin ", "mixed": "mixed origin "}.get(
            evidence.origin_type or "", "origin ")
        parts.append(kind + _countries(evidence.origin_countries))
    if evidence.processing_countries:
        parts.append(f"cut and polished in {_countries(evidence.processing_countries)}")
    if evidence.outside_russia_since:
        parts.append(f"outside Russia since {evidence.outside_russia_since}")
    if evidence.weight_mct is not None:
        covers = f"covers {_carats(evidence.weight_mct)} ct"
        if evidence.level == "submission":
            covers += (f", the whole parcel of {facts.submission_count} stones "
                       f"({_carats(facts.submission_weight_mct)} ct)")
        parts.append(covers)
    return ", ".join(parts) or "no details recorded"


def judge_evidence(evidence: EvidenceFacts, facts: StoneFacts, on: dt.date,
                   summarise: bool = True) -> Judgement:
    """Whether ``evidence`` can count as proof of non-Russian origin for this stone
    (``summarise=False``: without the summary, for an outcome alone)."""
    problems = (_date_problems(evidence, facts, on) + _weight_problems(evidence, facts)
                + _kind_problems(evidence, diamond_types(facts.identification))
                + _russia_problems(evidence))
    return Judgement(evidence=evidence, label=evidence_label(evidence),
                     summary=_summary(evidence, facts) if summarise else "",
                     problems=tuple(problems))


@dataclass(frozen=True)
class Prepared:
    """What the evidence says of a stone on a day, whatever the jurisdiction: judged
    once, applied under each ruleset (``prepare``)."""
    on: dt.date
    judged: tuple[Judgement, ...]
    links: tuple[RussianLink, ...]
    processed_elsewhere: tuple[EvidenceFacts, ...]


def prepare(facts: StoneFacts, on: dt.date, summarise: bool = True) -> Prepared:
    return Prepared(on, tuple(judge_evidence(ev, facts, on, summarise)
                              for ev in facts.evidence),
                    tuple(russian_links(facts)), tuple(processed_outside_russia(facts, on)))


def russian_links(facts: StoneFacts) -> list[RussianLink]:
    """Everything the evidence says that ties the stone to Russia, in evidence order."""
    made = {NATURAL: "mined", LABORATORY_GROWN: "produced"}
    verb = " or ".join(made[t] for t in diamond_types(facts.identification)) or "mined"
    links = []
    for evidence in facts.evidence:
        label = evidence_label(evidence)
        if RUSSIA in evidence.origin_countries and len(evidence.origin_countries) > 1:
            links.append(RussianLink(
                MINED_IN_RUSSIA, evidence,
                f"{label} names Russia among the countries of origin of a mixed parcel "
                f"({_countries(evidence.origin_countries)}), so the stone is treated as "
                f"{verb} in Russia"))
        elif RUSSIA in evidence.origin_countries:
            links.append(RussianLink(MINED_IN_RUSSIA, evidence,
                                     f"{label} names Russia as the country of origin, so "
                                     f"the stone was {verb} in Russia"))
        if evidence.issuing_country == RUSSIA:
            links.append(RussianLink(EXPORTED_FROM_RUSSIA, evidence,
                                     f"{label} was issued in Russia, so the goods were "
                                     f"exported from Russia"))
        elif _has_russian_kp_number(evidence):
            links.append(RussianLink(EXPORTED_FROM_RUSSIA, evidence,
                                     f"{label} carries a Russian Kimberley Process number, "
                                     f"so the goods were exported from Russia"))
        if RUSSIA in evidence.transit_countries:
            links.append(RussianLink(TRANSITED_RUSSIA, evidence,
                                     f"{label} shows the goods transited through Russia"))
        if RUSSIA in evidence.processing_countries:
            links.append(RussianLink(PROCESSED_IN_RUSSIA, evidence,
                                     f"{label} names Russia among the countries where the "
                                     f"stone was cut and polished, so it is of Russian "
                                     f"origin"))
    return links


def processed_outside_russia(facts: StoneFacts, on: dt.date) -> list[EvidenceFacts]:
    """Evidence that the stone was cut and polished outside Russia: it names the
    processing countries, none of them Russia, its dates are possible and it covers the
    stone (or its whole parcel).  It may name Russia as where the rough was mined: that
    is exactly the document a Russian-mined stone cut elsewhere comes with."""
    return [evidence for evidence in facts.evidence
            if evidence.processing_countries and RUSSIA not in evidence.processing_countries
            and not _date_problems(evidence, facts, on)
            and not _weight_problems(evidence, facts)]


# -- the assessment --------------------------------------------------------------------

def assess(facts: StoneFacts, ruleset: Ruleset, on: dt.date) -> Assessment:
    """Apply the rules of ``ruleset`` in force on ``on`` to ``facts``; explain the result."""
    return _Assessor(facts, ruleset, on).run()


def assess_outcome(facts: StoneFacts, ruleset: Ruleset, on: dt.date,
                   prepared: Prepared | None = None) -> str:
    """The outcome ``assess`` would give, without its sentences (re-assessing many stones
    after a rules change); ``prepared`` (``prepare(facts, on, summarise=False)``) lets one
    stone's evidence be judged once for every jurisdiction."""
    assessor = _Assessor(facts, ruleset, on, prepared or prepare(facts, on, False))
    assessor.explain = False
    return assessor.decide().outcome


@dataclass(frozen=True)
class _Decision:
    in_scope: bool
    outcome: str
    direct_hits: list
    indirect_hits: list
    unsettled: list
    unproved: list
    proofs: dict


class _Assessor:
    """One assessment's working state; each method answers one question about it."""

    def __init__(self, facts: StoneFacts, ruleset: Ruleset, on: dt.date,
                 prepared: Prepared | None = None):
        self.facts, self.ruleset, self.on = facts, ruleset, on
        self.types = diamond_types(facts.identification)
        prepared = prepared if prepared is not None and prepared.on == on else \
            prepare(facts, on)
        self.judged = list(prepared.judged)
        self.links = list(prepared.links)
        self.processed_elsewhere = list(prepared.processed_elsewhere)
        self.explain = True
        self.in_force = [r for r in ruleset.rules_in_force(on) if r.covers_types(self.types)
                         and r.covers_form(facts.mounted)]
        self.direct = [r for r in self.in_force
                       if r.scope == DIRECT and r.reaches(facts.weight_mct)]
        self.covering = [r for r in self.in_force
                         if r.scope in PROOF_SCOPES and r.reaches(facts.weight_mct)]
        self.exemptions = {r.id: self.exemption(r) for r in self.direct + self.covering}

    # -- questions ---------------------------------------------------------------------
    def exempt(self, rule: Rule) -> bool:
        return self.exemptions[rule.id].exempt_by is not None

    def triggered(self, rule: Rule) -> list[RussianLink]:
        """The links that put the stone under a direct rule."""
        return [link for link in self.links if link.kind in rule.triggers]

    def mined(self) -> list[RussianLink]:
        return [link for link in self.links if link.kind == MINED_IN_RUSSIA]

    def unsettled(self, rule: Rule) -> bool:
        """Whether a direct rule against stones cut in Russia may hold this stone: the
        evidence says it was mined in Russia, and nothing shows it was cut elsewhere (a
        Russian stone cut in Russia is banned at any size, so this is asked at any size)."""
        return (PROCESSED_IN_RUSSIA in rule.triggers and not self.triggered(rule)
                and not self.exempt(rule) and bool(self.mined())
                and not self.processed_elsewhere)

    def exemption(self, rule: Rule) -> _ExemptionResult:
        """Whether a grandfathering proof takes the stone out of ``rule``."""
        sentences, exempt_by = [], None
        for ex in rule.exemptions:
            for evidence in self.facts.evidence:
                if evidence.kind not in ex.evidence:
                    continue
                if not ex.in_force(self.on):
                    sentences.append(self.exemption_not_in_force(evidence, ex, rule))
                    continue
                ok, sentence = self.grandfathers(evidence, ex, rule)
                sentences.append(sentence)
                exempt_by = exempt_by or (evidence_label(evidence) if ok else None)
        return _ExemptionResult(exempt_by, tuple(sentences))

    def exemption_not_in_force(self, evidence: EvidenceFacts, ex: Exemption,
                               rule: Rule) -> str:
        """Why a grandfathering proof cannot exempt the stone on ``on``: the exemption
        ended (a licence expired) or has not begun."""
        label = _sentence(evidence_label(evidence))
        rule_name = f"{self.ruleset.jurisdiction} rule {rule.id}"
        if ex.effective_until and ex.effective_until < self.on:
            return (f"{label} does not exempt the stone from {rule_name}: the exemption "
                    f"for stones outside Russia before {ex.outside_russia_before} "
                    f"({ex.description}) expired on {ex.effective_until}, before "
                    f"{self.on}.")
        return (f"{label} does not exempt the stone from {rule_name}: the exemption for "
                f"stones outside Russia before {ex.outside_russia_before} "
                f"({ex.description}) applies only from {ex.effective_from}.")

    def grandfathers(self, evidence: EvidenceFacts, ex: Exemption,
                     rule: Rule) -> tuple[bool, str]:
        """Whether one grandfathering proof exempts the stone from ``rule``, and why."""
        label = _sentence(evidence_label(evidence))
        since = evidence.outside_russia_since
        problems = _date_problems(evidence, self.facts, self.on) \
            + _weight_problems(evidence, self.facts)
        if since is None:
            problems.append("it does not state since when the stone was outside Russia")
        elif evidence.issued_on and since > evidence.issued_on:
            problems.append(f"it states the stone was outside Russia since {since}, after "
                            f"the document was issued ({evidence.issued_on})")
        if evidence.issued_on is None:
            problems.append("it states no issue date, so it cannot be shown to be a record "
                            "of its time")
        problems += self.left_russia_since(ex.outside_russia_before)
        rule_name = f"{self.ruleset.jurisdiction} rule {rule.id}"
        if problems:
            return False, f"{label} does not exempt the stone from {rule_name}: " \
                          f"{'; '.join(problems)}."
        if since >= ex.outside_russia_before:
            return False, (f"{label} does not exempt the stone from {rule_name}: it shows "
                           f"the stone outside Russia since {since}, not before "
                           f"{ex.outside_russia_before}.")
        return True, (f"{label} exempts the stone from {rule_name} (grandfathering): it "
                      f"shows the stone outside Russia since {since}, before "
                      f"{ex.outside_russia_before}.")

    def left_russia_since(self, cutoff: dt.date) -> list[str]:
        """Evidence that the goods were exported from or passed through Russia on or after
        ``cutoff`` (or on a day it does not state): a stone grandfathered by being outside
        Russia before ``cutoff`` must not have been exported from Russia since (OFAC GL 103,
        104 and 104A; the EU and UK licences alike)."""
        problems = []
        for link in self.links:
            if link.kind not in (EXPORTED_FROM_RUSSIA, TRANSITED_RUSSIA):
                continue
            issued = link.evidence.issued_on
            label = evidence_label(link.evidence)
            if issued is None:
                problems.append(f"{label} shows the goods left Russia or passed through it "
                                f"on a day it does not state, which may be after {cutoff}")
            elif issued >= cutoff:
                problems.append(f"{label} shows the goods left Russia or passed through it "
                                f"on {issued}, after {cutoff}")
        return problems

    def may_be_lab_grown_under(self, rule: Rule) -> bool:
        """Whether, for ``rule``, this stone may be laboratory-grown (refer, or LG)."""
        return LABORATORY_GROWN in self.types and LABORATORY_GROWN in rule.applies_to

    def usable(self, judged: Judgement, rule: Rule) -> bool:
        """Whether counting evidence can serve ``rule``: a KP certificate proves nothing
        about a stone that, for this rule, may be laboratory-grown."""
        return judged.counts and not (judged.evidence.kind == "kp_certificate"
                                      and self.may_be_lab_grown_under(rule))

    def proof(self, rule: Rule) -> _ProofResult:
        """Whether counting evidence meets one of the proofs ``rule`` accepts on ``on``."""
        counting = [j for j in self.judged if self.usable(j, rule)]
        missing = []
        for proof in (p for p in rule.proofs if p.in_force(self.on)):
            found = {kind: [j.label for j in counting if j.evidence.kind == kind]
                     for kind in proof.requires}
            linked = [j.label for j in counting if j.evidence.kind in proof.with_any_of]
            if all(found.values()) and (linked or not proof.with_any_of):
                return _ProofResult(tuple(found[k][0] for k in proof.requires)
                                    + tuple(linked[:1]), ())
            if self.explain:
                missing.append(self.missing_for(proof, found, bool(linked)))
        return _ProofResult(None, tuple(missing))

    def missing_for(self, proof: Proof, found: dict[str, list[str]],
                    linked: bool = True) -> str:
        """The words for what would meet ``proof``, given what already counts."""
        if self.facts.submission_count > 1:
            cover = (f"covering this stone ({_carats(self.facts.weight_mct)} ct) or its "
                     f"whole parcel ({_carats(self.facts.submission_weight_mct)} ct)")
        else:
            cover = f"covering this stone ({_carats(self.facts.weight_mct)} ct)"
        present = [labels[0] for labels in found.values() if labels]
        if not present:
            return f"{proof.description}, {cover}"
        lacking = [_NEEDED_NAMES.get(k, k) for k, labels in found.items() if not labels]
        if proof.with_any_of and not linked:
            lacking.append(_joined([_NEEDED_NAMES.get(k, k) for k in proof.with_any_of],
                                   "or"))
        return (f"{_joined(lacking)} {cover}, to go with {_joined(present)} "
                f"({proof.description})")

    def met_with(self, kind: str) -> bool:
        """Whether some proof in force that takes a document of ``kind`` is met by the
        counting evidence (the stone may be proved another way first)."""
        for rule in self.covering:
            counting = [j for j in self.judged if self.usable(j, rule)]
            kinds = {j.evidence.kind for j in counting}
            for proof in (p for p in rule.proofs if p.in_force(self.on)):
                if kind in proof.requires + proof.with_any_of and \
                        set(proof.requires) <= kinds and \
                        (not proof.with_any_of or kinds & set(proof.with_any_of)):
                    return True
        return False

    def partial_proof(self, kind: str) -> Proof | None:
        """A proof in force that takes a document of ``kind`` only beside others (a KP
        certificate beside the document tying the stone to it; a G7 certificate behind the
        EU's due-diligence statement), when ``kind`` is not enough alone."""
        found = None
        for rule in self.covering:
            for proof in (p for p in rule.proofs if p.in_force(self.on)):
                if kind not in proof.requires + proof.with_any_of:
                    continue
                if proof.requires == (kind,) and not proof.with_any_of:
                    return None
                if found is None or kind in proof.requires:
                    found = proof
        return found

    def decide(self) -> "_Decision":
        """Which rules hold the stone, and so the outcome, without the sentences."""
        if not self.types:
            return _Decision(False, CLEAR, [], [], [], [], {})
        direct_hits = [r for r in self.direct if self.triggered(r) and not self.exempt(r)]
        mined = self.mined()
        indirect_hits = [r for r in self.covering if mined and not self.exempt(r)
                         and r.scope == PROCESSED_ELSEWHERE]
        needing_proof = [r for r in self.covering if not self.exempt(r)]
        proofs = {r.id: self.proof(r) for r in needing_proof}
        unproved = [r for r in needing_proof if proofs[r.id].satisfied_by is None]
        unsettled = [r for r in self.direct if self.unsettled(r)]
        in_scope = bool(self.covering or unsettled
                        or [r for r in self.direct if self.triggered(r)])
        outcome = (PROHIBITED if direct_hits or indirect_hits else
                   INSUFFICIENT if unsettled or unproved else CLEAR)
        return _Decision(in_scope, outcome, direct_hits, indirect_hits, unsettled, unproved,
                         proofs)

    def run(self) -> Assessment:
        if not self.types:
            return self.result(False, CLEAR, [
                f"Clear: the stone is identified as a simulant, not a diamond, so no "
                f"{self.ruleset.jurisdiction} rule on Russian diamonds applies to it."], [])
        decision = self.decide()
        in_scope, direct_hits, indirect_hits = (decision.in_scope, decision.direct_hits,
                                                decision.indirect_hits)
        unsettled, unproved, proofs = (decision.unsettled, decision.unproved,
                                       decision.proofs)

        if direct_hits or indirect_hits:
            outcome = PROHIBITED
            headline = self.prohibited_lines(direct_hits, indirect_hits)
            missing = [] if direct_hits else self.exemption_missing(indirect_hits)
            if unsettled and missing:
                missing.append(PROCESSING_MISSING)     # exempted, it may still be Russian-cut
        elif unsettled:
            outcome = INSUFFICIENT
            headline = [self.unsettled_line(unsettled)] + self.link_lines()
            missing = [PROCESSING_MISSING] \
                + [m for r in unproved for m in proofs[r.id].missing] \
                + self.exemption_missing(unproved)
        elif unproved:
            outcome = INSUFFICIENT
            headline = [f"Insufficient: {_rule_ids(self.ruleset, unproved)} "
                        f"{'requires' if len(unproved) == 1 else 'require'} proof of "
                        f"non-Russian origin for this stone, and the evidence does not "
                        f"prove it."] + self.link_lines()
            missing = [m for r in unproved for m in proofs[r.id].missing] \
                + self.exemption_missing(unproved)
        else:
            outcome = CLEAR
            if self.covering:
                headline = [self.clear_line(proofs)] + self.link_lines(explain=False)
            else:
                headline = self.link_lines() or [self.clear_line(proofs)]
            missing = []
        reasons = (headline + self.identification_lines() + self.rule_lines()
                   + [s for r in self.direct + self.covering
                      for s in self.exemptions[r.id].sentences]
                   + self.evidence_lines())
        return self.result(in_scope, outcome, reasons, missing)

    def result(self, in_scope: bool, outcome: str, reasons: list[str],
               missing: list[str]) -> Assessment:
        return Assessment(
            jurisdiction=self.ruleset.jurisdiction, on=self.on, ruleset=self.ruleset.label,
            ruleset_id=self.ruleset.id, ruleset_version=self.ruleset.version,
            in_scope=in_scope, outcome=outcome, reasons=_unique(reasons),
            missing=_unique(missing))

    def unsettled_line(self, rules: list[Rule]) -> str:
        """Mined in Russia, and nothing says where it was cut: it may be Russian-cut."""
        links = "; and ".join(link.text for link in self.mined())
        verb = "bans" if len(rules) == 1 else "ban"
        return (f"Insufficient: {_rule_ids(self.ruleset, rules)} {verb} diamonds cut and "
                f"polished in Russia at any size; {links}, and no evidence shows where it "
                f"was cut and polished. A Russian stone is allowed below a threshold only "
                f"when it was cut outside Russia.")

    def prohibited_lines(self, direct_hits: list[Rule], indirect_hits: list[Rule]) -> list[str]:
        """Which bans the stone is under, and the evidence that puts it there."""
        lines, used = [], set()
        for rule in direct_hits:
            links = self.triggered(rule)
            used.update(id(link) for link in links)
            what = _joined([_TRIGGER_WORDS[t] for t in rule.triggers], "or")
            lines.append(f"Prohibited: {_head(self.ruleset, rule)} bans "
                         f"{_types(rule.applies_to)} diamonds {_size(rule)} {what}, and "
                         f"{'; and '.join(link.text for link in links)}.")
        for rule in indirect_hits:
            links = self.mined()
            used.update(id(link) for link in links)
            lines.append(
                f"Prohibited: {_head(self.ruleset, rule)} bans {_types(rule.applies_to)} "
                f"diamonds {_size(rule)} mined or produced in Russia and processed "
                f"elsewhere; this stone weighs {_carats(self.facts.weight_mct)} ct and "
                f"{'; and '.join(link.text for link in links)}"
                + ("; no grandfathering proof exempts it." if rule.exemptions else "."))
        rest = [link.text for link in self.links if id(link) not in used]
        if rest:
            lines.append(f"Also linked to Russia: {'; '.join(rest)}.")
        return lines

    def exemption_missing(self, rules: list[Rule]) -> list[str]:
        """Grandfathering that would free the stone from every one of ``rules``.

        Rules that share a kind of grandfathering proof need the earliest of their dates
        (a 1.2 ct stone must have left Russia before the 1 ct rule began).
        """
        live = {rule.id: [ex for ex in rule.exemptions if ex.in_force(self.on)]
                for rule in rules}
        if not all(live.values()):
            return []
        earliest: dict[str, dt.date] = {}
        for rule in rules:
            for ex in live[rule.id]:
                date = earliest.get(ex.description)
                earliest[ex.description] = min(date, ex.outside_russia_before) \
                    if date else ex.outside_russia_before
        return [f"{description}, showing the stone was outside Russia before {date}"
                for description, date in earliest.items()]

    def link_lines(self, explain: bool = True) -> list[str]:
        """Russian links that did not make the stone prohibited, and why they did not."""
        if not self.links:
            return []
        lines = [f"Not prohibited by {self.ruleset.jurisdiction} on {self.on}, but linked to "
                 f"Russia: {'; '.join(link.text for link in self.links)}."]
        if not explain:
            return lines
        if self.mined():
            lines.append(self.why_mined_not_prohibited())
            if self.processed_elsewhere:
                where = sorted({c for e in self.processed_elsewhere
                                for c in e.processing_countries})
                labels = _joined([evidence_label(e) for e in self.processed_elsewhere])
                lines.append(f"{_sentence(labels)} "
                             f"{'shows' if len(self.processed_elsewhere) == 1 else 'show'} "
                             f"it was cut and polished in {_countries(where)}, outside "
                             f"Russia.")
        if any(link.kind != MINED_IN_RUSSIA for link in self.links):
            lines.append(self.why_exported_not_prohibited())
        return lines

    def why_mined_not_prohibited(self) -> str:
        """A stone mined in Russia that no processed_elsewhere rule bans today: why not."""
        j = self.ruleset.jurisdiction
        exempted = [r for r in self.covering if self.exempt(r)]
        if exempted:
            return (f"Grandfathering exempts it from {_rule_ids(self.ruleset, exempted)}, "
                    f"the {j} rules for Russian stones processed elsewhere that cover it.")
        below = [r for r in self.in_force if r.scope == PROCESSED_ELSEWHERE]
        if below:
            lowest = min(below, key=lambda r: r.threshold_mct)
            return (f"{j} does not prohibit it on {self.on}: it weighs "
                    f"{_carats(self.facts.weight_mct)} ct, below the "
                    f"{_threshold(lowest.threshold_mct)} ct threshold of rule {lowest.id} "
                    f"for Russian stones processed elsewhere.")
        if self.facts.mounted and any(
                r.scope == PROCESSED_ELSEWHERE and r.covers_types(self.types)
                for r in self.ruleset.rules_in_force(self.on)):
            return (f"{j} does not prohibit it on {self.on}: the stone is mounted in "
                    f"jewellery, and no {j} rule for Russian stones processed elsewhere "
                    f"covers stones mounted in jewellery on that date.")
        upcoming = self.upcoming(PROCESSED_ELSEWHERE)
        later = f" (rule {upcoming[0].id} applies from {upcoming[0].effective_from})" \
            if upcoming else ""
        return (f"{j} does not prohibit it on {self.on}: no {j} rule for Russian stones "
                f"processed elsewhere covers {_types(self.types)} diamonds on that "
                f"date{later}.")

    def why_exported_not_prohibited(self) -> str:
        """A stone from Russia itself that no direct ban reaches today: why not."""
        j = self.ruleset.jurisdiction
        exempted = [r for r in self.direct if self.triggered(r) and self.exempt(r)]
        if exempted:
            return f"Grandfathering exempts it from {_rule_ids(self.ruleset, exempted)}."
        upcoming = self.upcoming(DIRECT)
        later = f" (rule {upcoming[0].id} applies from {upcoming[0].effective_from})" \
            if upcoming else ""
        return (f"No {j} ban in force on {self.on} covers {_types(self.types)} diamonds "
                f"exported from or transited through Russia{later}.")

    def upcoming(self, scope: str) -> list[Rule]:
        """Rules of ``scope`` for this stone's type that start after ``on``, soonest first."""
        rules = [r for r in self.ruleset.rules if r.scope == scope
                 and r.covers_types(self.types) and r.covers_form(self.facts.mounted)
                 and r.reaches(self.facts.weight_mct) and r.effective_from > self.on]
        return sorted(rules, key=lambda r: r.effective_from)

    def clear_line(self, proofs: dict[str, _ProofResult]) -> str:
        """Why the stone is clear: what proves or exempts it, or that nothing is required."""
        j = self.ruleset.jurisdiction
        if not self.covering:
            return (f"Clear: on {self.on}, no {j} rule requires proof of non-Russian origin "
                    f"for this stone.")
        grouped: dict[str, list[Rule]] = {}
        for rule in self.covering:
            if self.exempt(rule):
                key = f"{self.exemptions[rule.id].exempt_by} exempts it by grandfathering from"
            else:
                labels = proofs[rule.id].satisfied_by
                key = (f"{_joined(labels)} {'proves' if len(labels) == 1 else 'prove'} "
                       f"non-Russian origin as required by")
            grouped.setdefault(key, []).append(rule)
        parts = [f"{key} {_rule_ids(self.ruleset, rules)}" for key, rules in grouped.items()]
        return f"Clear: {'; '.join(parts)}."

    def identification_lines(self) -> list[str]:
        """How an unsettled identification is read."""
        if len(self.types) < 2:
            return []
        state = "not yet recorded" if not self.facts.identification else \
            f"'{self.facts.identification}' (not settled)"
        return [f"The stone's identification is {state}, so it is treated as natural or "
                f"laboratory-grown, whichever a rule covers."]

    def rule_lines(self) -> list[str]:
        """Each rule that bears on this stone today, and those just out of reach."""
        j, w = self.ruleset.jurisdiction, _carats(self.facts.weight_mct)
        lines = []
        for rule in self.ruleset.rules_in_force(self.on):
            head, kinds = _head(self.ruleset, rule), _types(rule.applies_to)
            if not rule.covers_types(self.types):
                lines.append(f"{head} covers {kinds} diamonds only; this stone is "
                             f"{_types(self.types)}, so the rule does not apply.")
            elif not rule.covers_form(self.facts.mounted):
                lines.append(f"{head} covers {_forms(rule)} only; this stone is "
                             f"{_form(self.facts.mounted)}, so the rule does not apply.")
            elif rule.scope == DIRECT:
                what = _joined([_TRIGGER_WORDS[t] for t in rule.triggers], "or")
                seen = "the evidence shows" if self.triggered(rule) else "no evidence shows"
                lines.append(f"{head} bans {kinds} diamonds {_size(rule)} {what}; {seen} "
                             f"that this stone was.")
            elif rule.scope == CERTIFICATION:
                lines.append(f"{head}: {kinds} diamonds {_size(rule)}, "
                             f"{_forms(rule)}, need the importer's certification that they "
                             f"are not of Russian origin; this stone is "
                             f"{_form(self.facts.mounted)}.")
            elif rule.reaches(self.facts.weight_mct):
                lines.append(f"{head}: {kinds} diamonds {_size(rule)} processed outside "
                             f"Russia need proof of non-Russian origin; this stone weighs "
                             f"{w} ct.")
            else:
                lines.append(f"{head} requires proof of non-Russian origin for {kinds} "
                             f"diamonds {_size(rule)} processed outside Russia; this stone "
                             f"weighs {w} ct, below the threshold, so the rule does not "
                             f"apply.")
        for rule in self.ruleset.rules:
            if (not rule.covers_types(self.types) or not rule.covers_form(self.facts.mounted)
                    or rule.in_force(self.on)):
                continue
            if rule.scope in PROOF_SCOPES and not rule.reaches(self.facts.weight_mct):
                continue
            if rule.effective_from > self.on:
                lines.append(f"{j} rule {rule.id} does not apply yet: it comes into force "
                             f"on {rule.effective_from}.")
            else:
                lines.append(f"{j} rule {rule.id} no longer applies: it was in force until "
                             f"{rule.effective_until}.")
        return lines

    def evidence_lines(self) -> list[str]:
        """One sentence per piece of evidence: counts, or does not count and why."""
        exemption_kinds = {k for r in self.direct + self.covering
                           for ex in r.exemptions for k in ex.evidence}
        accepted = {k for r in self.covering for p in r.proofs if p.in_force(self.on)
                    for k in p.requires + p.with_any_of}
        used = {label for r in self.covering if not self.exempt(r)
                for label in (self.proof(r).satisfied_by or ())}
        lines = []
        for judged in self.judged:
            if judged.evidence.kind in exemption_kinds:
                continue            # said by the exemption sentences
            label = _sentence(judged.label)
            if judged.problems:
                lines.append(f"{label} does not count: {'; '.join(judged.problems)}.")
            elif not self.covering:
                lines.append(f"{label} is in order: {judged.summary}.")
            elif not all(self.usable(judged, r) for r in self.covering):
                lines.append(f"{label} is in order ({judged.summary}) but cannot prove the "
                             f"origin of a stone that may be laboratory-grown: a Kimberley "
                             f"Process certificate covers natural rough only; settle the "
                             f"identification first.")
            elif judged.label in used or self.met_with(judged.evidence.kind):
                lines.append(f"{label} counts: {judged.summary}.")
            elif (partial := self.partial_proof(judged.evidence.kind)) is not None:
                kind = judged.evidence.kind
                lines.append(f"{label} is in order ({judged.summary}) but does not count "
                             f"alone: {self.alone_until(kind)}"
                             f"{self.companion_words(kind, partial)}.")
            elif judged.evidence.kind in accepted:
                lines.append(f"{label} counts: {judged.summary}.")
            else:
                lines.append(f"{label} is in order ({judged.summary}) but "
                             f"{self.not_accepted(judged.evidence.kind)}.")
        return lines

    def companion_words(self, kind: str, proof: Proof) -> str:
        """Why a document of ``kind`` needs another beside it, and which ones would do."""
        needed = [_NEEDED_NAMES.get(k, k) for k in proof.requires if k != kind]
        if kind in proof.requires and proof.with_any_of:
            needed.append(_joined([_NEEDED_NAMES.get(k, k) for k in proof.with_any_of],
                                  "or"))
        others = _joined(needed)
        if kind == "kp_certificate" and kind in proof.requires:
            return (f"a Kimberley Process certificate covers a shipment of rough, not a "
                    f"polished stone, so it counts only with {others} covering this stone "
                    f"that ties the stone to it")
        return f"it counts only together with {others} covering this stone"

    def alone_until(self, kind: str) -> str:
        """'EU rule eu-indirect-1ct accepted it alone only until 2025-12-31; ' or ''."""
        for rule in self.covering:
            for proof in rule.proofs:
                if (proof.requires == (kind,) and not proof.with_any_of
                        and proof.effective_until and proof.effective_until < self.on):
                    return (f"{self.ruleset.jurisdiction} rule {rule.id} accepted it alone "
                            f"only until {proof.effective_until}; ")
        return ""

    def not_accepted(self, kind: str) -> str:
        """Why a sound document of ``kind`` does not count under the rules that apply."""
        for rule in self.covering:
            for proof in rule.proofs:
                if kind in proof.requires and not proof.in_force(self.on):
                    if proof.effective_until and proof.effective_until < self.on:
                        return (f"does not count on {self.on}: {self.ruleset.jurisdiction} "
                                f"rule {rule.id} accepted it only until "
                                f"{proof.effective_until} ({proof.description})")
                    return (f"does not count on {self.on}: {self.ruleset.jurisdiction} rule "
                            f"{rule.id} accepts it only from {proof.effective_from} "
                            f"({proof.description})")
        return (f"{self.ruleset.jurisdiction} rules do not accept it as proof of "
                f"non-Russian origin")


def _unique(items: list[str]) -> list[str]:
    """Drop repeated sentences, keeping the first of each."""
    return list(dict.fromkeys(items))
