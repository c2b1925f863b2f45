"""``labdesk.ui.wording``: the window's one vocabulary, tested without a display."""
import ast
import datetime as dt
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from labdesk.core.records import AuditEvent, User
from labdesk.ui import wording
from labdesk.ui.wording import local_date, local_time, zone_name

BRUSSELS = ZoneInfo("Europe/Brussels")


# ---------------------------------------------------------------------- Qt-free
def test_wording_imports_no_qt_module():
    source = Path(wording.__file__).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert not {name for name in imported if name.split(".")[0] in ("PySide6", "shiboken6")}
    # nor through what it imports: a fresh interpreter loads it and no Qt module
    check = ("import sys, labdesk.ui.wording; "
             "qt = sorted(m for m in sys.modules if m.split('.')[0] in "
             "('PySide6', 'shiboken6')); print(qt); sys.exit(1 if qt else 0)")
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


# ---------------------------------------------------------------------- times
@pytest.mark.parametrize("stored, shown", [
    ("2026-12-02T13:05:09.412Z", "2026-12-02 14:05 CET"),       # winter
    ("2026-07-01T10:00:00Z", "2026-07-01 12:00 CEST"),          # summer
    ("2026-12-02T23:30:00+00:00", "2026-12-03 00:30 CET"),      # past local midnight
    ("2026-12-02T13:05:09", "2026-12-02 14:05 CET"),            # no zone: stored UTC
])
def test_a_stored_time_is_shown_in_local_time_with_its_zone(stored, shown):
    assert local_time(stored, zone=BRUSSELS) == shown


def test_seconds_and_datetimes():
    assert local_time("2026-12-02T13:05:09.9Z", seconds=True, zone=BRUSSELS) == \
        "2026-12-02 14:05:09 CET"
    moment = dt.datetime(2026, 12, 2, 13, 5, tzinfo=dt.timezone.utc)
    assert local_time(moment, zone=BRUSSELS) == "2026-12-02 14:05 CET"
    assert local_time(moment, zone=dt.timezone.utc) == "2026-12-02 13:05 UTC"


def test_the_workstation_zone_is_the_default():
    stored = "2026-12-02T13:05:09Z"
    local = dt.datetime(2026, 12, 2, 13, 5, 9, tzinfo=dt.timezone.utc).astimezone()
    assert local_time(stored) == local.strftime("%Y-%m-%d %H:%M ") + zone_name(local)


@pytest.mark.parametrize("zone, name", [
    ("Europe/London", "GMT"), ("America/New_York", "EST"), ("Asia/Kolkata", "IST"),
    ("Asia/Dubai", "UTC+04:00"), ("America/Sao_Paulo", "UTC-03:00"),
    ("Asia/Kathmandu", "UTC+05:45"), ("UTC", "UTC"),
])
def test_a_zone_without_a_short_name_is_shown_by_its_offset(zone, name):
    moment = dt.datetime(2026, 1, 15, 12, tzinfo=dt.timezone.utc).astimezone(ZoneInfo(zone))
    assert zone_name(moment) == name


def test_a_long_system_zone_name_gives_way_to_the_offset():
    windows = dt.timezone(dt.timedelta(hours=1), "W. Europe Standard Time")
    assert zone_name(dt.datetime(2026, 1, 1, tzinfo=windows)) == "UTC+01:00"


@pytest.mark.parametrize("value, shown", [
    (None, ""), ("", ""), ("not a time", "not a time"), ("2026-12-02", "2026-12-02"),
    ("2026-13-45T10:00:00Z", "2026-13-45T10:00:00Z"),
])
def test_what_is_not_a_time_is_left_as_it_is(value, shown):
    assert local_time(value, zone=BRUSSELS) == shown
    assert local_date(value, zone=BRUSSELS) == shown


def test_the_local_day_of_a_time():
    assert local_date("2026-12-02T23:30:00Z", zone=BRUSSELS) == "2026-12-03"
    assert local_date("2026-12-02T22:30:00Z", zone=BRUSSELS) == "2026-12-02"


# ---------------------------------------------------------------------- labels
def test_action_labels():
    assert wording.action_label("stone.proposed") == "Sent for review"
    assert wording.action_label("widget.polish_all") == "Widget polish all"


# ---------------------------------------------------------------------- sentences
def test_sentences():
    assert wording.sentence("  you proposed this finding") == "You proposed this finding"
    assert wording.sentence(None) == ""
    assert wording.plural(1, "stone") == "1 stone"
    assert wording.plural(1200, "stone") == "1,200 stones"
    assert wording.plural(2, "piece of evidence", "pieces of evidence") == \
        "2 pieces of evidence"
    assert wording.escape("<b>A & B</b>") == "&lt;b&gt;A &amp; B&lt;/b&gt;"
    assert wording.escape(None) == "" and wording.escape(0) == "0"


def test_value_words():
    words = wording.value_words
    assert words("weight_mct", 1234) == "1.234 ct"
    assert words("value_cents", 18500000) == "USD 185,000.00"
    assert words("origin_countries", '["BW", "ZA"]') == "Botswana (BW), South Africa (ZA)"
    assert words("issuing_country", "BW") == "Botswana (BW)"
    assert words("shape", "heart") == "Heart" and words("state", "approved") == "Approved"
    assert words("kind", "kp_certificate") == "Kimberley Process certificate"
    assert words("mounted", 1) == "mounted in jewellery" and words("mounted", 0) == "loose"
    assert words("active", 0) == "no" and words("sow_statement", True) == "yes"
    assert words("notes", None) == "—" and words("notes", "two\n  lines") == "two lines"
    assert words("password_hash", "sha256:abc") == "(hidden)"
    assert words("decided_at", "2026-12-02T13:05:09Z") == local_time("2026-12-02T13:05:09Z")
    assert words("issued_on", "2026-11-02") == "2026-11-02"
    assert wording.origin_words("non_russian", "BW") == \
        "Not of Russian origin (mined in Botswana)"
    assert wording.outcome_words("insufficient") == "Evidence insufficient"
    assert wording.column_label("weight_mct") == "Carat weight"
    assert wording.column_label("weight_mct", "evidence") == "Carats covered"
    assert wording.column_label("odd_column") == "Odd column"


# ---------------------------------------------------------------------- audit events
AT = "2026-12-02T02:24:21.465960Z"
PEOPLE = wording.People([User(3, "sue", "Sue Marchetti", "supervisor", True, AT),
                         User(2, "tom", "Tom Becker", "technician", True, AT)])


def _event(action, entity, entity_id, data, actor="sue"):
    return AuditEvent(id=1, at=AT, actor=actor, action=action, entity=entity,
                      entity_id=str(entity_id), data=data, hash="ab" * 32)


def test_a_signed_event_in_words():
    event = _event("finding.approve", "findings", 23, {
        "changed": {"decided_at": [None, AT], "decided_by": [None, 3],
                    "decision_comment": [None, "Checked."],
                    "status": ["proposed", "approved"]},
        "row": {"id": 23, "stone_id": 25, "origin": "non_russian"},
        "signature": {"at": AT, "meaning": "approval", "name": "Sue Marchetti",
                      "reauthenticated": True, "signer": "sue"}})
    words = wording.describe_event(event, PEOPLE)
    assert words.when == local_time(AT, seconds=True)
    assert words.who == "Sue Marchetti (sue)"
    assert words.action == "Finding approved"
    assert words.record == "Finding #23 (D0000025)"
    assert words.signature == "Signed (approval) by Sue Marchetti, password re-entered"
    assert words.changes == ("Comment: — → Checked.", "Status: Proposed → Approved")
    assert words.summary() == ("Signed (approval) by Sue Marchetti, password re-entered; "
                               "Comment: — → Checked.; Status: Proposed → Approved")
    assert wording.event_stone(event) == "D0000025"


def test_a_reason_is_said_once_and_user_ids_by_name():
    reason = "Clerical error: the client reference was wrong."
    event = _event("report.supersede", "reports", 2, {
        "changed": {"status": ["issued", "superseded"], "withdrawn_at": [None, AT],
                    "withdrawn_by": [None, 3], "withdrawn_reason": [None, reason]},
        "reason": reason, "row": {"number": "LD26-000002", "stone_id": 25}})
    words = wording.describe_event(event, PEOPLE)
    assert words.record == "Report LD26-000002"
    assert words.reason == f"Reason: {reason}"
    assert words.changes == ("Status: Issued → Superseded",
                             f"Withdrawn at: — → {local_time(AT)}",
                             "Withdrawn by: — → Sue Marchetti (sue)")
    assert words.signature == ""


def test_grading_facts_changed():
    event = _event("stone.update", "stones", 25, {
        "changed": {"clarity": ["IF", "VS2"], "weight_mct": [727, 730],
                    "updated_at": [AT, AT]},
        "row": {"number": "D0000025", "weight_mct": 730}}, actor="tom")
    words = wording.describe_event(event, PEOPLE)
    assert (words.who, words.record) == ("Tom Becker (tom)", "Stone D0000025")
    assert words.changes == ("Clarity: IF → VS2", "Carat weight: 0.727 ct → 0.730 ct")


def test_an_intake_as_the_audit_lists_it_and_as_a_stone_history_shows_it():
    listing = _event("stone.receive", "stones", "rows:22-28",
                     {"batch": {"first": 22, "last": 28, "rows": 7}})
    words = wording.describe_event(listing)
    assert words.record == "Stones D0000022–D0000028"
    assert words.changes == ("added 7 stones",)
    assert wording.batch_span(listing) == ("D0000022", "D0000028", 7)
    one = _event("stone.receive", "stones", "rows:22-28",
                 {"batch": {"first": 22, "last": 28, "rows": 7},
                  "row": {"number": "D0000025", "weight_mct": 727, "shape": "heart"}})
    words = wording.describe_event(one)
    assert words.record == "Stone D0000025" and wording.batch_span(one) is None
    assert words.changes == ("added: 0.727 ct, Heart",
                             "one of 7 stones recorded in this event")


@pytest.mark.parametrize("action, entity, row, record, changes", [
    ("user.add", "users", {"id": 4, "username": "sam", "role": "supervisor",
                           "password_hash": "sha256:x"}, "User sam", "added: Supervisor"),
    ("evidence.add", "evidence", {"kind": "kp_certificate", "reference": "KP-1",
                                  "stone_id": None, "weight_mct": 15459},
     "Kimberley Process certificate KP-1", "added: on the parcel"),
    ("attachment.add", "attachments", {"filename": "kp.pdf", "size": 12345,
                                       "media_type": "application/pdf",
                                       "sha256": "2b331b0a7e90" + "0" * 52},
     "Document kp.pdf", "added: PDF, 12,345 bytes, SHA-256 2b331b0a7e90…"),
    ("finding.propose", "findings", {"id": 19, "stone_id": 25, "origin": "non_russian",
                                     "mining_country": "NA", "statement": "KP names it."},
     "Finding #1 (D0000025)", "added: Not of Russian origin (mined in Namibia), "
                              "“KP names it.”"),
    ("submission.receive", "submissions", {"number": "SUB-000004", "reference": "PO-44",
                                           "declared_count": 7},
     "Submission SUB-000004", "added: reference PO-44, 7 stones declared"),
    ("client.add", "clients", {"name": "Gaborone Polished"}, "Client Gaborone Polished",
     "added"),
])
def test_a_new_record_in_words(action, entity, row, record, changes):
    words = wording.describe_event(_event(action, entity, 1, {"row": row}))
    assert (words.record, words.summary()) == (record, changes)


def test_a_setting_and_other_data():
    setting = _event("settings.set", "settings", "backup_on_exit",
                     {"row": {"key": "backup_on_exit", "value": "false"}})
    words = wording.describe_event(setting)
    assert (words.record, words.summary()) == ("Setting backup on exit", "set to no")
    password = _event("user.password", "users", 2, {
        "changed": {"password_hash": ["sha256:a", "sha256:b"]},
        "row": {"username": "tom"}, "left_out": ["Lot"]})
    assert wording.describe_event(password).summary() == \
        "Password changed; Left out: [\"Lot\"]"
