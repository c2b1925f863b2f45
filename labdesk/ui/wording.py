"""The window's one vocabulary: times, sentences, labels and the describer of audit events.

Every page says a time, a value or an event the same way by asking this module.  It
imports nothing from Qt, so it is tested without a display (``tests/ui/test_wording.py``
also checks that importing it loads no Qt module).

Times are stored in UTC (ISO-8601, ``...Z``); the window shows them in the workstation's
local time with the zone named: ``2026-12-02 14:05 CET``.
"""
from __future__ import annotations

import datetime as dt
import decimal
import html
import json
import re
from dataclasses import dataclass
from typing import Iterable

from labdesk.core import grading
from labdesk.core.countries import country_name
from labdesk.core.evidence import COUNTRY_LISTS, FIELD_LABELS, kind_label
from labdesk.core.weights import format_weight
from labdesk.lab import stone_number

# ---------------------------------------------------------------------- times
_STORED_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d[\d:.]*(Z|[+-]\d\d:\d\d)?")
_ABBREVIATION = re.compile(r"[A-Z]{2,5}")


def _moment(value) -> dt.datetime | None:
    """A stored time (text or datetime) as an aware datetime; None when it is not one.
    A time without a zone is UTC, as the lab stores every time."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str) and _STORED_TIME.fullmatch(value.strip()):
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.timezone.utc)


def zone_name(moment: dt.datetime) -> str:
    """The zone of a local time as people write it: 'CET', 'EDT', 'UTC'; where the system
    knows no short name ('W. Europe Standard Time', '+04'), its offset: 'UTC+04:00'."""
    name = moment.tzname() or ""
    if _ABBREVIATION.fullmatch(name):
        return name
    offset = moment.utcoffset() or dt.timedelta(0)
    if not offset:
        return "UTC"
    sign = "+" if offset > dt.timedelta(0) else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def local_time(moment, *, seconds: bool = False, zone: dt.tzinfo | None = None) -> str:
    """A stored time in the workstation's local time, with the zone shown:
    '2026-12-02T13:05:09.4Z' -> '2026-12-02 14:05 CET' (to the second with ``seconds``).
    ``zone`` stands for the workstation's zone (tests).  Nothing for None or blank; a day
    ('2026-12-02') or text that is not a time comes back as it is."""
    when = _moment(moment)
    if when is None:
        return "" if moment is None else str(moment).strip()
    local = when.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + \
        " " + zone_name(local)


def local_date(moment, *, zone: dt.tzinfo | None = None) -> str:
    """The workstation's calendar day of a stored time ('2026-12-02'), for a column too
    narrow for the time; its tooltip shows ``local_time``.  A day comes back as it is."""
    when = _moment(moment)
    if when is None:
        return "" if moment is None else str(moment).strip()
    return when.astimezone(zone).date().isoformat()


# ---------------------------------------------------------------------- sentences
def sentence(text) -> str:
    """'you proposed this finding' -> 'You proposed this finding' (a message's start)."""
    text = str(text or "").strip()
    return text[:1].upper() + text[1:]


def as_sentence(text) -> str:
    """'the claim lacks v' -> 'The claim lacks v.': a message of the lab (which starts
    in lower case after a prefix such as 'error: ') said as a sentence of its own."""
    text = sentence(text)
    return text if not text or text[-1] in ".!?…" else text + "."


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """(1, 'stone') -> '1 stone'; (1200, 'stone') -> '1,200 stones'."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def escape(text) -> str:
    """Text made safe for a rich-text label ('<' and '&' shown as typed)."""
    return html.escape("" if text is None else str(text))


# ---------------------------------------------------------------------- labels
OUTCOME_WORDS = {"clear": "Clear", "insufficient": "Evidence insufficient",
                 "prohibited": "Prohibited"}
ORIGIN_SHORT = {"non_russian": "Non-Russian", "russian": "Russian",
                "undetermined": "Undetermined"}
ORIGIN_CHOICES = (("non_russian", "Not of Russian origin"), ("russian", "Russian origin"),
                  ("undetermined", "Origin undetermined"))
MEDIA_WORDS = {"application/pdf": "PDF", "image/png": "PNG image",
               "image/jpeg": "JPEG image", "image/tiff": "TIFF image",
               "image/gif": "GIF image", "image/webp": "WebP image"}
#: The grading facts of a stone, as its page labels them.
STONE_FIELD_LABELS = {
    "client_ref": "Client reference", "weight": "Carat weight", "shape": "Shape",
    "colour": "Colour", "clarity": "Clarity", "cut": "Cut", "polish": "Polish",
    "symmetry": "Symmetry", "fluorescence": "Fluorescence",
    "measurements": "Measurements (mm)", "inscription": "Inscription",
    "identification": "Identification", "growth_method": "Growth method",
    "mounted": "Form", "earlier_lab": "Earlier grading lab",
    "earlier_report": "Earlier report number",
    "declared_origin": "Origin declared by the client", "notes": "Notes",
}
ACTION_LABELS = {
    "lab.init": "Lab created", "lab.backup": "Backup written",
    "lab.reindex": "Search index rebuilt",
    "settings.set": "Setting changed",
    "user.add": "User added", "user.activate": "User reactivated",
    "user.deactivate": "User deactivated", "user.password": "Password set",
    "user.login_failed": "Wrong password", "user.lock": "Account locked",
    "user.unlock": "Account unlocked", "user.failures_cleared": "Logged in after "
    "wrong passwords",
    "submission.void": "Submission voided",
    "key.create": "Signing key created", "key.retire": "Signing key retired",
    "client.add": "Client added", "client.update": "Client changed",
    "submission.receive": "Submission received", "stone.receive": "Stone received",
    "stone.update": "Grading facts changed",
    "stone.proposed": "Sent for review", "stone.rejected": "Returned to the technician",
    "stone.approved": "Approved and locked", "stone.reported": "Reported",
    "stone.received": "Reopened for correction",
    "evidence.add": "Evidence added", "evidence.update": "Evidence changed",
    "attachment.add": "Document attached",
    "finding.propose": "Finding proposed", "finding.approve": "Finding approved",
    "finding.reject": "Finding rejected", "finding.reopen": "Finding reopened",
    "report.issue": "Report issued", "report.revoke": "Report revoked",
    "report.supersede": "Report superseded",
    "rules.adopt": "Origin rules adopted",
    "rules.reassess": "Findings assessed again under new rules",
    "rules.settle": "Rules change settled",
    "stone.return": "Handed back to the client", "stone.returned": "Returned — no further work",
}
ENTITY_LABELS = {
    "stones": "Stone", "submissions": "Submission", "reports": "Report",
    "findings": "Finding", "evidence": "Evidence", "attachments": "Document",
    "clients": "Client", "users": "User", "settings": "Setting",
    "signing_keys": "Signing key", "lab": "Lab", "rulesets": "Ruleset",
    "rule_changes": "Rules change", "returns": "Return",
}
#: Stored columns in words (the grading facts, the evidence fields, the rest).
COLUMN_LABELS = {
    **STONE_FIELD_LABELS, **FIELD_LABELS,
    "weight_mct": "Carat weight", "value_cents": "Value (USD)", "state": "State",
    "status": "Status", "role": "Role", "active": "Active", "full_name": "Full name",
    "password_hash": "Password", "decision_comment": "Comment",
    "decided_by": "Decided by", "decided_at": "Decided at",
    "withdrawn_by": "Withdrawn by", "withdrawn_at": "Withdrawn at",
    "withdrawn_reason": "Reason withdrawn", "superseded_by": "Superseded by",
    "origin": "Origin", "mining_country": "Mining country", "statement": "Statement",
    "reopened_by": "Reopened by", "reopened_at": "Reopened at",
    "reopen_reason": "Reason reopened", "retired_at": "Retired", "value": "Value",
    "collected_by": "Collected by", "id_document": "Identity document seen",
    "from_state": "State before the return", "receipt": "Receipt",
    "returned_by": "Handed back by", "returned_at": "Returned at",
}
#: The same column named otherwise on a record of this kind.
_ENTITY_COLUMN_LABELS = {("evidence", "weight_mct"): FIELD_LABELS["weight"],
                         ("evidence", "value_cents"): FIELD_LABELS["value_usd"]}
_WORDED = ("shape", "cut", "polish", "symmetry", "fluorescence", "identification",
           "state", "status", "origin", "origin_type", "role")
_YES_NO = ("active", "sow_statement", "reauthenticated")
SECRET_COLUMNS = ("password_hash",)


def action_label(action: str) -> str:
    """'stone.proposed' -> 'Sent for review'; an unknown action in plain words."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    return action.replace(".", " ").replace("_", " ").capitalize()


def column_label(column: str, entity: str | None = None) -> str:
    """'decided_by' -> 'Decided by'; a column of an evidence record by its field's name."""
    return _ENTITY_COLUMN_LABELS.get((entity, column)) or COLUMN_LABELS.get(column) or \
        column.replace("_", " ").capitalize()


def outcome_words(outcome: str | None) -> str:
    """'insufficient' -> 'Evidence insufficient'."""
    return OUTCOME_WORDS.get(outcome, outcome or "")


def origin_words(origin: str | None, mining_country: str | None = None) -> str:
    """'non_russian', 'BW' -> 'Not of Russian origin (mined in Botswana)'."""
    text = grading.label(origin)
    if mining_country:
        text += f" (mined in {country_name(mining_country)})"
    return text


def countries_words(value) -> str:
    """['BW', 'ZA'] (or its JSON text, or one code) ->
    'Botswana (BW), South Africa (ZA)'."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.startswith("[") else [value]
        except ValueError:
            value = [value]
    return ", ".join(f"{country_name(code)} ({code})" if country_name(code) != code
                     else str(code) for code in value or ())


def usd_words(value) -> str:
    """'185000.00' (or a number) -> 'USD 185,000.00'; text that is no amount as it is."""
    try:
        amount = decimal.Decimal(str(value).replace(",", "").strip())
    except (decimal.InvalidOperation, ValueError):
        return f"USD {value}"
    if not amount.is_finite():
        return f"USD {value}"
    return f"USD {amount:,.2f}"


# ---------------------------------------------------------------------- signed claims
#: The signed claim's codes (design.md, the signed claim) in words.
CLAIM_IDENTIFICATION = {"N": "Natural", "LG": "Laboratory-grown"}
CLAIM_ORIGIN = {"NR": "Not of Russian origin", "RU": "Russian origin",
                "UD": "Origin undetermined"}
#: The facts of a signed claim as Verify and ``labdesk verify`` name them, in order.
CLAIM_FACTS = ("Report number", "Date of issue", "Carat weight", "Shape", "Colour",
               "Clarity", "Natural or laboratory-grown", "Origin", "Mining country",
               "Laboratory", "Signing key")


def country_words(code) -> str:
    """'BW' -> 'Botswana (BW)'; a code no one knows, as it is."""
    code = str(code or "").strip()
    name = country_name(code) if code else ""
    return f"{name} ({code})" if name and name != code else code


def claim_facts(claim: dict | None) -> dict[str, str]:
    """The signed claim's facts, in words, named as ``CLAIM_FACTS`` (empty text for
    what the claim does not say): 'N' -> 'Natural', 'NR' -> 'Not of Russian origin',
    'BW' -> 'Botswana (BW)'."""
    claim = claim or {}
    colour = str(claim.get("col") or "")
    group = grading.colour_group(colour) if colour else None
    identification, origin, weight = claim.get("id"), claim.get("o"), claim.get("w")
    return {
        "Report number": str(claim.get("n") or ""),
        "Date of issue": str(claim.get("d") or ""),
        "Carat weight": f"{weight} ct" if weight else "",
        "Shape": grading.label(str(claim["sh"])) if claim.get("sh") else "",
        "Colour": f"{colour} ({group})" if group else colour,
        "Clarity": str(claim.get("cla") or ""),
        "Natural or laboratory-grown": CLAIM_IDENTIFICATION.get(identification,
                                                                str(identification or "")),
        "Origin": CLAIM_ORIGIN.get(origin, str(origin or "")),
        "Mining country": country_words(claim.get("mc")),
        "Laboratory": str(claim.get("lab") or ""),
        "Signing key": str(claim.get("kid") or ""),
    }


def verdict_sentences(result) -> str:
    """What a verification (``labdesk.core.records.Verification``) means, in sentences a
    retailer can act on, after its status word: 'VALID: ' + this."""
    claim = result.claim or {}
    n = claim.get("n") or "this report"
    if result.status == "valid":
        return f"Report {n} was issued by {claim.get('lab')} and is unaltered."
    if result.status == "revoked":
        return (f"The lab withdrew report {n}" + (f" ({result.reason.rstrip('.')})"
                                                   if result.reason else "")
                + ". Do not rely on it.")
    if result.status == "superseded":
        return (f"Report {n} was replaced" + (f" by {result.successor}" if result.successor
                                               else "; a corrected report is pending")
                + ". Ask for the new report.")
    return " ".join(["Not genuine: do not trust this report."]
                    + [as_sentence(p) for p in result.problems])


class People:
    """Who the lab's users are, to name them: 'Sue Marchetti (sue)'."""

    def __init__(self, users: Iterable = ()):
        self.names: dict[str, str] = {}
        self.usernames: dict[int, str] = {}
        for user in users:
            self.names[user.username] = user.full_name
            self.usernames[user.id] = user.username

    def name(self, username) -> str:
        """'sue' -> 'Sue Marchetti (sue)'; a username the lab does not know, as it is."""
        if username in self.names:
            return f"{self.names[username]} ({username})"
        return "" if username is None else str(username)

    def name_of_id(self, user_id) -> str:
        """A user's row id (as a record's *_by column holds it) -> 'Sue Marchetti (sue)'."""
        if user_id in self.usernames:
            return self.name(self.usernames[user_id])
        return str(user_id)


def value_words(column: str, value, people: People | None = None) -> str:
    """A stored value in words for its column: '—' when empty, weights in carats, money
    in dollars, countries by name, codes in words, times local, user ids by name."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if column in SECRET_COLUMNS:
        return "(hidden)"
    if column == "weight_mct" and isinstance(value, int):
        return f"{format_weight(value)} ct"
    if column == "weight":
        return f"{value} ct"
    if column == "value_cents" and isinstance(value, int):
        return f"USD {value / 100:,.2f}"
    if column == "value_usd":
        return usd_words(value)
    if column in COUNTRY_LISTS or column == "issuing_country":
        return countries_words(value)
    if column == "kind":
        return kind_label(value)
    if column == "mounted":
        return "mounted in jewellery" if value else "loose"
    if isinstance(value, bool) or (column in _YES_NO and value in (0, 1)):
        return "yes" if value else "no"
    if column.endswith("_by") and isinstance(value, int) and people is not None:
        return people.name_of_id(value)
    if isinstance(value, str) and _moment(value) is not None:
        return local_time(value)
    if column in _WORDED and isinstance(value, str):
        return grading.label(value)
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    return " ".join(str(value).split())


# ---------------------------------------------------------------------- audit events
#: Row columns that name a record, in the order they are tried.
_SALIENT = ("number", "username", "name", "kid", "filename", "reference")
_EVENT_KEYS = ("changed", "row", "rows", "batch", "reason", "signature")


@dataclass(frozen=True)
class EventWords:
    """One audit event in words, as the Audit page and a stone's History show it."""
    when: str                   # '2026-12-02 14:05:09 CET'
    who: str                    # 'Sue Marchetti (sue)'
    action: str                 # 'Finding approved'
    record: str                 # 'Finding #23 (D0000025)', 'Stones D0000022–D0000028'
    changes: tuple[str, ...]    # ('Status: Proposed → Approved', ...)
    signature: str              # 'Signed (approval) by Sue Marchetti'
    reason: str                 # 'Reason: Clerical error'

    def summary(self, separator: str = "; ") -> str:
        """The signature, the reason and what changed, on one line."""
        return separator.join(p for p in (self.signature, self.reason, *self.changes) if p)


def describe_event(event, people: People | None = None) -> EventWords:
    """The one describer of an audit event (``labdesk.core.records.AuditEvent``)."""
    data = event.data or {}
    signature = data.get("signature")
    signed = ""
    if isinstance(signature, dict):
        signed = (f"Signed ({signature.get('meaning', 'signature')}) by "
                  f"{signature.get('name', '?')}"
                  + (", password re-entered" if signature.get("reauthenticated") else ""))
    reason = data.get("reason")
    return EventWords(
        when=local_time(event.at, seconds=True),
        who=people.name(event.actor) if people is not None else event.actor,
        action=action_label(event.action), record=event_record(event),
        changes=tuple(_changes(event, people)), signature=signed,
        reason=f"Reason: {value_words('reason', reason)}" if reason else "")


def event_record(event) -> str:
    """The record an event is about: 'Stone D0000012', 'User tom', 'Setting paper size',
    'Kimberley Process certificate KP-1', 'Finding #3 (D0000012)', 'Stones D1–D7'."""
    entity = ENTITY_LABELS.get(event.entity, event.entity.replace("_", " ").capitalize())
    row = (event.data or {}).get("row") or {}
    span = batch_span(event)
    if span:  # a batch: the records an intake created
        first, last, count = span
        return f"{entity}s {first}–{last}" if count > 1 else f"{entity} {first}"
    if event.entity == "settings":
        return f"{entity} {column_label(str(event.entity_id)).lower()}"
    if event.entity == "evidence" and row.get("kind"):
        return f"{kind_label(row['kind'])} {row.get('reference') or ''}".strip()
    for key in _SALIENT:
        if row.get(key):
            return f"{entity} {row[key]}"
    stone = event_stone(event)
    return f"{entity} #{event.entity_id}" + (f" ({stone})" if stone else "")


def batch_span(event) -> tuple[str, str, int] | None:
    """(first, last, how many) of the records a batch event created, by number for
    stones; None for an event about one record (or one record of a batch)."""
    data = event.data or {}
    rows = data.get("rows")
    if isinstance(rows, list) and rows and all(isinstance(r, dict) for r in (rows[0],
                                                                              rows[-1])):
        first, last = rows[0].get("id"), rows[-1].get("id")  # the whole event
    elif isinstance(data.get("batch"), dict) and "row" not in data:
        first, last = data["batch"].get("first"), data["batch"].get("last")  # a listing
    else:
        return None
    if not isinstance(first, int) or not isinstance(last, int):
        return None
    name = stone_number if event.entity == "stones" else (lambda i: f"#{i}")
    return name(first), name(last), last - first + 1


def event_stone(event) -> str | None:
    """The stone an event is about, when it names one."""
    row = (event.data or {}).get("row") or {}
    if event.entity == "stones":
        return row.get("number")
    if isinstance(row.get("stone_id"), int):
        return stone_number(row["stone_id"])
    return None


def _changes(event, people: People | None) -> list[str]:
    data = event.data or {}
    signed = isinstance(data.get("signature"), dict)
    reason = data.get("reason")
    parts = []
    for column, pair in (data.get("changed") or {}).items():
        if column == "updated_at":
            continue
        if signed and (column.endswith("_at") or column.endswith("_by")):
            continue  # the signature says who, the event says when
        if column in SECRET_COLUMNS:
            parts.append(f"{column_label(column)} changed")
            continue
        old, new = (list(pair) + [None, None])[:2] if isinstance(pair, (list, tuple)) \
            else (None, pair)
        if reason and new == reason:
            continue  # said once, as the reason
        parts.append(f"{column_label(column, event.entity)}: "
                     f"{value_words(column, old, people)} → "
                     f"{value_words(column, new, people)}")
    row = data.get("row")
    if "changed" not in data and isinstance(row, dict):
        parts.extend(_added(event, row))
    span = batch_span(event)
    if span and "row" not in data:
        noun = ENTITY_LABELS.get(event.entity, "record").lower()
        parts.append(f"added {span[2]:,} {noun}{'s' if span[2] > 1 else ''}")
    for key, value in data.items():
        if key not in _EVENT_KEYS and value not in (None, [], "", {}):
            parts.append(f"{column_label(key)}: {value_words(key, value, people)}")
    return parts


def _added(event, row: dict) -> list[str]:
    """What a new record holds, in a few words."""
    if event.entity == "settings":
        return [f"set to {value_words(str(row.get('key')), _json(row.get('value')))}"]
    bits: list[str] = []
    if event.entity == "stones":
        bits = [value_words("weight_mct", row.get("weight_mct")),
                grading.label(row.get("shape"))]
    elif event.entity == "submissions":
        bits = [f"reference {row['reference']}" if row.get("reference") else ""]
        if row.get("declared_count"):
            bits.append(f"{plural(row['declared_count'], 'stone')} declared")
    elif event.entity == "evidence":
        bits = [f"on stone {stone_number(row['stone_id'])}" if row.get("stone_id")
                else "on the parcel"]
    elif event.entity == "attachments":
        bits = [MEDIA_WORDS.get(row.get("media_type"), row.get("media_type")),
                f"{row.get('size') or 0:,} bytes",
                f"SHA-256 {str(row.get('sha256'))[:12]}…"]
    elif event.entity == "findings":
        bits = [origin_words(row.get("origin"), row.get("mining_country"))]
        if row.get("statement"):
            bits.append(f"“{' '.join(str(row['statement']).split())}”")
    elif event.entity == "returns":
        bits = [f"collected by {row.get('collected_by')}",
                f"identity document {row['id_document']}" if row.get("id_document")
                else "no identity document recorded",
                f"receipt {row.get('receipt')}"]
    elif event.entity != "reports":
        bits = [value_words(k, row[k]) for k in ("kind", "role", "reference")
                if row.get(k) not in (None, "")]
        if row.get("weight_mct") is not None:
            bits.append(value_words("weight_mct", row["weight_mct"]))
    bits = [b for b in bits if b and b != "—"]
    parts = ["added" + (f": {', '.join(bits)}" if bits else "")]
    batch = (event.data or {}).get("batch")
    if isinstance(batch, dict) and (batch.get("rows") or 1) > 1:
        noun = ENTITY_LABELS.get(event.entity, "record").lower()
        parts.append(f"one of {plural(batch['rows'], noun)} recorded in this event")
    return parts


def _json(text):
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


# ---------------------------------------------------------------------- several desks
def database_words(database: str, home=None) -> tuple[str, str]:
    """What the status bar says of where the lab's records are, and its tooltip, from
    ``Lab.database`` ('SQLite: <file>' or 'PostgreSQL <db> on <host:port>'):
    ('Database: SQLite (this computer)', 'The lab's records are in <file> ...')."""
    text = str(database or "").strip()
    if text.startswith("SQLite:"):
        path = text.split(":", 1)[1].strip()
        return ("Database: SQLite (this computer)",
                f"The lab's records are in {path}, on this computer; only windows on "
                f"this computer share them.")
    desk = f" This desk's home: {home}." if home else ""
    return (f"Database: {text}",
            f"The lab's records are on the server ({text}), shared by every desk of the "
            f"lab; what another desk records shows here within a second.{desk}")


#: The status bar while the page shown waits for the user's edits before it refreshes.
CHANGES_WAITING = "The lab changed at another desk or window: {page} refreshes once {why}."
WAITING_BECAUSE = {"review": "your comment is used or cleared"}


def one_sentence(error) -> str:
    """A lab's error as one sentence on a page: its lines joined, a capital, a full
    stop ('the lab server (…) cannot be reached: …\\n\\tIs the server…' -> one line)."""
    return as_sentence(" ".join(str(error or "").split()))


JOIN_ADDRESS_HINT = (
    "The lab server's address, as its administrator gave it: "
    "postgresql://user@host:port/database. The password goes in ~/.pgpass (or the "
    "PGPASSWORD environment variable), never here: this address is kept in the desk's "
    "home. TLS settings pass through in the address (sslmode=verify-full, "
    "sslrootcert=/path/to/root.crt, …).")


def custody_words(event) -> str:
    """A custody event (``Lab.custody``) as one sentence for the stone's page."""
    when = local_time(event.at)
    if event.kind == "received":
        return (f"{when}: received from {event.party} by {event.staff} (submission "
                f"{event.receipt}).")
    seen = (f"identity document seen: {event.id_document}" if event.id_document
            else "no identity document recorded")
    note = f" Note: {as_sentence(event.note)}" if event.note else ""
    return (f"{when}: returned to {event.party} ({seen}), handed over and signed by "
            f"{event.staff}, receipt {event.receipt}.{note}")
