"""Keys and accounts: the private key's mode is checked (a key others can read is never
used to sign, and ``keys.exposure`` says so when a lab opens); five wrong passwords in a
row lock the account for fifteen minutes (tested with an injected clock, no real
sleeping); clear
passwords appear nowhere: not in the database file, the audit table, a backup, a log
record or an exception."""
from __future__ import annotations

import logging
import os
import time
import traceback
import zipfile
from pathlib import Path

import pytest

from labdesk.lab import accounts
from labdesk import AuthError, IntegrityError, Lab, LabError, ValidationError
from labdesk.reports import keys
from support import reliability

PW = reliability.PASSWORDS


@pytest.fixture
def clock(monkeypatch):
    """The locks' clock (UTC), moved by hand; the process-wide memory starts empty."""
    import datetime as dt

    class Clock:
        now = dt.datetime(2025, 3, 4, 9, 0, tzinfo=dt.timezone.utc)

        def __call__(self):
            return self.now

        def advance(self, seconds):
            self.now += dt.timedelta(seconds=seconds)

    fake = Clock()
    monkeypatch.setattr(accounts, "CLOCK", fake)
    monkeypatch.setattr(accounts, "THROTTLE", accounts.Throttle())
    return fake


@pytest.fixture
def lab(home, fast_passwords, clock):
    opened = Lab.open(home)
    yield opened
    opened.close()


# ---------------------------------------------------------------------- the signing key
def _key_path(home: Path) -> Path:
    return next((home / "keys").glob("*.key"))


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_key_others_can_read_is_named_at_open_and_never_used_to_sign(home, fast_passwords,
                                                                       mode):
    key = _key_path(home)
    os.chmod(key, mode)
    lab = Lab.open(home)  # the lab opens: reading needs no key
    try:
        problems = keys.exposure(home / "keys")
        assert len(problems) == 1 and f"chmod 600 {key}" in problems[0]
        lab.login("sup1", PW["sup1"])
        before = reliability.snapshot(lab)
        with pytest.raises(IntegrityError, match="chmod 600"):
            lab.issue_report(reliability.TO_ISSUE)
        with pytest.raises(IntegrityError, match="refuses to sign"):
            lab.publish(home.parent / "site")
        assert reliability.snapshot(lab) == before
        assert not reliability.unrecorded_report_pdfs(lab)
        assert not (home.parent / "site").exists()
        os.chmod(key, 0o600)  # what the message says to do
        assert keys.exposure(home / "keys") == []
        assert lab.issue_report(reliability.TO_ISSUE).number
    finally:
        lab.close()


def test_an_open_keys_folder_a_linked_or_damaged_key_are_named(home, fast_passwords,
                                                               tmp_path):
    os.chmod(home / "keys", 0o755)
    assert "chmod 700" in keys.exposure(home / "keys")[0]
    os.chmod(home / "keys", 0o700)
    key = _key_path(home)
    outside = tmp_path / "elsewhere.key"
    key.rename(outside)
    key.symlink_to(outside)
    assert "symbolic link" in keys.exposure(home / "keys")[0]
    key.unlink()
    outside.rename(key)
    os.chmod(key, 0o600)
    key.write_bytes(b"-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    lab = Lab.open(home)
    try:
        lab.login("sup1", PW["sup1"])
        with pytest.raises(IntegrityError, match="damaged"):
            lab.issue_report(reliability.TO_ISSUE)
    finally:
        lab.close()


def test_new_keys_backups_and_restores_keep_the_key_private(home, fast_passwords, tmp_path):
    lab = Lab.open(home)
    try:
        lab.login("admin", PW["admin"])
        lab.rotate_key()
        assert keys.exposure(home / "keys") == []
        assert all((p.stat().st_mode & 0o077) == 0 for p in (home / "keys").iterdir())
        backup = lab.backup(tmp_path / "lab.zip")
        assert (backup.stat().st_mode & 0o777) == 0o600  # it holds the private keys
    finally:
        lab.close()
    restored = Lab.restore(backup, tmp_path / "restored")
    try:
        assert keys.exposure(tmp_path / "restored" / "keys") == []
        restored.login("admin", PW["admin"])
        assert restored.check().ok
    finally:
        restored.close()


# ---------------------------------------------------------------------- wrong passwords
# (issue 16, item 14: kept in the database; tests/lab/test_login_lock.py has the rest)
def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(lab, clock):
    started = time.monotonic()
    for attempt in range(1, 5):
        with pytest.raises(AuthError) as caught:
            lab.login("tech", f"wrong-{attempt}")
        assert "locked" not in str(caught.value)
    with pytest.raises(AuthError, match="the fifth wrong password in a row: the account "
                                        "is locked until"):
        lab.login("tech", "wrong-5")
    with pytest.raises(AuthError, match="this account is locked after 5 wrong passwords "
                                        "in a row, until"):
        lab.login("tech", PW["tech"])  # even the right password, while locked
    assert lab.user is None
    clock.advance(14 * 60)
    with pytest.raises(AuthError, match="locked"):
        lab.login("tech", PW["tech"])
    clock.advance(61)
    assert lab.login("tech", PW["tech"]).username == "tech"
    for attempt in range(4):  # a success starts the count again
        with pytest.raises(AuthError, match="^wrong username or password"):
            lab.login("tech", "wrong")
    assert time.monotonic() - started < 5  # no real waiting


def test_unknown_usernames_are_locked_alike_and_other_users_are_not(lab, clock):
    messages = {}
    for name in ("tech", "nobody"):
        for _ in range(5):
            with pytest.raises(AuthError):
                lab.login(name, "wrong")
        with pytest.raises(AuthError) as caught:
            lab.login(name, "wrong")
        messages[name] = str(caught.value)
    assert messages["tech"] == messages["nobody"]  # reveals nothing about who exists
    with pytest.raises(AuthError, match="locked"):
        lab.login("TECH", PW["tech"])  # usernames compare without case
    assert lab.login("sup1", PW["sup1"]).username == "sup1"


def test_a_second_window_on_the_same_lab_sees_the_lock(lab, home, clock):
    for _ in range(5):
        with pytest.raises(AuthError):
            lab.login("tech", "wrong")
    other = Lab.open(home)
    try:
        with pytest.raises(AuthError, match="locked"):
            other.login("tech", PW["tech"])
    finally:
        other.close()


def test_wrong_passwords_at_a_signature_count_too(lab, clock):
    lab.login("sup1", PW["sup1"])
    for _ in range(4):
        with pytest.raises(AuthError, match="not correct"):
            lab.approve(reliability.TO_APPROVE, comment="ok", password="guess")
    with pytest.raises(AuthError, match="not correct; that was the fifth"):
        lab.approve(reliability.TO_APPROVE, comment="ok", password="guess")
    with pytest.raises(AuthError, match="locked after 5 wrong passwords"):
        lab.approve(reliability.TO_APPROVE, comment="ok", password=PW["sup1"])
    assert lab.finding(reliability.TO_APPROVE).status == "proposed"
    clock.advance(15 * 60 + 1)
    assert lab.approve(reliability.TO_APPROVE, comment="ok",
                       password=PW["sup1"]).status == "approved"


# ---------------------------------------------------------------------- clear passwords
SECRETS = {"admin": "Admin-Sécret-7731!", "tina": "Tina-Geheim-4412?",
           "tina2": "Tina-Neues-9090#", "tina3": "Tina-Drittes-5151%",
           "near": "Tina-Geheim-4413?", "weak": "aaaaaaaaaa", "short": "Qz9-x",
           "sup": "Super-Visor-6262&", "typed_as_name": "Oops-Typed-In-Name-3131"}


def test_clear_passwords_are_nowhere_in_files_audit_logs_or_errors(tmp_path, fast_passwords,
                                                                   caplog, clock):
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []

    def expect_error(call, kind=LabError):
        try:
            call()
        except kind as exc:
            errors.append(exc)
        else:
            raise AssertionError("no error")

    home = tmp_path / "home"
    lab = Lab.init(home, "Secret Lab", "admin", SECRETS["admin"], "Ada Admin")
    try:
        lab.add_user("tina", "Tina Tech", "technician", SECRETS["tina"])
        lab.add_user("sue", "Sue Super", "supervisor", SECRETS["sup"])
        expect_error(lambda: lab.add_user("wendy", "W", "technician", SECRETS["weak"]),
                     ValidationError)
        expect_error(lambda: lab.add_user("shorty", "S", "technician", SECRETS["short"]),
                     ValidationError)
        lab.set_password("tina", SECRETS["tina2"])  # an admin's reset
        expect_error(lambda: lab.login("tina", SECRETS["near"]), AuthError)
        expect_error(lambda: lab.login(SECRETS["typed_as_name"], SECRETS["tina2"]),
                     AuthError)
        lab.login("tina", SECRETS["tina2"])
        expect_error(lambda: lab.set_password("tina", SECRETS["tina3"],
                                              old_password=SECRETS["near"]), AuthError)
        lab.set_password("tina", SECRETS["tina3"], old_password=SECRETS["tina2"])
        expect_error(lambda: lab.reauthenticate(SECRETS["near"]), AuthError)
        for _ in range(6):  # into the wait, and its message
            try:
                lab.login("sue", SECRETS["near"])
            except AuthError as exc:
                errors.append(exc)
        lab.login("admin", SECRETS["admin"])
        backup = lab.backup(tmp_path / "lab.zip")
        audit_text = "\n".join(str(r) for r in lab._db.execute("SELECT * FROM audit"))
    finally:
        lab.close()

    haystacks = {"audit table": audit_text.encode()}
    for path in home.rglob("*"):
        if path.is_file():
            haystacks[str(path.relative_to(home))] = path.read_bytes()
    with zipfile.ZipFile(backup) as zf:
        for name in zf.namelist():
            haystacks[f"backup:{name}"] = zf.read(name)
    haystacks["logs"] = "\n".join(f"{r.getMessage()} {r.args}" for r in
                                  caplog.records).encode()
    haystacks["errors"] = "\n".join(
        f"{exc} {exc!r} {exc.args} {getattr(exc, 'problems', '')} "
        + "".join(traceback.format_exception(exc)) for exc in errors).encode()
    assert len(errors) >= 10 and any("locked" in str(e) for e in errors)
    for name, secret in SECRETS.items():
        for encoded in {secret.encode("utf-8"), secret.encode("utf-16-le")}:
            found = [where for where, data in haystacks.items() if encoded in data]
            assert not found, f"the password {name!r} is in {found}"
