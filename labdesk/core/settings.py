"""The lab's settings: what an admin may set, their defaults and their checks."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from labdesk.errors import ValidationError

DEFAULT_SETTINGS = {
    "lab_name": "LabDesk laboratory",
    "address": "",
    "accreditation": "",
    "logo": None,                 # SHA-256 of an image in the document store
    "report_prefix": "LD",
    "verify_url": "",
    "paper_size": "A4",
    "max_attachment_mb": 100,
    "backup_on_exit": False,
    "report_issuers": "supervisors",   # who issues reports: supervisors (and admins)
    "label_size": None,           # intake labels; None: a sheet of the lab's paper size
}
PAPER_SIZES = ("A4", "Letter")
#: The intake labels' stock (labdesk.reports.labels lays each out), in words: sheets for an
#: office printer, rolls for a label printer (one label a page).
LABEL_SIZES = {
    "A4": "A4 sheet, 24 labels of 70 x 37 mm",
    "Letter": "Letter sheet, 30 labels of 2.625 x 1 in",
    "62x29mm": "Roll, 62 x 29 mm (Brother DK)",
    "2x1in": "Roll, 2 x 1 in (Zebra, Dymo)",
    "2.25x1.25in": "Roll, 2.25 x 1.25 in (Zebra, Dymo)",
}
#: Who may issue reports: "supervisors" (supervisors and admins, the default) or
#: "everyone" (technicians too).
REPORT_ISSUERS = ("supervisors", "everyone")


def _text(limit):
    def parse(key, value):
        text = " ".join(str(value or "").split()) if key != "address" else \
            "\n".join(line.strip() for line in str(value or "").strip().splitlines())
        if len(text) > limit:
            raise ValidationError(f"{key}: {len(text)} characters, at most {limit}",
                                  field=key)
        return text
    return parse


def _lab_name(key, value):
    text = _text(120)(key, value)
    if not text:
        raise ValidationError("lab_name: the lab needs a name (printed on every report)",
                              field=key)
    return text


def _prefix(key, value):
    text = str(value or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{1,6}", text):
        raise ValidationError(f"report_prefix: {value!r} must be 1 to 6 letters (such as "
                              f"LD)", field=key)
    return text


def _url(key, value):
    text = str(value or "").strip()
    if not text:
        return ""
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.netloc or parts.fragment:
        raise ValidationError(f"verify_url: {text!r} must be an https:// address without "
                              f"a #fragment (the token is put there)", field=key)
    return text


def _paper(key, value):
    for size in PAPER_SIZES:
        if str(value or "").strip().lower() == size.lower():
            return size
    raise ValidationError(f"paper_size: {value!r} is not A4 or Letter", field=key)


def _label_size(key, value):
    if value is None or not str(value).strip():
        return None
    text = str(value).strip().lower().replace(" ", "").replace("×", "x")
    for size in LABEL_SIZES:
        if text == size.lower():
            return size
    raise ValidationError(f"{key}: {value!r} is not a label size (one of "
                          f"{', '.join(LABEL_SIZES)})", field=key)


def label_size(values: dict) -> str:
    """The lab's intake label size: as set, else a sheet of its paper size."""
    return values.get("label_size") or values.get("paper_size") or "A4"


def _megabytes(key, value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{key}: {value!r} is not a whole number of MB",
                              field=key) from None
    if not 1 <= number <= 10_000:
        raise ValidationError(f"{key}: must be between 1 and 10000 MB", field=key)
    return number


def _sha(key, value):
    if value is None:
        return None
    if not re.fullmatch(r"[0-9a-f]{64}", str(value)):
        raise ValidationError(f"{key}: not a stored document", field=key)
    return str(value)


def _issuers(key, value):
    text = str(value or "").strip().lower()
    if text not in REPORT_ISSUERS:
        raise ValidationError(f"{key}: {value!r} is neither 'supervisors' (supervisors and "
                              f"admins issue reports) nor 'everyone'", field=key)
    return text


def _flag(key, value):
    if isinstance(value, bool):
        return value
    raise ValidationError(f"{key}: must be true or false", field=key)


_PARSERS = {"lab_name": _lab_name, "address": _text(500), "accreditation": _text(200),
            "logo": _sha, "report_prefix": _prefix, "verify_url": _url,
            "paper_size": _paper, "max_attachment_mb": _megabytes,
            "backup_on_exit": _flag, "report_issuers": _issuers,
            "label_size": _label_size}


def parse_setting(key: str, value):
    """The stored form of one setting; ``ValidationError`` naming the key when wrong."""
    if key not in _PARSERS:
        raise ValidationError(f"{key}: not a setting (known: {', '.join(_PARSERS)})",
                              field=key)
    return _PARSERS[key](key, value)


#: Said while the lab has no verify page URL (``labdesk init``, ``labdesk status``, the
#: Settings page); each adds how to set one.
NO_VERIFY_URL = ("no verify page URL is set, so the QR code on each report carries a bare "
                 "token, which a phone's camera shows as text instead of opening the lab's "
                 "verify page")


def warnings(values: dict) -> list[str]:
    """What the lab's settings leave its reports without, in sentences (none when
    nothing): said until an admin sets it."""
    found = []
    if not str(values.get("verify_url") or "").strip():
        found.append(NO_VERIFY_URL)
    return found
