"""ISO 3166-1 alpha-2 country codes, from pycountry's copy of the standard."""
from __future__ import annotations

import functools

import pycountry

from labdesk.errors import ValidationError

RUSSIA = "RU"


@functools.cache
def _codes() -> dict[str, str]:
    return {c.alpha_2: getattr(c, "common_name", c.name) for c in pycountry.countries}


def parse_country(value, field: str = "country") -> str | None:
    """' ru ' -> 'RU'.  Blank -> None.  Unknown codes raise ``ValidationError``."""
    if value is None or not str(value).strip():
        return None
    code = str(value).strip().upper()
    if code not in _codes():
        raise ValidationError(f"{field}: {str(value).strip()!r} is not an ISO 3166-1 "
                              f"alpha-2 country code (for example BW, CA, RU)", field=field)
    return code


def parse_countries(value, field: str = "countries") -> list[str]:
    """A list, or text such as 'BW, ZA' -> ['BW', 'ZA'] (order kept, duplicates dropped)."""
    if value is None:
        return []
    items = value.replace(";", ",").split(",") if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        code = parse_country(item, field)
        if code and code not in out:
            out.append(code)
    return out


def country_name(code: str | None) -> str:
    """'BW' -> 'Botswana'; unknown or blank -> the code as given."""
    if not code:
        return ""
    return _codes().get(code, code)
