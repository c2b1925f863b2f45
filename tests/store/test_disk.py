"""Durable file writes (store/disk.py) and the one clear error for a failing disk."""
import errno
import hashlib
import os
import sqlite3
import stat
import subprocess
import sys

import pytest

from labdesk.errors import LabError, ValidationError, storage_error
from labdesk.store import disk


def _names(folder):
    return sorted(p.name for p in folder.iterdir())


def test_write_atomically_writes_the_bytes_with_the_mode_and_no_temporary_file(tmp_path):
    target = tmp_path / "sub" / "page.html"
    sha = disk.write_atomically(target, b"<p>hello</p>", mode=0o644)
    assert sha == hashlib.sha256(b"<p>hello</p>").hexdigest()
    assert target.read_bytes() == b"<p>hello</p>"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert _names(target.parent) == ["page.html"]
    disk.write_atomically(target, b"<p>again</p>", mode=0o644)  # replaces by default
    assert target.read_bytes() == b"<p>again</p>" and _names(target.parent) == ["page.html"]


def test_a_failed_write_leaves_neither_a_temporary_file_nor_a_partial_target(tmp_path,
                                                                             monkeypatch):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"the old one")

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x"))

    monkeypatch.setattr(disk.os, "fsync", full)
    with pytest.raises(LabError, match="issuing R1 failed: the disk is full") as caught:
        disk.write_atomically(target, b"the new one", action="issuing R1")
    assert type(caught.value) is LabError and "Nothing was changed" in str(caught.value)
    assert _names(tmp_path) == ["report.pdf"] and target.read_bytes() == b"the old one"


def test_a_bug_during_a_write_goes_through_unchanged_and_leaves_nothing(tmp_path,
                                                                       monkeypatch):
    def bug(*args):
        raise ZeroDivisionError

    monkeypatch.setattr(disk.os, "replace", bug)
    with pytest.raises(ZeroDivisionError):
        disk.write_atomically(tmp_path / "a.txt", b"x")
    assert _names(tmp_path) == []


def test_an_exclusive_0600_write_is_the_owners_only(tmp_path):
    key = tmp_path / "keys" / "abc.key"
    disk.write_atomically(key, b"secret", mode=0o600, exclusive=True)
    assert key.read_bytes() == b"secret"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert _names(key.parent) == ["abc.key"]


@pytest.mark.parametrize("existing", ["file", "symlink"])
def test_an_exclusive_write_refuses_a_file_already_there(tmp_path, existing):
    key = tmp_path / "abc.key"
    planted = tmp_path / "planted"
    planted.write_bytes(b"someone else's")
    os.chmod(planted, 0o666)
    if existing == "file":
        os.link(planted, key)
    else:
        key.symlink_to(planted)
    with pytest.raises(LabError, match="writing the key failed: a file of that name is "
                                       "already there"):
        disk.write_atomically(key, b"secret", mode=0o600, action="writing the key",
                              exclusive=True)
    assert planted.read_bytes() == b"someone else's"  # neither replaced nor written into
    assert stat.S_IMODE(planted.stat().st_mode) == 0o666
    assert _names(tmp_path) == ["abc.key", "planted"]


def test_an_exclusive_write_without_hard_links_still_refuses_and_still_writes(tmp_path,
                                                                             monkeypatch):
    def no_links(*args):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(disk.os, "link", no_links)
    key = tmp_path / "abc.key"
    disk.write_atomically(key, b"secret", mode=0o600, exclusive=True)
    assert key.read_bytes() == b"secret" and _names(tmp_path) == ["abc.key"]
    with pytest.raises(LabError, match="already there"):
        disk.write_atomically(key, b"other", mode=0o600, exclusive=True)
    assert key.read_bytes() == b"secret" and _names(tmp_path) == ["abc.key"]


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_dead_writers_temporary_files_are_removed_and_live_ones_kept(tmp_path):
    dead, live = _dead_pid(), os.getpid()
    for name in (f".R1.pdf.{dead}-abcd1234", f".R1.pdf.{live}-abcd1234", "R1.pdf",
                 f".other.{dead}-notours"):
        (tmp_path / name).write_bytes(b"x")
    assert disk.remove_dead_writers_temporary_files(tmp_path) == 1
    assert _names(tmp_path) == [f".R1.pdf.{live}-abcd1234", f".other.{dead}-notours",
                                "R1.pdf"]
    assert disk.remove_dead_writers_temporary_files(tmp_path / "missing") == 0


def test_a_write_removes_the_files_a_killed_writer_left_for_the_same_target(tmp_path):
    dead = _dead_pid()
    (tmp_path / f".R1.pdf.{dead}-abcd1234").write_bytes(b"half")
    (tmp_path / f".R2.pdf.{dead}-abcd1234").write_bytes(b"half of another")
    disk.write_atomically(tmp_path / "R1.pdf", b"%PDF")
    assert _names(tmp_path) == [f".R2.pdf.{dead}-abcd1234", "R1.pdf"]


def test_remove_dead_writers_files_takes_only_the_prefix_of_dead_writers(tmp_path):
    dead, live = _dead_pid(), os.getpid()
    for name in (f"incoming-{dead}-x", f"incoming-{live}-x", "incoming-nopid-x",
                 f"other-{dead}-x"):
        (tmp_path / name).write_bytes(b"x")
    disk.remove_dead_writers_files(tmp_path, "incoming-")
    assert _names(tmp_path) == [f"incoming-{live}-x", "incoming-nopid-x", f"other-{dead}-x"]


def test_fsync_dir_and_unlink_quietly_never_fail_on_what_is_missing(tmp_path):
    disk.fsync_dir(tmp_path)
    disk.unlink_quietly(tmp_path / "missing")


@pytest.mark.parametrize("code, words", [
    (errno.ENOSPC, "the disk is full (/lab)"),
    (errno.EROFS, "the disk is read-only (/lab)"),
    (errno.EACCES, "LabDesk is not allowed to write there (/lab)"),
    (errno.EIO, "the disk reported an input/output error (/lab)"),
    (errno.EEXIST, "a file of that name is already there (/lab)"),
])
def test_storage_error_names_the_action_and_the_reason(code, words):
    error = storage_error(OSError(code, os.strerror(code), "/lab/file"), "storing scan.pdf")
    assert type(error) is LabError
    assert str(error).startswith(f"storing scan.pdf failed: {words}")
    assert str(error).endswith(". Nothing was changed.")


@pytest.mark.parametrize("exc, words", [
    (sqlite3.OperationalError("database or disk is full"), "the disk is full"),
    (sqlite3.OperationalError("attempt to write a readonly database"), "read-only"),
    (sqlite3.OperationalError("disk I/O error"), "input/output error"),
    (sqlite3.OperationalError("database is locked"), "another LabDesk window"),
])
def test_storage_error_explains_sqlites_disk_failures(exc, words):
    assert words in str(storage_error(exc, "saving to the lab's database"))


@pytest.mark.parametrize("exc", [ValidationError("x: bad"), KeyError("x"),
                                 sqlite3.IntegrityError("UNIQUE constraint failed")])
def test_storage_error_lets_other_errors_through(exc):
    assert storage_error(exc, "anything") is None
