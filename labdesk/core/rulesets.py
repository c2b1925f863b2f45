"""Origin rulesets: one TOML file per jurisdiction, read and checked before use.

The rules on Russian diamonds change often (domain.md section 1), so they are data: a lab
changes a rule by editing ``resources/rulesets/<jurisdiction>.toml`` and bumping its
``version``; no code changes.  A file looks like this::

    jurisdiction = "EU"
    name = "European Union"
    version = "2026.1"

    [proof.kp-certificate]                     # a way of proving non-Russian origin
    requires = ["kp_certificate"]              # evidence kinds needed, all of them
    with_any_of = ["sow_invoice", "g7_certificate"]   # optional: and one of these too
    description = "a Kimberley Process certificate naming every country of origin"
    effective_until = 2025-12-31               # optional, like effective_from
    source = "AWDC import guidelines; ..."

    [[rule]]
    id = "eu-indirect-1ct"
    scope = "processed_elsewhere"              # or "direct" (from Russia itself)
    applies_to = ["natural"]                   # and/or "laboratory_grown"
    forms = ["loose"]                          # optional: "loose" and/or "mounted" (both)
    threshold_ct = "1.00"                      # stones of this weight or more ("0": any)
    effective_from = 2024-03-01
    effective_until = 2025-12-31               # optional: last day the rule applies
    proof = ["kp-certificate"]                 # processed_elsewhere rules: the ways to prove
    source = "Reg. 833/2014 Art. 3p ..."       # what the rule rests on, and any reasoning

    [[rule.exemption]]                         # optional, any number
    kind = "grandfathering"
    evidence = ["grandfathering_proof"]
    outside_russia_before = 2024-03-01
    effective_until = 2026-09-01               # optional: the exemption ends (a licence)
    description = "a grandfathering proof (bill of lading, invoice, ...)"
    source = "EU 14th package ..."

    # direct rules name what puts a stone under them instead of ``proof``:
    # triggers = ["exported_from_russia", "transited_russia", "processed_in_russia"]

Every problem in a file is reported at once, each naming the file, the rule (or proof)
and the key: ``eu.toml: rule 'eu-indirect-1ct': key 'threshold_ct': 'abc' is not a carat
weight``.  Pure Python: the only I/O is reading the files it is handed.
"""
from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from labdesk.core.evidence import KIND_FIELDS, KINDS
from labdesk.errors import ValidationError

NATURAL = "natural"
LABORATORY_GROWN = "laboratory_grown"
DIAMOND_TYPES = (NATURAL, LABORATORY_GROWN)

DIRECT = "direct"                              # stones from Russia itself, any size
PROCESSED_ELSEWHERE = "processed_elsewhere"    # Russian stones cut in a third country
#: A rule that asks for proof (an importer's certification) of every stone it covers but
#: bans nothing itself: the US self-certification of diamond jewellery, at any size.
CERTIFICATION = "certification"
SCOPES = (DIRECT, PROCESSED_ELSEWHERE, CERTIFICATION)
#: Rules that ask for proof of non-Russian origin.
PROOF_SCOPES = (PROCESSED_ELSEWHERE, CERTIFICATION)

EXPORTED_FROM_RUSSIA = "exported_from_russia"
TRANSITED_RUSSIA = "transited_russia"
#: Cut and polished in Russia: of Russian origin (customs origin follows the cutting).  A
#: direct rule with this trigger also holds a stone that the evidence shows was mined in
#: Russia until other evidence shows where it was cut (see assessment.py).
PROCESSED_IN_RUSSIA = "processed_in_russia"
TRIGGERS = (EXPORTED_FROM_RUSSIA, TRANSITED_RUSSIA, PROCESSED_IN_RUSSIA)

LOOSE = "loose"                                # a loose stone
MOUNTED = "mounted"                            # set in jewellery
FORMS = (LOOSE, MOUNTED)

GRANDFATHERING = "grandfathering"
EXEMPTION_KINDS = (GRANDFATHERING,)

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_JURISDICTION = re.compile(r"^[A-Z]{2,3}$")
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.-]*$")

# Keys of each table: True when required.
_RULESET_KEYS = {"jurisdiction": True, "name": True, "version": True, "proof": False,
                 "rule": True}
_PROOF_KEYS = {"requires": True, "with_any_of": False, "description": True,
               "effective_from": False, "effective_until": False, "source": True}
_RULE_KEYS = {"id": True, "scope": True, "applies_to": True, "forms": False,
              "threshold_ct": True, "effective_from": True, "effective_until": False,
              "triggers": False, "proof": False, "exemption": False, "source": True}
_EXEMPTION_KEYS = {"kind": True, "evidence": True, "outside_russia_before": True,
                   "effective_from": False, "effective_until": False,
                   "description": True, "source": True}


@dataclass(frozen=True)
class Proof:
    """One way of proving non-Russian origin: every kind in ``requires``, each counting,
    and (when ``with_any_of`` names kinds) at least one of those too, counting beside
    them: the document that ties the others to this stone."""
    id: str
    requires: tuple[str, ...]
    description: str
    source: str
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    with_any_of: tuple[str, ...] = ()

    def in_force(self, on: dt.date) -> bool:
        """Whether this way of proving is accepted on ``on``."""
        return _within(on, self.effective_from, self.effective_until)


@dataclass(frozen=True)
class Exemption:
    """Grandfathering: a stone shown outside Russia before a date escapes the rule."""
    kind: str
    evidence: tuple[str, ...]
    outside_russia_before: dt.date
    description: str
    source: str
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None    # last day the exemption can be relied on

    def in_force(self, on: dt.date) -> bool:
        """Whether the exemption can be relied on on ``on`` (both ends inclusive)."""
        return _within(on, self.effective_from, self.effective_until)


@dataclass(frozen=True)
class Rule:
    """One rule of a jurisdiction, in force from ``effective_from`` to ``effective_until``.

    ``direct`` rules ban stones the evidence shows came from Russia itself (``triggers``),
    at and above ``threshold_mct``.  ``certification`` rules ask for proof (``proofs``)
    of every stone they cover and ban nothing themselves.  ``processed_elsewhere`` rules cover stones at and
    above ``threshold_mct`` and require proof of non-Russian origin (``proofs``); a stone
    mined in Russia is banned by them.  ``forms``: whether the rule reaches loose stones,
    stones mounted in jewellery, or both.
    """
    id: str
    scope: str
    applies_to: tuple[str, ...]
    threshold_mct: int
    effective_from: dt.date
    source: str
    effective_until: dt.date | None = None
    triggers: tuple[str, ...] = ()
    proofs: tuple[Proof, ...] = ()
    exemptions: tuple[Exemption, ...] = ()
    forms: tuple[str, ...] = FORMS

    def in_force(self, on: dt.date) -> bool:
        """Whether the rule applies on ``on`` (both ends inclusive)."""
        return _within(on, self.effective_from, self.effective_until)

    def covers_types(self, types) -> bool:
        """Whether the rule reaches any of ``types`` (natural, laboratory_grown)."""
        return any(t in self.applies_to for t in types)

    def covers_form(self, mounted: bool) -> bool:
        """Whether the rule reaches a stone that is (or is not) mounted in jewellery."""
        return (MOUNTED if mounted else LOOSE) in self.forms

    def reaches(self, weight_mct: int) -> bool:
        """Whether a stone of ``weight_mct`` is at or above the threshold."""
        return weight_mct >= self.threshold_mct


@dataclass(frozen=True)
class Ruleset:
    """A jurisdiction's rules as one versioned file states them."""
    jurisdiction: str
    name: str
    version: str
    rules: tuple[Rule, ...]
    proofs: tuple[Proof, ...] = ()
    path: Path | None = None

    @property
    def id(self) -> str:
        """The ruleset's identifier: its jurisdiction ("EU")."""
        return self.jurisdiction

    @property
    def label(self) -> str:
        """Identifier and version, as an assessment records it ("EU 2026.1")."""
        return f"{self.id} {self.version}"

    def rules_in_force(self, on: dt.date) -> tuple[Rule, ...]:
        """The rules that apply on ``on``, in file order."""
        return tuple(rule for rule in self.rules if rule.in_force(on))

    def rule(self, rule_id: str) -> Rule:
        """The rule called ``rule_id``; ``ValidationError`` if there is none."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise ValidationError(f"{self.label} has no rule {rule_id!r}", field="rule")


def _within(on: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    return (start is None or start <= on) and (end is None or on <= end)


def default_rulesets_dir() -> Path:
    """The shipped rulesets: ``resources/rulesets`` beside the ``labdesk`` package.

    That is ``Path(labdesk.__file__).resolve().parent.parent / "resources" / "rulesets"``,
    found from this module's own path so that ``core`` never imports the ``labdesk``
    package (whose ``__init__`` imports the facade).  An installed wheel that ships the
    folder as ``labdesk/resources`` is found too.
    """
    package = Path(__file__).resolve().parent.parent          # .../labdesk
    checkout = package.parent / "resources" / "rulesets"
    installed = package / "resources" / "rulesets"
    return installed if not checkout.is_dir() and installed.is_dir() else checkout


def load_rulesets(directory: Path | str | None = None) -> dict[str, Ruleset]:
    """Every ``*.toml`` ruleset in ``directory`` (default: the shipped ones) by jurisdiction.

    A file's name must be its jurisdiction in lower case (``eu.toml`` holds "EU").
    """
    folder = Path(directory) if directory is not None else default_rulesets_dir()
    if not folder.is_dir():
        raise ValidationError(f"{folder}: no such rulesets folder", field="rulesets")
    rulesets: dict[str, Ruleset] = {}
    for path in sorted(folder.glob("*.toml")):
        ruleset = load_ruleset(path)
        expected = path.stem.upper()
        if ruleset.jurisdiction != expected:
            raise ValidationError(
                f"{path.name}: key 'jurisdiction': {ruleset.jurisdiction!r} does not match "
                f"the file name (a file called {path.name} holds {expected!r})",
                field="jurisdiction")
        rulesets[ruleset.jurisdiction] = ruleset
    if not rulesets:
        raise ValidationError(f"{folder}: no ruleset files (*.toml) in this folder",
                              field="rulesets")
    return rulesets


def load_ruleset(path: Path | str) -> Ruleset:
    """Read and check one ruleset file; one ``ValidationError`` lists every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError(f"{path}: no such ruleset file", field="path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{path.name}: cannot be read ({exc})", field="path") from None
    return parse_ruleset(text, path.name, path)


def parse_ruleset(text: str, filename: str, path: Path | None = None) -> Ruleset:
    """Check one ruleset given as text (a file's, or one a lab kept); one
    ``ValidationError`` lists every problem, each naming ``filename``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(filename, text, exc) from None
    reader = _Reader(filename)
    ruleset = reader.ruleset(data, path)
    reader.raise_problems()
    return ruleset


def ruleset_text(ruleset: Ruleset) -> str:
    """The text of the file ``ruleset`` was read from (what a lab keeps of it)."""
    if ruleset.path is None:
        raise ValidationError(f"{ruleset.label}: not read from a file", field="path")
    return ruleset.path.read_text(encoding="utf-8")


def earlier_versions(directory: Path | str | None = None) -> dict[tuple[str, str], Path]:
    """The shipped earlier versions (``history/<jurisdiction>-<version>.toml``) by
    (jurisdiction, version): never applied, kept to name what a new version changed."""
    folder = Path(directory) if directory is not None else default_rulesets_dir()
    found = {}
    for path in sorted((folder / "history").glob("*-*.toml")):
        code, _, version = path.stem.partition("-")
        found[(code.upper(), version)] = path
    return found


def _syntax_error(filename: str, text: str, exc: tomllib.TOMLDecodeError) -> ValidationError:
    """A TOML syntax error, placed (where the text allows) in its rule and key."""
    where, key = _locate(text, exc)
    place = "".join(f"{part}: " for part in (where, f"key '{key}'" if key else "") if part)
    return ValidationError(f"{filename}: {place}not valid TOML: {exc}", field=key or "toml")


def _locate(text: str, exc: tomllib.TOMLDecodeError) -> tuple[str, str | None]:
    """The rule (or proof) and key on the line a TOML error names, when they can be read."""
    match = re.search(r"at line (\d+)", str(exc))
    if not match:
        return "", None
    lines = text.splitlines()
    number = int(match.group(1))
    key_match = re.match(r"\s*([A-Za-z0-9_-]+)\s*=", lines[number - 1]) \
        if 0 < number <= len(lines) else None
    where = ""
    for index in range(min(number, len(lines)) - 1, -1, -1):
        header = lines[index].strip()
        if header == "[[rule]]":
            rule_id = _id_in_block(lines, index)
            where = f"rule '{rule_id}'" if rule_id else "a rule"
            break
        proof = re.match(r"^\[proof\.([A-Za-z0-9_-]+)\]$", header)
        if proof:
            where = f"proof '{proof.group(1)}'"
            break
    return where, key_match.group(1) if key_match else None


def _id_in_block(lines: list[str], start: int) -> str | None:
    """The ``id = "..."`` of the [[rule]] table that starts at line index ``start``."""
    for line in lines[start + 1:]:
        if line.strip().startswith("["):
            return None
        match = re.match(r'\s*id\s*=\s*"([^"]*)"', line)
        if match:
            return match.group(1)
    return None


def _listing(allowed) -> str:
    """The allowed values of a key, for a message."""
    return ", ".join(allowed) if allowed else "none defined"


def _show(value) -> str:
    """A value as a message quotes it: text in quotes, dates as ISO, the rest as written."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)


class _Reader:
    """Turns one parsed TOML file into a ``Ruleset``, collecting every problem.

    Each check returns the clean value, or ``None`` after recording a problem; the
    caller builds objects from whatever came back and ``raise_problems`` refuses the lot
    if anything was wrong, so a half-checked ruleset is never returned.
    """

    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[dict] = []

    # -- reporting ---------------------------------------------------------------------
    def problem(self, where: str, key: str, message: str, value=None) -> None:
        """Record that ``key`` of the table ``where`` is wrong."""
        place = f"{where}: " if where else ""
        self.problems.append({"row": None, "column": key, "value": value,
                              "message": f"{self.filename}: {place}key '{key}': {message}"})

    def raise_problems(self) -> None:
        """One ``ValidationError`` naming every problem, if there was any."""
        if self.problems:
            raise ValidationError("; ".join(p["message"] for p in self.problems),
                                  field=self.problems[0]["column"], problems=self.problems)

    # -- generic checks ----------------------------------------------------------------
    def keys(self, table: dict, spec: dict[str, bool], where: str) -> None:
        """Unknown keys and missing required keys of ``table``."""
        for key in table:
            if key not in spec:
                self.problem(where, key, f"unknown key (expected one of: "
                                         f"{', '.join(spec)})", table[key])
        for key, required in spec.items():
            if required and key not in table:
                self.problem(where, key, "missing")

    def text(self, table: dict, key: str, where: str, pattern: re.Pattern | None = None,
             hint: str = "") -> str | None:
        """A non-empty string (matching ``pattern`` when given)."""
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, str):
            self.problem(where, key, f"{_show(value)} is not text (write it in quotes)",
                         value)
            return None
        clean = " ".join(value.split())
        if not clean:
            self.problem(where, key, "is empty", value)
            return None
        if pattern and not pattern.match(clean):
            self.problem(where, key, f"{_show(value)} is not {hint}", value)
            return None
        return clean

    def date(self, table: dict, key: str, where: str) -> dt.date | None:
        """A TOML date (2024-03-01) or ISO text ("2024-03-01")."""
        if key not in table:
            return None
        value = table[key]
        if isinstance(value, dt.datetime):
            self.problem(where, key, f"{value.isoformat()} has a time of day; write the "
                                     f"date only, as 2024-03-01", value)
            return None
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problem(where, key, f"{_show(value)} is not a date (write it as 2024-03-01)",
                     value)
        return None

    def period(self, table: dict, where: str) -> tuple:
        """``effective_from`` and ``effective_until``, the end not before the start."""
        start = self.date(table, "effective_from", where)
        end = self.date(table, "effective_until", where)
        if start and end and end < start:
            self.problem(where, "effective_until", f"{end.isoformat()} is before "
                                                   f"effective_from {start.isoformat()}", end)
            end = None
        return start, end

    def carat(self, table: dict, key: str, where: str) -> int | None:
        """A weight in carats ("0.50", 1, 0.5; "0" means any size) -> thousandths."""
        if key not in table:
            return None
        value = table[key]
        amount = None
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            try:
                amount = Decimal(str(value).strip())
            except InvalidOperation:
                amount = None
        if amount is None or not amount.is_finite():
            self.problem(where, key, f"{_show(value)} is not a carat weight (write it as "
                                     f"\"0.50\")", value)
            return None
        if amount < 0:
            self.problem(where, key, f"{_show(value)} is negative; write \"0\" for any "
                                     f"size", value)
            return None
        if amount != amount.quantize(Decimal("0.001")):
            self.problem(where, key, f"{_show(value)} has more than three decimals; "
                                     f"weights are kept to 0.001 ct", value)
            return None
        return int(amount * 1000)

    def choices(self, table: dict, key: str, where: str, allowed, what: str,
                required: bool = True) -> tuple[str, ...] | None:
        """A list of distinct values, each one of ``allowed``."""
        if key not in table:
            return () if not required else None
        value = table[key]
        if not isinstance(value, list) or (required and not value):
            self.problem(where, key, f"{_show(value)} is not a list (write [\"...\"] with "
                                     f"one or more of: {_listing(allowed)})", value)
            return None
        bad = [item for item in value if item not in allowed]
        for item in bad:
            self.problem(where, key, f"{_show(item)} is not {what} (one of: "
                                     f"{_listing(allowed)})", item)
        if len(set(map(str, value))) != len(value):
            self.problem(where, key, f"{_show(value)} names a value twice", value)
            return None
        return None if bad else tuple(value)

    def table(self, data: dict, key: str, where: str) -> dict | None:
        """A sub-table (``[proof.x]``)."""
        value = data.get(key)
        if not isinstance(value, dict):
            self.problem(where, key, "must be a table", value)
            return None
        return value

    def array_of_tables(self, data: dict, key: str, where: str, header: str) -> list[dict]:
        """An array of tables (``[[rule]]``)."""
        if key not in data:
            return []
        value = data[key]
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(where, key, f"write each one as a {header} table", value)
            return []
        return value

    # -- the file ----------------------------------------------------------------------
    def ruleset(self, data: dict, path: Path) -> Ruleset:
        """The whole file."""
        self.keys(data, _RULESET_KEYS, "")
        jurisdiction = self.text(data, "jurisdiction", "", _JURISDICTION,
                                 "a jurisdiction code in capitals, such as \"EU\"")
        name = self.text(data, "name", "")
        version = self.text(data, "version", "", _VERSION,
                            "a version such as \"2026.1\"")
        proofs = self.proofs(data)
        rules: list[Rule] = []
        seen: set[str] = set()
        tables = self.array_of_tables(data, "rule", "", "[[rule]]")
        if data.get("rule") == []:
            self.problem("", "rule", "the file has no rules")
        for number, table in enumerate(tables, start=1):
            rule = self.rule(table, number, proofs)
            if rule.id and rule.id in seen:
                self.problem(f"rule '{rule.id}'", "id", f"{rule.id!r} is used by another "
                                                        f"rule; each rule id is unique",
                             rule.id)
            seen.add(rule.id)
            rules.append(rule)
        return Ruleset(jurisdiction=jurisdiction, name=name, version=version,
                       rules=tuple(rules), proofs=tuple(proofs.values()), path=path)

    def proofs(self, data: dict) -> dict[str, Proof]:
        """The ``[proof.<id>]`` tables."""
        if "proof" not in data:
            return {}
        tables = self.table(data, "proof", "")
        out: dict[str, Proof] = {}
        for proof_id, table in (tables or {}).items():
            where = f"proof '{proof_id}'"
            if not _ID.match(proof_id):
                self.problem(where, "id", "a proof id is lower case letters, digits, "
                                          "'.', '-' and '_'", proof_id)
            if not isinstance(table, dict):
                self.problem(where, proof_id, "must be a table", table)
                continue
            self.keys(table, _PROOF_KEYS, where)
            requires = self.choices(table, "requires", where, KINDS, "an evidence kind")
            if requires and "grandfathering_proof" in requires:
                self.problem(where, "requires", "'grandfathering_proof' is an exemption, "
                                                "not proof of origin: list it under "
                                                "[[rule.exemption]]", requires)
            with_any_of = self.choices(table, "with_any_of", where, KINDS,
                                       "an evidence kind", required=False)
            if requires and with_any_of and set(requires) & set(with_any_of):
                self.problem(where, "with_any_of", "names a kind that 'requires' already "
                                                   "needs", with_any_of)
            start, end = self.period(table, where)
            out[proof_id] = Proof(
                id=proof_id, requires=requires or (),
                description=self.text(table, "description", where),
                source=self.text(table, "source", where),
                effective_from=start, effective_until=end, with_any_of=with_any_of or ())
        return out

    def rule(self, table: dict, number: int, proofs: dict[str, Proof]) -> Rule:
        """One ``[[rule]]`` table."""
        raw_id = table.get("id")
        where = (f"rule '{raw_id}'" if isinstance(raw_id, str) and raw_id.strip()
                 else f"rule #{number}")
        self.keys(table, _RULE_KEYS, where)
        rule_id = self.text(table, "id", where, _ID,
                            "a rule id (lower case letters, digits, '.', '-' and '_')")
        scope = self.text(table, "scope", where)
        if scope and scope not in SCOPES:
            self.problem(where, "scope", f"{scope!r} is not a scope (one of: "
                                         f"{', '.join(SCOPES)})", scope)
            scope = None
        applies_to = self.choices(table, "applies_to", where, DIAMOND_TYPES,
                                  "a kind of diamond")
        forms = self.choices(table, "forms", where, FORMS, "a form (loose or mounted)") \
            if "forms" in table else FORMS
        threshold = self.carat(table, "threshold_ct", where)
        start, end = self.period(table, where)
        triggers = self.choices(table, "triggers", where, TRIGGERS, "a trigger",
                                required=False)
        rule_proofs = self.rule_proofs(table, where, proofs)
        self.scope_keys(table, where, scope, triggers, rule_proofs)
        exemptions = tuple(
            self.exemption(ex, f"{where}: exemption #{n}")
            for n, ex in enumerate(self.array_of_tables(table, "exemption", where,
                                                        "[[rule.exemption]]"), start=1))
        return Rule(id=rule_id, scope=scope, applies_to=applies_to or (),
                    threshold_mct=threshold, effective_from=start, effective_until=end,
                    triggers=triggers or (), proofs=rule_proofs, exemptions=exemptions,
                    source=self.text(table, "source", where), forms=forms or FORMS)

    def rule_proofs(self, table: dict, where: str,
                    proofs: dict[str, Proof]) -> tuple[Proof, ...]:
        """The proofs a rule names, each defined under [proof]."""
        names = self.choices(table, "proof", where, proofs,
                             "a proof defined under [proof]", required=False)
        return tuple(proofs[name] for name in names or () if name in proofs)

    def scope_keys(self, table: dict, where: str, scope: str | None, triggers,
                   rule_proofs) -> None:
        """A direct rule names triggers and no proofs; a processed one the reverse."""
        if scope == DIRECT:
            if not table.get("triggers"):
                self.problem(where, "triggers", "a direct rule names what puts a stone "
                                                "under it (one or more of: "
                                                f"{', '.join(TRIGGERS)})")
            if "proof" in table:
                self.problem(where, "proof", "a direct rule bans; it takes no proof "
                                             "(proof belongs to processed_elsewhere rules)")
        elif scope in PROOF_SCOPES:
            if not table.get("proof"):
                self.problem(where, "proof", f"a {scope} rule lists the proofs of "
                                             f"non-Russian origin it accepts")
            if "triggers" in table:
                self.problem(where, "triggers", "only a direct rule has triggers")

    def exemption(self, table: dict, where: str) -> Exemption:
        """One ``[[rule.exemption]]`` table."""
        self.keys(table, _EXEMPTION_KEYS, where)
        kind = self.text(table, "kind", where)
        if kind and kind not in EXEMPTION_KINDS:
            self.problem(where, "kind", f"{kind!r} is not an exemption kind (one of: "
                                        f"{', '.join(EXEMPTION_KINDS)})", kind)
        dated = tuple(k for k, fields in KIND_FIELDS.items()
                      if "outside_russia_since" in fields)
        evidence = self.choices(table, "evidence", where, dated,
                                "an evidence kind that records since when a stone was "
                                "outside Russia")
        start, end = self.period(table, where)
        return Exemption(kind=kind, evidence=evidence or (),
                         outside_russia_before=self.date(table, "outside_russia_before",
                                                         where),
                         description=self.text(table, "description", where),
                         source=self.text(table, "source", where),
                         effective_from=start, effective_until=end)
