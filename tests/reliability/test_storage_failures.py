"""A full disk and a read-only home: writing an attachment, a report or a backup fails with
ONE clear LabError (never an OSError or a SQLite error), and the lab stays as it was:
check() passes, the records are unchanged, no partial file is left.

A small tmpfs plays the full disk (``mount -t tmpfs -o size=16m``) and a read-only bind
mount of the home plays a home that became read-only while LabDesk had it open (root
ignores file modes, so ``chmod a-w`` proves nothing).  The tests are skipped where
mounting is not permitted.
"""
from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest

from labdesk import Lab, LabError
from support import reliability
from support.homes import copy_home

PW = reliability.PASSWORDS


def _run(*command: str) -> bool:
    return subprocess.run(command, capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    root = tmp_path_factory.mktemp("disk")
    reliability.build_template(root / "home", root / "files")
    reliability.make_big_pdf(root / "files" / "scan.pdf", 1)
    return root


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB tmpfs; unmounted (lazily, if busy) afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or not _run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs",
                                     str(mount)):
        pytest.skip("mounting a tmpfs is not permitted here")
    yield mount
    if not _run("umount", str(mount)):
        _run("umount", "-l", str(mount))


class Filler:
    """Fills a disk but for ``leave`` bytes, and frees it again."""

    def __init__(self, disk: Path):
        self.path = disk / "filler"

    def fill(self, leave: int = 0) -> None:
        self.free()
        chunk = b"\0" * 65536
        with open(self.path, "wb", buffering=0) as out:   # unbuffered: nothing is left
            try:                                          # to fail again at close
                while True:
                    out.write(chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
            size = out.tell()
        if leave:
            os.truncate(self.path, max(0, size - leave))

    def free(self) -> None:
        self.path.unlink(missing_ok=True)


@pytest.fixture
def lab_on_small_disk(template, small_disk):
    home = copy_home(template / "home", small_disk / "home")
    lab = Lab.open(home)
    yield lab, Filler(small_disk)
    lab.close()


def _leftovers(home: Path) -> list[str]:
    """Temporary or partial files a failed write could leave behind."""
    found = [p.name for p in (home / "documents" / "tmp").glob("*")]
    found += [p.name for p in (home / "reports").glob(".*")]
    found += [p.name for p in (home / "backups").glob(".*")]
    found += [p.name for p in (home / "backups").glob("*.zip")]
    return found


def _assert_one_clear_error(caught, *words) -> None:
    error = caught.value
    assert type(error) is LabError or isinstance(error, LabError)
    message = str(error)
    assert "\n" not in message and "Errno" not in message, message
    assert any(w in message for w in words), message


def test_an_attachment_on_a_full_disk_is_one_clear_error_and_changes_nothing(
        lab_on_small_disk, template):
    lab, disk = lab_on_small_disk
    lab.login("tech", PW["tech"])
    evidence = lab.add_evidence(reliability.FOR_EVIDENCE, "kp_certificate",
                                **reliability.kp_fields("BW-FULL"))
    before = reliability.snapshot(lab)
    for leave in (0, 64 * 1024, 512 * 1024):  # nothing left; less than the scan; some
        disk.fill(leave)
        with pytest.raises(LabError) as caught:
            lab.attach(evidence.id, template / "files" / "scan.pdf")
        _assert_one_clear_error(caught, "disk is full")
        assert "scan.pdf" in str(caught.value)
        assert reliability.snapshot(lab) == before
        assert not _leftovers(lab.home)
        assert lab.check().ok
    disk.free()
    assert lab.attach(evidence.id, template / "files" / "scan.pdf").size > 1_000_000
    assert lab.check().ok


def test_a_report_on_a_full_disk_is_whole_or_absent_at_every_level_of_free_space(
        lab_on_small_disk):
    """From no space at all up to enough: each attempt either issues the whole report or
    fails with one LabError leaving no report, no PDF and no temporary file."""
    lab, disk = lab_on_small_disk
    lab.login("sup1", PW["sup1"])
    before = reliability.snapshot(lab)
    failures = []
    issued = None
    for leave in [0, 4096, 8192, 16384, 32768, 49152, 65536, 98304, 131072, 196608,
                  262144, 393216, 524288, 1 << 20]:
        disk.fill(leave)
        try:
            issued = lab.issue_report(reliability.TO_ISSUE)
        except LabError as exc:
            failures.append(str(exc))
            assert "disk" in str(exc) and "full" in str(exc), str(exc)
            assert not lab._db.conn.in_transaction  # rolled back, not left open
            assert "\n" not in str(exc)
            assert reliability.snapshot(lab) == before
            assert not reliability.unrecorded_report_pdfs(lab)
            assert not _leftovers(lab.home)
            disk.free()
            assert lab.check().ok
            continue
        break
    disk.free()
    assert failures, "the disk was never too full to issue a report"
    if issued is None:
        issued = lab.issue_report(reliability.TO_ISSUE)
    assert lab.report_pdf(issued.number).is_file()
    assert lab.verify(issued.qr_text).valid
    assert lab.check().ok
    again = Lab.open(lab.home)  # committed: another connection sees it
    try:
        again.login("admin", reliability.PASSWORDS["admin"])
        assert again.report(issued.number).status == "issued"
        assert again.check().ok
    finally:
        again.close()


def test_a_backup_on_a_full_disk_is_one_clear_error_and_leaves_no_partial_file(
        lab_on_small_disk, template):
    lab, disk = lab_on_small_disk
    lab.login("admin", PW["admin"])
    before = reliability.snapshot(lab)
    size = (template / "files" / "template.zip").stat().st_size
    for leave in (0, 16 * 1024, size // 2):  # nothing; a little; half what it needs
        disk.fill(leave)
        with pytest.raises(LabError) as caught:
            lab.backup()
        _assert_one_clear_error(caught, "disk is full")
        disk.free()
        assert reliability.snapshot(lab) == before
        assert not _leftovers(lab.home)
        assert lab.check().ok
    path = lab.backup()
    assert path.is_file() and (path.stat().st_mode & 0o077) == 0  # holds the private key


def test_a_backup_to_a_full_disk_elsewhere_is_one_clear_error(template, small_disk,
                                                              tmp_path):
    home = copy_home(template / "home", tmp_path / "home")
    lab = Lab.open(home)
    try:
        lab.login("admin", PW["admin"])
        before = reliability.snapshot(lab)
        Filler(small_disk).fill(16 * 1024)
        with pytest.raises(LabError) as caught:
            lab.backup(small_disk / "usb" / "lab.zip")
        _assert_one_clear_error(caught, "disk is full")
        assert not list((small_disk / "usb").glob("*"))
        assert reliability.snapshot(lab) == before
        assert lab.check().ok
    finally:
        lab.close()


def test_a_restore_onto_a_full_disk_is_one_clear_error_and_leaves_nothing(template,
                                                                          small_disk):
    Filler(small_disk).fill(64 * 1024)
    with pytest.raises(LabError) as caught:
        Lab.restore(template / "files" / "template.zip", small_disk / "restored")
    _assert_one_clear_error(caught, "disk is full")
    assert not [p for p in small_disk.iterdir() if p.name != "filler"]


def test_an_intake_on_a_full_disk_is_one_clear_error(lab_on_small_disk):
    lab, disk = lab_on_small_disk
    lab.login("tech", PW["tech"])
    before = reliability.snapshot(lab)
    disk.fill(0)
    try:
        with pytest.raises(LabError):
            lab.receive(reliability.CLIENT, reliability.stones(500, "FULL"))
    finally:
        disk.free()
    assert reliability.snapshot(lab) == before


# ---------------------------------------------------------------------- read-only home
@pytest.fixture
def read_only_home(template, tmp_path):
    """A lab opened, then its home made read-only under it (a read-only bind mount of the
    folder onto itself: the database stays open, nothing new can be created)."""
    home = copy_home(template / "home", tmp_path / "home")
    lab = Lab.open(home)
    state = {"mounted": False}

    def make_read_only():
        if os.geteuid() != 0 or not _run("mount", "--bind", str(home), str(home)):
            pytest.skip("bind mounts are not permitted here")
        state["mounted"] = True
        if not _run("mount", "-o", "remount,bind,ro", str(home)):
            pytest.skip("a read-only remount is not permitted here")

    def make_writable():
        if state["mounted"]:
            if not _run("umount", str(home)):
                _run("umount", "-l", str(home))
            state["mounted"] = False

    yield lab, make_read_only, make_writable
    lab.close()
    make_writable()


def test_writes_to_a_read_only_home_are_one_clear_error_each_and_change_nothing(
        read_only_home, template):
    lab, make_read_only, make_writable = read_only_home
    lab.login("tech", PW["tech"])
    evidence = lab.add_evidence(reliability.FOR_EVIDENCE, "kp_certificate",
                                **reliability.kp_fields("BW-RO"))
    before = reliability.snapshot(lab)
    make_read_only()
    with pytest.raises(OSError):  # the folder really is read-only
        (lab.home / "reports" / "probe").write_bytes(b"x")

    with pytest.raises(LabError) as caught:
        lab.attach(evidence.id, template / "files" / "scan.pdf")
    _assert_one_clear_error(caught, "read-only")
    lab.login("sup1", PW["sup1"])
    with pytest.raises(LabError) as caught:
        lab.issue_report(reliability.TO_ISSUE)
    _assert_one_clear_error(caught, "read-only")
    lab.login("admin", PW["admin"])
    with pytest.raises(LabError) as caught:
        lab.backup()
    _assert_one_clear_error(caught, "read-only")
    with pytest.raises(LabError) as caught:
        lab.set_logo(template / "files" / "small.pdf")  # refused as a logo first
    assert reliability.snapshot(lab) == before
    assert lab.check().ok

    make_writable()
    assert not _leftovers(lab.home)
    lab.login("sup1", PW["sup1"])
    assert lab.issue_report(reliability.TO_ISSUE).number
    assert lab.check().ok


def test_a_report_copy_or_labels_to_a_read_only_folder_are_one_clear_error(
        read_only_home, tmp_path):
    lab, make_read_only, _ = read_only_home
    lab.login("tech", PW["tech"])
    number = lab.reports(limit=1).items[0].number
    make_read_only()
    for call in (lambda: lab.report_pdf(number, lab.home / "copy.pdf"),
                 lambda: lab.labels_pdf([reliability.FOR_EVIDENCE], lab.home / "labels.pdf"),
                 lambda: lab.publish(lab.home / "site")):
        with pytest.raises(LabError) as caught:
            call()
        _assert_one_clear_error(caught, "read-only")
    assert lab.check().ok
