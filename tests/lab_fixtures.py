"""Shared fixtures and helpers for the Lab facade tests (tests/test_lab_*.py).

A lab with an admin, a technician and two supervisors is created once per session, with
cheap Argon2 parameters (the real ones cost ~50 ms a password, and these tests log in
hundreds of times); every test gets its own copy of that home, opened with ``Lab.open``
and logged out.  Import what you need::

    from lab_fixtures import lab, sub, login_as, receive_stones, ...
"""
from __future__ import annotations

import contextlib
import datetime as dt
import shutil
from pathlib import Path

import pytest

from labdesk import Lab

PASSWORDS = {"admin": "admin-pw-1", "tech": "tech-pw-1", "sup1": "sup1-pw-1",
             "sup2": "sup2-pw-2"}
FULL_NAMES = {"admin": "Ada Admin", "tech": "Tom Tech", "sup1": "Sue Super",
              "sup2": "Sam Second"}
ROLES = {"admin": "admin", "tech": "technician", "sup1": "supervisor",
         "sup2": "supervisor"}
CLIENT = "Acme Diamonds"
STATEMENT = "Single-origin KP certificate from Botswana, matched to the rough."

#: Three stones as a technician types them (dealer abbreviations on purpose).
STONES = (
    {"client_ref": "AC-001", "weight": "1.234", "shape": "BR", "colour": "e",
     "clarity": "vs1", "cut": "EX", "polish": "EX", "symmetry": "VG",
     "fluorescence": "NON", "measurements": "6.80-6.85x4.20",
     "identification": "natural", "notes": "bright stone"},
    {"client_ref": "AC-002", "weight": "0.512", "shape": "oval", "colour": "G",
     "clarity": "SI1", "identification": "natural"},
    {"client_ref": "AC-003", "weight": "2.010", "shape": "PS", "colour": "H",
     "clarity": "VVS2", "identification": "LG", "growth_method": "cvd",
     "inscription": "LABORATORY-GROWN"},
)


def kp_fields(**overrides) -> dict:
    """A single-origin Kimberley Process certificate from Botswana."""
    fields = {"reference": "BW-2024-0001", "issuer": "Botswana Diamond Office",
              "issuing_country": "BW", "issued_on": "2024-02-01",
              "expires_on": "2024-04-01", "origin_countries": ["BW"],
              "origin_type": "single", "weight": "12.500", "value_usd": "15000.00",
              "parcels": 1, "hs_code": "7102.31", "exporter": "Okavango Rough",
              "importer": "Acme Diamonds"}
    fields.update(overrides)
    return fields


# ---------------------------------------------------------------------- fixtures
def _cheap_hasher():
    """Argon2id with test-only parameters: ~1 ms instead of ~50 ms a password.

    A hash carries its own parameters, so logins into the template's users are fast too.
    Real parameters are still used by tests that call ``Lab.init`` themselves.
    """
    from argon2 import PasswordHasher
    return PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


@contextlib.contextmanager
def _cheap_passwords():
    from labdesk.core import passwords
    saved = getattr(passwords, "_HASHER", None)
    passwords._HASHER = _cheap_hasher()
    try:
        yield
    finally:
        passwords._HASHER = saved


@pytest.fixture(scope="session")
def template_home(tmp_path_factory) -> Path:
    """A lab home with the four users, made once; tests copy it."""
    home = tmp_path_factory.mktemp("template") / "home"
    with _cheap_passwords():
        lab = Lab.init(home, lab_name="Test Gem Lab", admin_username="admin",
                       admin_password=PASSWORDS["admin"], admin_name=FULL_NAMES["admin"])
        for who in ("tech", "sup1", "sup2"):
            lab.add_user(who, FULL_NAMES[who], ROLES[who], PASSWORDS[who])
        lab.close()
    return home


@pytest.fixture
def lab(template_home, tmp_path, monkeypatch):
    """A fresh copy of the template lab, opened, nobody logged in."""
    from labdesk.core import passwords
    monkeypatch.setattr(passwords, "_HASHER", _cheap_hasher(), raising=False)
    home = tmp_path / "home"
    shutil.copytree(template_home, home)
    opened = Lab.open(home)
    yield opened
    opened.close()


@pytest.fixture
def sub(lab):
    """The three STONES received from CLIENT by the technician (still logged in)."""
    return receive_stones(lab, reference="PO-77")


@pytest.fixture
def approved(lab, sub):
    """The first stone of ``sub`` with an approved finding (sup1 logged in)."""
    stone_no = sub.stones[0].number
    approve_stone(lab, stone_no)
    return stone_no


# ---------------------------------------------------------------------- helpers
def login_as(lab, who: str):
    return lab.login(who, PASSWORDS[who])


def receive_stones(lab, stones=None, *, client: str = CLIENT, who: str | None = "tech",
                   **kwargs):
    """Receive ``stones`` (default: STONES) as ``who``; returns the Submission."""
    if who:
        login_as(lab, who)
    rows = [dict(s) for s in (stones if stones is not None else STONES)]
    return lab.receive(client, rows, **kwargs)


def propose(lab, stone_no: str, who: str = "tech", **kwargs):
    login_as(lab, who)
    args = {"origin": "non_russian", "mining_country": "BW", "statement": STATEMENT}
    args.update(kwargs)
    return lab.propose_finding(stone_no, **args)


def approve_stone(lab, stone_no: str, proposer: str = "tech", approver: str = "sup1"):
    propose(lab, stone_no, who=proposer)
    login_as(lab, approver)
    return lab.approve(stone_no, comment="evidence checked",
                       password=PASSWORDS[approver])


def make_pdf(path: Path, text: str = "Kimberley Process certificate BW-2024-0001") -> Path:
    """A small, valid one-page PDF (reportlab, reproducible bytes for equal text)."""
    from reportlab.pdfgen import canvas
    path = Path(path)
    pdf = canvas.Canvas(str(path), invariant=1)
    pdf.drawString(72, 720, text)
    pdf.save()
    return path


def make_png(path: Path, colour=(200, 30, 30)) -> Path:
    """A small, valid PNG (Pillow)."""
    from PIL import Image
    path = Path(path)
    Image.new("RGB", (16, 16), colour).save(path, format="PNG")
    return path


def written(lab) -> tuple:
    """What a write would change: audit events, stones, and every audited table's rows."""
    records = lab.check().records
    return (lab.audit_events().total, lab.stones().total,
            tuple(sorted(records.items())))


def raw_sql(lab, *statements: str) -> None:
    """Change the database behind LabDesk's back with the sqlite3 command-line tool."""
    import subprocess
    script = ";\n".join(statements) + ";"
    subprocess.run(["sqlite3", str(lab.home / "labdesk.db"), script], check=True,
                   capture_output=True, text=True, timeout=30)


def days_ago(n: int) -> dt.date:
    return dt.date.today() - dt.timedelta(days=n)
