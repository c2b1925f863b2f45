"""The lab fixtures (a pytest plugin, registered in ``tests/conftest.py``) and the
helpers of the ``Lab`` facade tests.

A lab with an admin, a technician and two supervisors (``support.homes``) is made
once per session with cheap password hashing; every test that asks for ``lab`` gets its
own copy of that home, opened with ``Lab.open``, nobody logged in, new passwords hashed
fast.  The family:

* ``fast_passwords``: new password hashes made during the test are cheap.
* ``template_home``: the home copied for each test.  A folder whose tests need another
  lab overrides it (``tests/reliability``, ``tests/reports``); the rest follows.
* ``home``: a fresh copy of ``template_home`` for the test.
* ``lab``: ``home`` opened (closed after the test).
* ``sub``: the three ``STONES`` received from ``CLIENT`` by the technician.
* ``approved``: the first stone of ``sub`` with an approved finding.

Use the fixtures by name; import the helpers::

    from support.labs import receive_stones, kp_fields
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from labdesk import Lab
from labdesk.core import passwords
from support.homes import PASSWORDS, copy_home, create_lab, login_as

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


# ---------------------------------------------------------------------- fixtures
@pytest.fixture
def fast_passwords():
    """Argon2 at test strength while the test runs (tests log in and add users hundreds
    of times); the standard parameters again after it."""
    with passwords.fast_hashing():
        yield


@pytest.fixture(scope="session")
def template_home(tmp_path_factory) -> Path:
    """A lab home with the four users, made once; tests copy it."""
    home = tmp_path_factory.mktemp("template") / "home"
    create_lab(home).close()
    return home


@pytest.fixture
def home(template_home, tmp_path) -> Path:
    """A fresh copy of ``template_home`` for this test."""
    return copy_home(template_home, tmp_path / "home")


@pytest.fixture
def lab(home, fast_passwords):
    """``home`` opened, nobody logged in."""
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
