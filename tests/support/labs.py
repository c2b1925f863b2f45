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
from support.homes import PASSWORDS, copy_home, create_lab, login_as, point_desk_at

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
def pg_server():
    """A throwaway PostgreSQL server for the session (``support.postgres``).  Without
    the server binaries the test fails, naming the package: never a silent skip."""
    from support.postgres import PgServer
    try:
        server = PgServer().start()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.destroy()


@pytest.fixture(scope="session")
def backend() -> str:
    """Where the lab's records are: "sqlite" here; ``tests/lab`` runs every test on
    "postgresql" too (its conftest parametrizes this)."""
    return "sqlite"


_TEMPLATE_DB = "labdesk_template"


_TEMPLATES: dict[str, Path] = {}


@pytest.fixture
def template_home(tmp_path_factory, backend, request) -> Path:
    """A lab home with the four users, made once per backend; tests copy it.  On
    PostgreSQL the lab's database is made once too (``labdesk_template``) and each
    test's copy is a database created from it.  (Kept here rather than by pytest's
    session cache, which would hand one backend's template to the other's tests.)"""
    if backend not in _TEMPLATES:
        home = tmp_path_factory.mktemp(f"template-{backend}") / "home"
        if backend == "postgresql":
            server = request.getfixturevalue("pg_server")
            create_lab(home, database=server.create_database(_TEMPLATE_DB)).close()
        else:
            create_lab(home).close()
        _TEMPLATES[backend] = home
    return _TEMPLATES[backend]


_copies = iter(range(1, 10**9))


@pytest.fixture
def home(template_home, tmp_path, backend, request) -> Path:
    """A fresh copy of ``template_home`` for this test (and of its database)."""
    copied = copy_home(template_home, tmp_path / "home")
    if backend == "postgresql":
        server = request.getfixturevalue("pg_server")
        name = f"labdesk_test_{next(_copies)}"
        dsn = server.create_database(name, template=_TEMPLATE_DB)
        point_desk_at(copied, dsn)
        yield copied
        server.drop_database(name)
        return
    yield copied


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
    """What a write would change: audit events, stones, and every audited table's rows
    (read by the lab's check, whoever is logged in: often nobody)."""
    result = lab._upkeep.integrity()
    return (result.events, result.records["stones"], tuple(sorted(result.records.items())))


def raw_sql(lab, *statements: str) -> None:
    """Change the database behind LabDesk's back: with the sqlite3 command-line tool, or
    on PostgreSQL as its superuser with the triggers switched off (what only someone
    holding the server's keys could do)."""
    import subprocess
    if lab.on_server:
        with _superuser(lab) as conn:
            conn.execute("SET session_replication_role = replica")
            for statement in statements:
                if statement.startswith("DROP TRIGGER"):
                    continue  # the replica role already runs no trigger
                conn.execute(statement.replace("stones_fts", "stones_search")
                             .replace("rowid", "id"))
        return
    script = ";\n".join(statements) + ";"
    subprocess.run(["sqlite3", str(lab.home / "labdesk.db"), script], check=True,
                   capture_output=True, text=True, timeout=30)


def days_ago(n: int) -> dt.date:
    return dt.date.today() - dt.timedelta(days=n)


def _superuser(lab):
    import psycopg

    from labdesk.lab import desks
    from support.postgres import SUPERUSER
    info = psycopg.conninfo.conninfo_to_dict(desks.dsn_of(lab.home))
    info["user"] = SUPERUSER
    return psycopg.connect(**info, autocommit=True)


def raw_connection(lab):
    """A connection of the database's own client, as LabDesk's database user (the
    database's own rules apply): sqlite3, or psycopg on PostgreSQL."""
    if lab.on_server:
        import psycopg

        from labdesk.lab import desks
        return psycopg.connect(desks.dsn_of(lab.home), autocommit=True)
    import sqlite3
    return sqlite3.connect(lab.home / "labdesk.db", isolation_level=None)


def stored_documents(lab) -> list[str]:
    """The SHA-256 of every document the lab stores (its folder, or its database)."""
    if lab.on_server:
        with raw_connection(lab) as conn:
            return sorted(r[0] for r in conn.execute("SELECT sha256 FROM documents"))
    root = lab.home / "documents"
    return sorted(p.name for p in root.rglob("*")
                  if p.is_file() and p.relative_to(root).parts[0] != "tmp")


def tamper_document(lab, sha: str, data: bytes | None) -> None:
    """Replace a stored document's bytes behind LabDesk's back (``None``: remove it):
    the file in the documents folder, or the database's row (and the desk's cache)."""
    import os
    if lab.on_server:
        with _superuser(lab) as conn:
            conn.execute("SET session_replication_role = replica")
            if data is None:
                conn.execute("DELETE FROM documents WHERE sha256 = %s", [sha])
            else:
                conn.execute("UPDATE documents SET data = %s WHERE sha256 = %s", [data, sha])
        cached = lab.home / "cache" / "documents" / sha[:2] / sha
        if cached.exists():
            os.chmod(cached, 0o644)
            cached.unlink()
        return
    path = lab.home / "documents" / sha[:2] / sha
    if data is None:
        path.unlink()
        return
    os.chmod(path, 0o644)
    path.write_bytes(data)


def set_schema_version(lab, version: int) -> None:
    """Mark the lab's database as written by another LabDesk (schema ``version``)."""
    if lab.on_server:
        with _superuser(lab) as conn:
            conn.execute("UPDATE labdesk_meta SET value = %s WHERE key = 'schema_version'",
                         [str(version)])
        return
    import sqlite3
    conn = sqlite3.connect(lab.home / "labdesk.db")
    conn.execute(f"PRAGMA user_version = {int(version)}")
    conn.close()
