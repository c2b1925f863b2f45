"""Carat weights: parsed from text into integer thousandths of a carat, never floats.

Balances read to 0.001 ct (domain.md section 3); 1 ct = 0.2 g.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from labdesk.errors import ValidationError

MAX_WEIGHT_MCT = 5_000_000  # 5,000 ct: larger than any polished diamond ever cut
MAX_PARCEL_MCT = 100_000_000_000  # 100 million ct: more than a year of world rough output
_NUMBER = re.compile(r"^[+-]?(\d+)(?:[.,](\d*))?$|^[+-]?[.,](\d+)$")


def parse_weight(value, field: str = "weight", maximum: int = MAX_WEIGHT_MCT) -> int:
    """'1.234', '1,16', ' 0.5 ct', Decimal('2.1') -> thousandths of a carat (1234, 1160...).

    Refuses empty, non-numeric, zero, negative, more than three decimals and absurd sizes,
    each with a message naming ``field``.
    """
    if isinstance(value, bool) or value is None:
        raise ValidationError(f"{field}: a weight in carats is required", field=field)
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, Decimal):
        text = format(value, "f")
    else:
        text = str(value).strip()
    text = re.sub(r"\s*(ct|cts|carats?)\.?$", "", text, flags=re.I).strip()
    if not text:
        raise ValidationError(f"{field}: a weight in carats is required", field=field)
    if not _NUMBER.match(text):
        raise ValidationError(f"{field}: {text!r} is not a weight in carats (write it "
                              f"as 1.234)", field=field)
    try:
        amount = Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern already refuses these
        raise ValidationError(f"{field}: {text!r} is not a number", field=field) from None
    if len(text) > 20:
        raise ValidationError(f"{field}: {text[:24]}... is not a weight in carats",
                              field=field)
    if amount <= 0:
        raise ValidationError(f"{field}: {text} ct must be more than zero", field=field)
    if amount != amount.quantize(Decimal("0.001")):
        raise ValidationError(f"{field}: {text} has more than three decimals; balances "
                              f"read to 0.001 ct", field=field)
    mct = int(amount * 1000)
    if mct > maximum:
        what = "a stone can weigh" if maximum == MAX_WEIGHT_MCT else "LabDesk accepts here"
        raise ValidationError(f"{field}: {text} ct is more than the {maximum // 1000:,} ct "
                              f"{what}", field=field)
    return mct


def format_weight(mct: int | None, decimals: int = 3) -> str:
    """1234 -> '1.234' (or '1.23' with ``decimals=2``, rounded half up, as reports print)."""
    if mct is None:
        return ""
    if decimals == 3 and mct >= 0:  # exact: the common case, without Decimal
        return f"{mct // 1000}.{mct % 1000:03d}"
    value = Decimal(mct) / 1000
    return str(value.quantize(Decimal(1).scaleb(-decimals), rounding="ROUND_HALF_UP"))
