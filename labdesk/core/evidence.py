"""Origin evidence: the kinds of document a stone arrives with, and their fields.

Evidence records what a document *says*, even when what it says is wrong (an expiry before
its issue date, a mining country of RU): judging it is the assessment's work, not intake's.
Intake refuses only what cannot be a fact at all: an unknown kind or field, a date that is
no date, a country that is no country, a negative weight.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation

from labdesk.core.countries import parse_countries, parse_country
from labdesk.core.weights import MAX_PARCEL_MCT, format_weight, parse_weight
from labdesk.errors import ValidationError

KINDS = {
    "kp_certificate": "Kimberley Process certificate",
    "g7_certificate": "G7 certificate",
    "sow_invoice": "Invoice with System of Warranties statement",
    "non_russian_declaration": "Non-Russian origin declaration",
    "provenance_record": "Provenance record",
    "grandfathering_proof": "Grandfathering proof",
    "lab_analysis": "Laboratory analysis",
    "due_diligence_statement": "Due-diligence statement on diamond origin",
    "other": "Other document",
}

_COMMON = ("reference", "issuer", "issuing_country", "issued_on", "notes")
#: The fields each kind uses (domain.md sections 1 and 2).
KIND_FIELDS = {
    "kp_certificate": _COMMON + ("expires_on", "origin_countries", "origin_type",
                                 "transit_countries", "weight", "value_usd", "parcels",
                                 "hs_code", "exporter", "importer"),
    "g7_certificate": _COMMON + ("expires_on", "origin_countries", "origin_type",
                                 "transit_countries", "processing_countries", "weight",
                                 "value_usd", "parcels", "hs_code", "exporter", "importer"),
    "sow_invoice": _COMMON + ("seller", "buyer", "sow_statement", "weight", "value_usd",
                              "origin_countries", "processing_countries", "hs_code"),
    "non_russian_declaration": _COMMON + ("seller", "buyer", "origin_countries",
                                          "processing_countries", "weight"),
    "provenance_record": _COMMON + ("platform", "origin_countries", "transit_countries",
                                    "processing_countries", "weight"),
    "grandfathering_proof": _COMMON + ("outside_russia_since", "origin_countries",
                                       "weight", "seller", "buyer"),
    "lab_analysis": _COMMON + ("origin_countries", "processing_countries", "weight"),
    # The importer's statement that the EU asks for with polished stones from 2026-01-01
    # while the G7 traceability mechanism is not yet mandatory (eu.toml).
    "due_diligence_statement": _COMMON + ("importer", "origin_countries",
                                          "processing_countries", "weight"),
    "other": _COMMON + ("expires_on", "origin_countries", "origin_type",
                        "transit_countries", "processing_countries", "weight", "value_usd",
                        "parcels", "hs_code", "exporter", "importer", "seller", "buyer",
                        "sow_statement", "platform", "outside_russia_since"),
}
ALL_FIELDS = ("reference", "issuer", "issuing_country", "issued_on", "expires_on",
              "origin_countries", "origin_type", "transit_countries",
              "processing_countries", "weight", "value_usd",
              "parcels", "hs_code", "exporter", "importer", "seller", "buyer",
              "sow_statement", "platform", "outside_russia_since", "notes")
REQUIRED = {"kp_certificate": ("reference",), "g7_certificate": ("reference",),
            "sow_invoice": ("reference",)}
FIELD_LABELS = {
    "reference": "Reference / certificate number", "issuer": "Issuer",
    "issuing_country": "Issuing country", "issued_on": "Issued on",
    "expires_on": "Expires on", "origin_countries": "Countries of origin",
    "origin_type": "Origin (single or mixed)", "transit_countries": "Transit countries",
    "processing_countries": "Cut and polished in",
    "weight": "Carats covered", "value_usd": "Value (USD)", "parcels": "Parcels",
    "hs_code": "HS code", "exporter": "Exporter", "importer": "Importer",
    "seller": "Seller", "buyer": "Buyer", "sow_statement": "System of Warranties statement",
    "platform": "Platform", "outside_russia_since": "Outside Russia since",
    "notes": "Notes",
}


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)


def parse_kind(kind) -> str:
    key = str(kind or "").strip().lower().replace(" ", "_").replace("-", "_")
    if key not in KINDS:
        raise ValidationError(f"kind: {kind!r} is not an evidence kind (one of: "
                              f"{', '.join(KINDS)})", field="kind")
    return key


def parse_date(value, field: str) -> str | None:
    """date, datetime or ISO text -> 'YYYY-MM-DD'; blank -> None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ValidationError(f"{field}: {value!r} is not a date (write YYYY-MM-DD)",
                              field=field) from None


def _money_cents(value, field):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").replace("$", "").strip())
    except InvalidOperation:
        raise ValidationError(f"{field}: {value!r} is not an amount of money",
                              field=field) from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(f"{field}: {value} must be zero or more, in dollars and "
                              f"cents", field=field)
    return int(amount * 100)


def _count(value, field):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError(f"{field}: {value!r} is not a whole number",
                              field=field) from None
    if number < 0:
        raise ValidationError(f"{field}: {number} is negative", field=field)
    return number


def _bool(value, field):
    if value is None or isinstance(value, bool):
        return None if value is None else int(value)
    key = str(value).strip().lower()
    if key in ("yes", "y", "true", "1"):
        return 1
    if key in ("no", "n", "false", "0"):
        return 0
    if not key:
        return None
    raise ValidationError(f"{field}: {value!r} is neither yes nor no", field=field)


def _origin_type(value, field):
    if value is None or not str(value).strip():
        return None
    key = str(value).strip().lower()
    if key not in ("single", "mixed"):
        raise ValidationError(f"{field}: {value!r} is neither single nor mixed",
                              field=field)
    return key


def _text(value, field):
    if value is None:
        return None
    text = " ".join(str(value).split())
    limit = 4000 if field == "notes" else 200
    if len(text) > limit:
        raise ValidationError(f"{field}: {len(text)} characters, at most {limit}",
                              field=field)
    return text or None


def _hs_code(value, field):
    text = _text(value, field)
    if text and not all(c.isdigit() or c in ". " for c in text):
        raise ValidationError(f"{field}: {text!r} is not an HS code (such as 7102.10)",
                              field=field)
    return text


def _weight(value, field):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_weight(value, field, maximum=MAX_PARCEL_MCT)


def _countries_json(value, field):
    codes = parse_countries(value, field)
    return json.dumps(codes) if codes else None


_PARSERS = {
    "issuing_country": parse_country, "issued_on": parse_date, "expires_on": parse_date,
    "outside_russia_since": parse_date, "origin_countries": _countries_json,
    "transit_countries": _countries_json, "processing_countries": _countries_json,
    "origin_type": _origin_type, "weight": _weight,
    "value_usd": _money_cents, "parcels": _count, "sow_statement": _bool,
    "hs_code": _hs_code,
}
#: Fields that hold a list of countries (stored as JSON text).
COUNTRY_LISTS = ("origin_countries", "transit_countries", "processing_countries")
_COLUMNS = {"weight": "weight_mct", "value_usd": "value_cents"}


def column_for(field: str) -> str:
    return _COLUMNS.get(field, field)


def parse_evidence_fields(kind: str, fields: dict, partial: bool = False) -> dict:
    """Check ``fields`` for evidence of ``kind``; returns ``{column: stored value}``.

    One ``ValidationError`` lists every problem.  A field that the kind does not use is
    refused, so a technician never types into a box nobody will read.
    """
    allowed = KIND_FIELDS[kind]
    out, problems = {}, []
    for name, value in fields.items():
        if name not in allowed:
            why = ("not an evidence field" if name not in ALL_FIELDS
                   else f"not a field of a {kind_label(kind)}")
            problems.append({"row": None, "column": name, "value": value,
                             "message": f"{name}: {why}"})
            continue
        try:
            out[column_for(name)] = (_PARSERS.get(name) or _text)(value, name)
        except ValidationError as exc:
            problems.append({"row": None, "column": name, "value": value,
                             "message": str(exc)})
    if not partial:
        for name in REQUIRED.get(kind, ()):
            if not out.get(column_for(name)):
                problems.append({"row": None, "column": name, "value": None,
                                 "message": f"{name}: a {kind_label(kind)} needs its "
                                            f"{FIELD_LABELS[name].lower()}"})
    origin_type = out.get("origin_type")
    countries = json.loads(out.get("origin_countries") or "[]")
    if origin_type == "single" and len(countries) > 1:
        problems.append({"row": None, "column": "origin_countries", "value": countries,
                         "message": "origin_countries: a single-origin document names one "
                                    f"country, not {len(countries)}"})
    if problems:
        raise ValidationError("; ".join(p["message"] for p in problems),
                              field=problems[0]["column"], problems=problems)
    return out


def evidence_values(row: dict) -> dict:
    """A stored evidence row back in the facade's terms (lists, text weights, dollars)."""
    out = {}
    for name in ALL_FIELDS:
        value = row.get(column_for(name))
        if name in COUNTRY_LISTS:
            value = json.loads(value) if value else []
        elif name == "weight" and value is not None:
            value = format_weight(value)
        elif name == "value_usd" and value is not None:
            value = f"{Decimal(value) / 100:.2f}"
        elif name == "sow_statement" and value is not None:
            value = bool(value)
        out[name] = value
    return out
