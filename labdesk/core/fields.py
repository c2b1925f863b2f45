"""The fields the ``Lab`` facade takes besides a stone's grading facts and an evidence
document's: numbers typed or scanned, names, dates, short texts, counts.  Each parser
returns the canonical value or raises one ``ValidationError`` naming the field."""
from __future__ import annotations

import datetime as dt

from labdesk.core import evidence as evidence_rules
from labdesk.core.stones import parse_stone_fields, stone_number
from labdesk.errors import ValidationError


def number_text(value) -> str:
    return " ".join(str(getattr(value, "number", value)).split()).upper()


def stone_number_text(value) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return stone_number(value)
    return number_text(value)


def parse_stone_rows(stones) -> list[dict]:
    parsed, problems, memo = [], [], {}
    for index, fields in enumerate(stones, start=1):
        if not isinstance(fields, dict):
            problems.append({"row": index, "column": None, "value": fields,
                             "message": f"row {index}: a stone is a set of fields"})
            continue
        try:
            parsed.append(parse_stone_fields(fields, memo=memo))
        except ValidationError as exc:
            for p in exc.problems:
                problems.append({**p, "row": index,
                                 "message": f"stone {index}, {p['message']}"})
    if problems:
        first = problems[0]
        raise ValidationError("; ".join(p["message"] for p in problems[:20])
                              + (f"; and {len(problems) - 20} more" if len(problems) > 20
                                 else ""), field=first["column"], row=first["row"],
                              problems=problems)
    return parsed


def parse_received_at(value) -> str:
    if value is None or value == "":
        moment = dt.datetime.now(dt.timezone.utc)
    elif isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(0, 0), dt.timezone.utc)
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(f"received_at: {value!r} is not a date and time",
                                  field="received_at") from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a naive time is the workstation's local time
    moment = moment.astimezone(dt.timezone.utc)
    if moment > dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5):
        raise ValidationError("received_at: stones cannot be received in the future",
                              field="received_at")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_day(value, field: str) -> dt.date:
    parsed = evidence_rules.parse_date(value, field)
    if parsed is None:
        raise ValidationError(f"{field}: a date is required", field=field)
    return dt.date.fromisoformat(parsed)


def day_text(value, plus_days: int = 0) -> str | None:
    if value in (None, ""):
        return None
    day = parse_day(value, "date") + dt.timedelta(days=plus_days)
    return day.isoformat()


def optional_text(value, field: str, limit: int) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if len(text) > limit:
        raise ValidationError(f"{field}: {len(text)} characters, at most {limit}",
                              field=field)
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise ValidationError(f"{field}: control characters are not allowed", field=field)
    return text or None


def optional_count(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{field}: {value!r} is not a whole number",
                              field=field) from None
    if number < 1:
        raise ValidationError(f"{field}: must be at least 1", field=field)
    return number


def username(value) -> str:
    text = str(value or "").strip()
    if not (2 <= len(text) <= 40) or not all(c.isalnum() or c in "._-" for c in text):
        raise ValidationError("username: 2 to 40 letters, digits, dots, hyphens or "
                              "underscores", field="username")
    return text


def person_name(value) -> str:
    text = optional_text(value, "full_name", 100)
    if not text:
        raise ValidationError("full_name: a person's full name is required (it is printed "
                              "with their signature)", field="full_name")
    return text


def client_name(value) -> str:
    text = optional_text(value, "client", 200)
    if not text:
        raise ValidationError("client: a client's name is required", field="client")
    return " ".join(text.split())
