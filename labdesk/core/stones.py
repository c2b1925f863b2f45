"""A stone's grading facts as a technician enters them, checked and made canonical."""
from __future__ import annotations

import re
import unicodedata

from labdesk.core import grading
from labdesk.core.weights import parse_weight
from labdesk.errors import ValidationError

#: The fields ``Lab.receive`` and ``Lab.update_stone`` take, in the order the UI shows them.
STONE_FIELDS = ("client_ref", "weight", "shape", "colour", "clarity", "cut", "polish",
                "symmetry", "fluorescence", "measurements", "inscription", "identification",
                "growth_method", "mounted", "earlier_lab", "earlier_report",
                "declared_origin", "notes")
#: Facts a dealer's list states about a stone that the lab did not establish: the grading
#: report it came with (which lab, which certificate number) and the origin the dealer
#: declares.  Kept and shown as the dealer's word; the origin rules never read them.
DECLARED_FIELDS = ("earlier_lab", "earlier_report", "declared_origin")
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_TEXT_LIMITS = {"client_ref": 60, "inscription": 60, "notes": 2000, "earlier_lab": 60,
                "earlier_report": 60, "declared_origin": 200}

_NUM = r"(\d{1,3}(?:[.,]\d{1,3})?)"
_SEP = r"\s*[x×X*]\s*"
_ROUND = re.compile(rf"^{_NUM}\s*[-–]\s*{_NUM}{_SEP}{_NUM}(?:\s*mm)?$")
_FANCY = re.compile(rf"^{_NUM}{_SEP}{_NUM}{_SEP}{_NUM}(?:\s*mm)?$")


def _mm(text: str) -> str:
    return f"{float(text.replace(',', '.')):.2f}"


def parse_measurements(value, field: str = "measurements") -> str | None:
    """'6.45-6.50x3.98' -> '6.45 - 6.50 x 3.98'; '4.30* 5.24* 2.32' -> '4.30 x 5.24 x 2.32'.

    Round stones: "min - max x depth"; fancy shapes: "L x W x D", all in millimetres.
    """
    if value is None or not str(value).strip():
        return None
    text = " ".join(str(value).split())
    m = _ROUND.match(text)
    if m:
        lo, hi, depth = (_mm(g) for g in m.groups())
        if float(lo) > float(hi):
            raise ValidationError(f"{field}: minimum {lo} is larger than maximum {hi}",
                                  field=field)
        return f"{lo} - {hi} x {depth}"
    m = _FANCY.match(text)
    if m:
        return " x ".join(_mm(g) for g in m.groups())
    raise ValidationError(f"{field}: {text!r} is not a measurement (write 'min - max x "
                          f"depth' for a round, 'L x W x D' otherwise, in mm)", field=field)


def _text(value, field):
    if value is None:
        return None
    text = " ".join(str(value).split())
    if not text:
        return None
    limit = _TEXT_LIMITS.get(field, 200)
    if len(text) > limit:
        raise ValidationError(f"{field}: {len(text)} characters, at most {limit}",
                              field=field)
    if any(unicodedata.category(c) == "Cc" or c in _BIDI for c in text):
        raise ValidationError(f"{field}: control characters are not allowed", field=field)
    return text


_MOUNTED_WORDS = {"yes": 1, "y": 1, "true": 1, "1": 1, "mounted": 1, "set": 1,
                  "jewellery": 1, "jewelry": 1, "no": 0, "n": 0, "false": 0, "0": 0,
                  "loose": 0}


def parse_mounted(value, field: str = "mounted") -> int | None:
    """Whether the stone is set in jewellery: yes/mounted -> 1, no/loose -> 0, blank ->
    None (not stated; the rules read it as loose, the stricter reading)."""
    if value is None or isinstance(value, bool):
        return None if value is None else int(value)
    key = str(value).strip().lower()
    if not key:
        return None
    if key not in _MOUNTED_WORDS:
        raise ValidationError(f"{field}: {value!r} is neither yes (mounted in jewellery) "
                              f"nor no (loose)", field=field)
    return _MOUNTED_WORDS[key]


_PARSERS = {
    "weight": lambda v, f: parse_weight(v, f),
    "mounted": parse_mounted,
    "shape": grading.parse_shape,
    "colour": grading.parse_colour,
    "clarity": grading.parse_clarity,
    "cut": grading.parse_finish,
    "polish": grading.parse_finish,
    "symmetry": grading.parse_finish,
    "fluorescence": grading.parse_fluorescence,
    "measurements": parse_measurements,
    "identification": grading.parse_identification,
    "growth_method": grading.parse_growth_method,
}
_ALIASES = {"color": "colour", "weight_mct": "weight", "sym": "symmetry"}


def column_for(field: str) -> str:
    """The database column holding ``field`` (the weight is stored in thousandths)."""
    return "weight_mct" if field == "weight" else field


#: Value types whose parse may be remembered (immutable, and told apart by type: a
#: weight of ``True`` is refused although ``True == 1``).
_MEMO_TYPES = (str, int, float, type(None))
_UNKNOWN = object()


def parse_stone_fields(fields: dict, partial: bool = False,
                       memo: dict | None = None) -> dict:
    """Check every field and return ``{column: canonical value}``.

    With ``partial`` (an update) only the given fields are returned and the weight may be
    absent; otherwise the weight is required.  Unknown field names are refused.
    Raises one ``ValidationError`` listing every problem (``.problems``).

    ``memo``, a dict kept across the rows of one packing list, remembers each accepted
    value: a list repeats the same few grades (and often weights) thousands of times.
    """
    out: dict = {}
    problems: list[dict] = []
    for raw_name, value in fields.items():
        name = _ALIASES.get(raw_name, raw_name)
        key = (name, type(value), value) if (
            memo is not None and type(value) in _MEMO_TYPES) else None
        if key is not None:
            known = memo.get(key, _UNKNOWN)
            if known is not _UNKNOWN:
                out[column_for(name)] = known
                continue
        if name not in STONE_FIELDS:
            problems.append({"row": None, "column": raw_name, "value": value,
                             "message": f"{raw_name}: not a stone field (known: "
                                        f"{', '.join(STONE_FIELDS)})"})
            continue
        parser = _PARSERS.get(name) or _text
        try:
            out[column_for(name)] = parsed = parser(value, name)
            if key is not None:
                memo[key] = parsed
        except ValidationError as exc:
            problems.append({"row": None, "column": name, "value": value,
                             "message": str(exc)})
    if not partial and "weight_mct" not in out and not any(
            p["column"] == "weight" for p in problems):
        problems.append({"row": None, "column": "weight", "value": None,
                         "message": "weight: a weight in carats is required"})
    if problems:
        raise ValidationError("; ".join(p["message"] for p in problems),
                              field=problems[0]["column"], problems=problems)
    check_consistency(out)
    return out


def check_consistency(values: dict) -> None:
    """Facts that contradict each other: a growth method on a natural stone, a cut grade
    on a fancy shape... (only those a lab would never write)."""
    ident, growth = values.get("identification"), values.get("growth_method")
    if growth and ident in ("natural", "simulant"):
        raise ValidationError(f"growth_method: a {grading.label(ident).lower()} stone has "
                              f"no growth method ({growth})", field="growth_method")


def stone_number(stone_id: int) -> str:
    """The number printed on a stone's envelope: D and seven digits."""
    return f"D{stone_id:07d}"


#: What a report is issued for (design.md: the claim's ``id`` is N or LG).
REPORTABLE_IDENTIFICATIONS = ("natural", "laboratory_grown")


def missing_for_report(identification: str | None) -> list[str]:
    """The facts a stone lacks that its report must print, in words (empty when none):
    a report is issued for a natural or laboratory-grown diamond, so its identification
    must say which."""
    if identification in REPORTABLE_IDENTIFICATIONS:
        return []
    if identification in (None, ""):
        return ["its identification (natural or laboratory-grown) is not recorded"]
    word = grading.label(identification).lower()
    return [f"it is identified as {word}: a report is issued for a natural or "
            f"laboratory-grown diamond"]


def unreportable_warning(identifications) -> str:
    """A sentence for an intake whose stones include some that no report could be issued
    for as they stand (no natural or laboratory-grown identification); '' when none."""
    count = sum(1 for ident in identifications if missing_for_report(ident))
    if not count:
        return ""
    stones = "1 stone has" if count == 1 else f"{count:,} stones have"
    return (f"{stones} no natural or laboratory-grown identification: no finding can be "
            f"proposed for {'it' if count == 1 else 'them'} until it is recorded.")


def held_refs_message(client: str, earlier: list[dict], listed: int) -> str:
    """The sentence refusing a list whose client references the lab already holds for
    ``client`` (``earlier``: dicts with ``client_ref``, ``stone``, ``submission``,
    ``received_at``), naming the earlier submissions; ``listed``: how many references
    the new list holds."""
    by_submission: dict[str, list[dict]] = {}
    for item in earlier:
        by_submission.setdefault(item["submission"], []).append(item)
    refs = {str(item["client_ref"]).casefold() for item in earlier}
    parts = []
    for number, items in list(by_submission.items())[:3]:
        shown = ", ".join(repr(i["client_ref"]) for i in items[:3])
        more = f" and {len(items) - 3:,} more" if len(items) > 3 else ""
        parts.append(f"{number} (received {str(items[0]['received_at'])[:10]}) holds "
                     f"{shown}{more}")
    if len(by_submission) > 3:
        parts.append(f"{len(by_submission) - 3:,} more submissions hold others")
    count = f"{len(refs):,} of its {listed:,} stock numbers" if listed > 1 else \
        "its stock number"
    return (f"{client} sent {count} before: " + "; ".join(parts) + ". This looks like "
            "the same packing list again; receive it anyway only if these are other "
            "stones (allow duplicates), or void the earlier submission if it was "
            "received by mistake")
