"""Grading scales (domain.md section 3) and the parsing of grades as people write them.

Every parser takes text as a technician types it or as a dealer's spreadsheet holds it
(any case, space-padded, abbreviated) and returns the canonical value stored in the
database, or raises ``ValidationError`` naming the field.  ``label`` turns a stored value
back into the words the UI and the reports show.
"""
from __future__ import annotations

import functools
import re

from labdesk.errors import ValidationError

COLOURS = tuple("DEFGHIJKLMNOPQRSTUVWXYZ")
COLOUR_GROUPS = (("DEF", "colourless"), ("GHIJ", "near colourless"), ("KLM", "faint"),
                 ("NOPQR", "very light"), ("STUVWXYZ", "light"))
CLARITIES = ("FL", "IF", "VVS1", "VVS2", "VS1", "VS2", "SI1", "SI2", "I1", "I2", "I3")
FINISH_GRADES = ("ideal", "excellent", "very_good", "good", "fair", "poor")
FLUORESCENCE = ("none", "faint", "medium", "strong", "very_strong")
SHAPES = ("round", "oval", "pear", "marquise", "heart", "emerald", "princess", "cushion",
          "radiant", "asscher", "other")
IDENTIFICATIONS = ("natural", "laboratory_grown", "simulant", "refer")
GROWTH_METHODS = ("CVD", "HPHT")
ORIGINS = ("non_russian", "russian", "undetermined")

# Dealer spellings (domain.md section 7).  Keys are upper case with spaces removed.
_SHAPE_WORDS = {
    "BR": "round", "RB": "round", "RD": "round", "RBC": "round", "ROUNDBRILLIANT": "round",
    "PS": "pear", "PE": "pear", "EM": "emerald", "EC": "emerald", "OV": "oval",
    "MQ": "marquise", "MAR": "marquise", "HS": "heart", "HT": "heart", "HE": "heart",
    "PR": "princess", "PRIN": "princess", "CU": "cushion", "CUS": "cushion",
    "CB": "cushion", "CUSHIONBRILLIANT": "cushion", "CUSHIONMODIFIED": "cushion",
    "RAD": "radiant", "RA": "radiant", "AS": "asscher", "SQEM": "asscher",
}
_FINISH_WORDS = {
    "ID": "ideal", "IDEAL": "ideal", "EX": "excellent", "EXC": "excellent",
    "EXCELLENT": "excellent", "VG": "very_good", "VERYGOOD": "very_good",
    "GD": "good", "G": "good", "GOOD": "good", "FR": "fair", "F": "fair", "FAIR": "fair",
    "PR": "poor", "P": "poor", "POOR": "poor",
}
_FLUORESCENCE_WORDS = {
    "NON": "none", "NIL": "none", "N": "none", "NONE": "none", "NO": "none",
    "FNT": "faint", "F": "faint", "FA": "faint", "FAINT": "faint", "SLT": "faint",
    "MED": "medium", "M": "medium", "MEDIUM": "medium", "MD": "medium",
    "STG": "strong", "S": "strong", "ST": "strong", "STRONG": "strong", "STR": "strong",
    "VST": "very_strong", "VS": "very_strong", "VSTG": "very_strong",
    "VERYSTRONG": "very_strong", "VSTRONG": "very_strong",
}
_IDENTIFICATION_WORDS = {
    "NATURAL": "natural", "N": "natural", "LABORATORYGROWN": "laboratory_grown",
    "LABGROWN": "laboratory_grown", "LG": "laboratory_grown", "SYNTHETIC": "laboratory_grown",
    "LGD": "laboratory_grown", "SIMULANT": "simulant", "REFER": "refer",
    "REFERFORFURTHERTESTING": "refer",
}
_ORIGIN_WORDS = {"NONRUSSIAN": "non_russian", "NR": "non_russian", "RUSSIAN": "russian",
                 "RU": "russian", "UNDETERMINED": "undetermined", "UD": "undetermined"}

_LABELS = {
    "very_good": "Very Good", "very_strong": "Very Strong", "laboratory_grown":
    "Laboratory-grown", "non_russian": "Not of Russian origin", "russian": "Russian origin",
    "undetermined": "Origin undetermined", "refer": "Refer for further testing",
}


@functools.lru_cache(maxsize=4096)
def _key(text: object) -> str:
    """Upper case, every space, hyphen and underscore removed: how dealer codes compare.
    Cached: a packing list repeats the same few codes thousands of times."""
    return _SEPARATORS.sub("", str(text)).upper()


_SEPARATORS = re.compile(r"[\s_\-]+")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(allowed: tuple, words: dict) -> dict:
    """Every accepted spelling (by ``_key``) -> canonical value; the words a message
    lists ('Not of Russian origin', ``label``) are accepted too."""
    return {**{_key(_LABELS[c]): c for c in allowed if c in _LABELS}, **words,
            **{_key(canonical): canonical for canonical in allowed}}


def _lookup(value, field, allowed, table, what):
    if _blank(value):
        return None
    found = table.get(_key(value))
    if found is not None:
        return found
    raise ValidationError(
        f"{field}: {str(value).strip()!r} is not a known {what} "
        f"(expected one of: {', '.join(label(a) for a in allowed)})", field=field)


_TABLES = {name: _table(allowed, words) for name, allowed, words in (
    ("SHAPES", SHAPES, _SHAPE_WORDS), ("FINISH_GRADES", FINISH_GRADES, _FINISH_WORDS),
    ("FLUORESCENCE", FLUORESCENCE, _FLUORESCENCE_WORDS), ("CLARITIES", CLARITIES, {}),
    ("IDENTIFICATIONS", IDENTIFICATIONS, _IDENTIFICATION_WORDS),
    ("GROWTH_METHODS", GROWTH_METHODS, {}), ("ORIGINS", ORIGINS, _ORIGIN_WORDS))}


def parse_shape(value, field="shape"):
    """'BR', ' round ', 'PS' -> 'round', 'round', 'pear'."""
    return _lookup(value, field, SHAPES, _TABLES['SHAPES'], "shape")


def parse_finish(value, field="cut"):
    """Cut, polish or symmetry: 'EX', 'vg', 'Very Good' -> 'excellent', 'very_good'."""
    return _lookup(value, field, FINISH_GRADES, _TABLES['FINISH_GRADES'], "grade")


def parse_fluorescence(value, field="fluorescence"):
    """'NON', 'Nil', 'STG', 'Very Strong' -> 'none', 'none', 'strong', 'very_strong'."""
    return _lookup(value, field, FLUORESCENCE, _TABLES['FLUORESCENCE'], "fluorescence")


def parse_clarity(value, field="clarity"):
    """'vs1', ' SI2 ' -> 'VS1', 'SI2'."""
    return _lookup(value, field, CLARITIES, _TABLES['CLARITIES'], "clarity grade")


def parse_identification(value, field="identification"):
    """'natural', 'LG', 'laboratory-grown' -> 'natural', 'laboratory_grown'."""
    return _lookup(value, field, IDENTIFICATIONS, _TABLES['IDENTIFICATIONS'],
                   "identification")


def parse_growth_method(value, field="growth_method"):
    """'cvd', 'HPHT' -> 'CVD', 'HPHT'."""
    return _lookup(value, field, GROWTH_METHODS, _TABLES['GROWTH_METHODS'], "growth method")


def parse_origin(value, field="origin"):
    """'non_russian', 'NR', 'Russian', 'undetermined' -> canonical origin."""
    return _lookup(value, field, ORIGINS, _TABLES['ORIGINS'], "origin")


_FANCY = re.compile(r"^fancy\b.*|^(faint|very light|light)\s+\w+.*", re.I)


def parse_colour(value, field="colour"):
    """A D-Z grade, a range of two ('O-P'), or a fancy colour in words ('Fancy Intense Yellow').

    Returns the grade in upper case, the range as 'O-P', or the words as written.
    """
    if _blank(value):
        return None
    text = " ".join(str(value).split())
    up = text.upper()
    if up in COLOURS:
        return up
    m = re.fullmatch(r"([D-Z])\s*[-/]\s*([D-Z])", up)
    if m and COLOURS.index(m.group(1)) < COLOURS.index(m.group(2)):
        return f"{m.group(1)}-{m.group(2)}"
    if _FANCY.match(text) and len(text) <= 60:
        return text
    raise ValidationError(
        f"{field}: {text!r} is not a colour grade (D to Z, a range such as O-P, or a "
        f"fancy colour in words such as 'Fancy Intense Yellow')", field=field)


def colour_group(colour: str | None) -> str | None:
    """'E' -> 'colourless'; ranges and fancy colours have no D-Z group."""
    if colour and len(colour) == 1:
        for letters, name in COLOUR_GROUPS:
            if colour in letters:
                return name
    return None


def label(value: str | None) -> str:
    """The words the UI and reports show for a stored value ('very_good' -> 'Very Good')."""
    if value is None:
        return ""
    if value in _LABELS:
        return _LABELS[value]
    if value.isupper() or not value.islower():
        return value
    return value.replace("_", " ").capitalize()
