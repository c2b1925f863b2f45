"""``labdesk.ui.wording``: the window's one vocabulary, tested without a display."""
import ast
import datetime as dt
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

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
