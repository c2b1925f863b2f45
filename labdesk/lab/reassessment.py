"""Re-assessing the findings already made when the rulesets change (used by ``Lab``).

Which stones: every stone whose finding stands (proposed, approved or reported).  Under
which rules: the ruleset now shipped, on the day the finding's own assessment was made, so
that only the rules change.  Against what: the outcome the finding recorded, or the one the
last re-assessment left.  What comes out: one row for ``rule_changes`` per stone and
jurisdiction whose outcome moved, naming the rules that changed.  No Qt; the SQL is in
``store.queries``; the rules are ``core``'s.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from pathlib import Path

from labdesk.core.assessment import assess_outcome, diamond_types, prepare
from labdesk.core.facts import StoneFacts
from labdesk.core.rule_changes import bearing_on, diff_rulesets, is_worse
from labdesk.core.rulesets import Ruleset, earlier_versions, parse_ruleset, ruleset_text
from labdesk.errors import IntegrityError
from labdesk.store import queries


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _text_sha(ruleset: Ruleset) -> str:
    """The SHA-256 of the file ``ruleset`` was read from, read again only when the file
    changed (its size or modification time)."""
    info = ruleset.path.stat()
    return _sha_of(str(ruleset.path), info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=64)
def _sha_of(path: str, _mtime_ns: int, _size: int) -> str:
    return sha256_text(Path(path).read_text(encoding="utf-8"))


def unreviewed(db, rulesets: dict[str, Ruleset]) -> dict[str, Ruleset]:
    """The rulesets in use whose version the lab has not yet re-assessed its findings
    under; ``IntegrityError`` when a version the lab knows was edited without a new
    version number (every change to a ruleset bumps its version)."""
    out = {}
    for code, ruleset in sorted(rulesets.items()):
        kept = queries.kept_ruleset(db, code, ruleset.version)
        if kept is None:
            out[code] = ruleset
        elif kept["sha256"] != _text_sha(ruleset):
            raise IntegrityError(
                f"the {code} ruleset ({ruleset.path.name}) was changed without a new "
                f"version: version {ruleset.version} was first used with other rules. "
                f"Give the edited file a new version number.")
    return out


def ruleset_rows(rulesets: dict[str, Ruleset], now: str) -> list[dict]:
    """Rows that keep the text of each ruleset version, for the ``rulesets`` table."""
    rows = []
    for code, ruleset in sorted(rulesets.items()):
        text = ruleset_text(ruleset)
        rows.append({"jurisdiction": code, "version": ruleset.version,
                     "sha256": sha256_text(text), "text": text, "first_used_at": now})
    return rows


class _Earlier:
    """Earlier ruleset versions, from the lab's own records or the shipped history."""

    def __init__(self, db):
        self._db, self._cache = db, {}
        self._shipped = earlier_versions()

    def get(self, code: str, version: str) -> Ruleset | None:
        key = (code, version)
        if key not in self._cache:
            kept = queries.kept_ruleset(self._db, code, version)
            ruleset = None
            if kept is not None:
                ruleset = parse_ruleset(kept["text"], f"{code.lower()}.toml")
            elif key in self._shipped:
                path = self._shipped[key]
                ruleset = parse_ruleset(path.read_text(encoding="utf-8"), path.name)
            self._cache[key] = ruleset
        return self._cache[key]


def find_changes(db, rulesets: dict[str, Ruleset], facts_of, progress=None
                 ) -> tuple[int, list[dict]]:
    """Assess every standing finding again under ``rulesets``; returns how many stones
    were assessed and the ``rule_changes`` rows (without ids, times or status) of those
    whose outcome moved.  ``facts_of(candidate, evidence, totals)`` makes a stone's facts."""
    candidates = queries.reassessment_candidates(db)
    if not candidates:
        return 0, []
    evidence = queries.evidence_for_many(db, [c["id"] for c in candidates],
                                         [c["submission_id"] for c in candidates])
    by_stone: dict[int, list[dict]] = {}
    by_submission: dict[int, list[dict]] = {}
    for row in evidence:
        if row["stone_id"] is not None:
            by_stone.setdefault(row["stone_id"], []).append(row)
        else:
            by_submission.setdefault(row["submission_id"], []).append(row)
    totals = queries.submission_totals_many(db, [c["submission_id"] for c in candidates])
    latest = queries.latest_rule_outcomes(db)
    earlier = _Earlier(db)
    diffs: dict[tuple[str, str], list] = {}
    rows, assessed = [], 0
    for index, candidate in enumerate(candidates, start=1):
        recorded = json.loads(candidate["assessments"] or "{}")
        facts: StoneFacts | None = None
        prepared = None
        for code, ruleset in sorted(rulesets.items()):
            before = recorded.get(code)
            if not before:
                continue
            old_label, old_outcome = latest.get((candidate["finding_id"], code),
                                                (before["ruleset"], before["outcome"]))
            if old_label == ruleset.label:
                continue
            if facts is None:
                own = sorted(by_stone.get(candidate["id"], []) +
                             by_submission.get(candidate["submission_id"], []),
                             key=lambda row: row["id"])
                facts = facts_of(candidate, own, totals[candidate["submission_id"]])
                assessed += 1
            on = dt.date.fromisoformat(before["on"])
            if prepared is None or prepared.on != on:
                prepared = prepare(facts, on, summarise=False)
            new_outcome = assess_outcome(facts, ruleset, on, prepared)
            if new_outcome == old_outcome:
                continue
            old_version = old_label.split(" ", 1)[-1]
            old = earlier.get(code, old_version)
            key = (code, old_version)
            if key not in diffs:
                diffs[key] = diff_rulesets(old, ruleset)
            near = bearing_on(diffs[key], old, ruleset, diamond_types(facts.identification),
                              facts.mounted, facts.weight_mct, on)
            rows.append({
                "stone_id": candidate["id"], "finding_id": candidate["finding_id"],
                "report_id": candidate["report_id"], "jurisdiction": code,
                "assessed_on": on.isoformat(), "old_ruleset": old_label,
                "new_ruleset": ruleset.label, "old_outcome": old_outcome,
                "new_outcome": new_outcome, "worse": int(is_worse(old_outcome, new_outcome)),
                "rules": json.dumps([d.text for d in near])})
        if progress and index % 1000 == 0:
            progress(index, len(candidates))
    if progress:
        progress(len(candidates), len(candidates))
    return assessed, rows
