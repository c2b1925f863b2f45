"""What a change of the rulesets does to findings already made.

A finding records the outcome of each jurisdiction's assessment and the ruleset version it
was made under.  When a lab opens with newer rulesets, every stone whose finding is
proposed or approved, or whose report is issued, is assessed again under the new rules on
the day of its first assessment (so that only the rules change, not the calendar), and
each outcome that moved is listed with the rules that changed.  Pure: no I/O, no clock.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from labdesk.core.assessment import CLEAR, INSUFFICIENT, PROHIBITED
from labdesk.core.rulesets import Rule, Ruleset

#: How bad an outcome is for the lab's client: a move to the right is a move for the worse.
SEVERITY = {CLEAR: 0, INSUFFICIENT: 1, PROHIBITED: 2}


def is_worse(old: str, new: str) -> bool:
    """Whether ``new`` holds the stone more than ``old`` did (clear -> insufficient...)."""
    return SEVERITY.get(new, 2) > SEVERITY.get(old, 2)


@dataclass(frozen=True)
class RuleDiff:
    """One rule of a jurisdiction that differs between two versions of its ruleset."""
    rule_id: str
    what: str                   # "new rule", "removed", "proofs, exemptions"

    @property
    def text(self) -> str:
        return f"{self.rule_id} ({self.what})"


def _rule_parts(rule: Rule) -> dict:
    """The parts of a rule that decide outcomes (its source text does not)."""
    proofs = tuple((p.id, p.requires, p.with_any_of, p.effective_from, p.effective_until)
                   for p in rule.proofs)
    exemptions = tuple((e.kind, e.evidence, e.outside_russia_before, e.effective_from,
                        e.effective_until) for e in rule.exemptions)
    return {"scope": rule.scope, "kinds of diamond": rule.applies_to, "forms": rule.forms,
            "threshold": rule.threshold_mct,
            "dates": (rule.effective_from, rule.effective_until),
            "triggers": rule.triggers, "proofs": proofs, "exemptions": exemptions}


def diff_rulesets(old: Ruleset | None, new: Ruleset) -> list[RuleDiff]:
    """The rules of ``new`` that differ from ``old`` (every rule when ``old`` is unknown),
    and the rules ``old`` had that ``new`` dropped, in file order."""
    if old is None:
        return [RuleDiff(rule.id, f"the text of {new.id} before {new.version} was not kept")
                for rule in new.rules]
    before = {rule.id: rule for rule in old.rules}
    out = []
    for rule in new.rules:
        if rule.id not in before:
            out.append(RuleDiff(rule.id, "new rule"))
            continue
        a, b = _rule_parts(before[rule.id]), _rule_parts(rule)
        changed = [name for name in a if a[name] != b[name]]
        if changed:
            out.append(RuleDiff(rule.id, ", ".join(changed) + " changed"))
    now = {rule.id for rule in new.rules}
    out.extend(RuleDiff(rule.id, "removed") for rule in old.rules if rule.id not in now)
    return out


def bearing_on(diffs: list[RuleDiff], old: Ruleset | None, new: Ruleset, types,
               mounted: bool, weight_mct: int, on: dt.date) -> list[RuleDiff]:
    """The differing rules that reach a stone of this kind, form and weight on ``on``
    under either version; all of them when none does (the change still moved it)."""
    rules = {rule.id: rule for rule in (old.rules if old else ())}
    rules.update({rule.id: rule for rule in new.rules})
    near = [d for d in diffs if d.rule_id in rules and _reaches(rules[d.rule_id], types,
                                                                 mounted, weight_mct, on)]
    if old is not None:
        near += [d for d in diffs if d not in near and d.what == "removed"
                 and _reaches(rules[d.rule_id], types, mounted, weight_mct, on)]
    return near or diffs


def _reaches(rule: Rule, types, mounted: bool, weight_mct: int, on: dt.date) -> bool:
    return (rule.in_force(on) and rule.covers_types(types) and rule.covers_form(mounted)
            and rule.reaches(weight_mct))

