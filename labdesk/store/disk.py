"""Durable file writes: a file is written to a temporary file beside it, fsynced, then
renamed into place, and its folder fsynced, so a crash leaves either the whole file or the
one before.

A temporary file carries its writer's process id in its name; one left by a process that
was killed is removed by the next write (or by ``remove_dead_writers_temporary_files``).
A full or read-only disk is one ``LabError`` naming what failed (``storage_error``).
"""
from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
from pathlib import Path

from labdesk.errors import IntegrityError, storage_error


def write_atomically(path: Path, data: bytes, mode: int = 0o444,
                     action: str | None = None, exclusive: bool = False) -> str:
    """Write ``data`` to ``path`` through a temporary file, fsynced, then renamed; returns
    the SHA-256 of the bytes.

    The temporary file is created afresh (``O_EXCL``) readable by its owner only, and gets
    ``mode`` before it takes ``path``'s name.  ``exclusive`` refuses to replace a file
    already at ``path`` (a signing key is written once: ``mode=0o600, exclusive=True``).

    ``LabError`` (one message, naming ``action``, default "writing <name>") when the disk
    is full or read-only or, with ``exclusive``, ``path`` exists; then neither the
    temporary file nor a partial ``path`` is left.  A temporary file for the same ``path``
    left by a killed process is removed."""
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        prefix = f".{path.name}."
        remove_dead_writers_files(path.parent, prefix)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{prefix}{os.getpid()}-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        if exclusive:
            _rename_without_replacing(tmp, path)
        else:
            os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException as exc:
        if tmp is not None:
            unlink_quietly(tmp)
        error = storage_error(exc, action or f"writing {path.name}")
        if error is not None:
            raise error from exc
        raise
    return hashlib.sha256(data).hexdigest()


def _rename_without_replacing(tmp: str, path: Path) -> None:
    """Give ``tmp`` the name ``path`` unless a file has it (``FileExistsError``): a hard
    link is made or refused in one step; where the file system has no hard links, the
    check and the rename are two."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:  # no hard links here (FAT, some network shares)
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path)) \
                from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def fsync_dir(path: Path) -> None:
    """Make a rename (or a new file) in the folder ``path`` durable."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows cannot open folders
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def unlink_quietly(path) -> None:
    """Remove the file ``path`` if it can be; never raises."""
    try:
        os.unlink(path)
    except OSError:
        pass


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def remove_dead_writers_files(folder: Path, prefix: str) -> None:
    """Remove ``prefix<pid>-*`` temporary files whose writer process is gone (killed in
    the middle of a write).  A live writer's files, and any other file, are left alone."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(prefix)]
    except OSError:
        return
    for entry in entries:
        pid_text = entry.name[len(prefix):].split("-", 1)[0]
        if pid_text.isdigit() and not _pid_alive(int(pid_text)):
            unlink_quietly(entry.path)


_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[a-z0-9_]{8}$")


def remove_dead_writers_temporary_files(folder: Path) -> int:
    """Remove the hidden temporary files ``write_atomically`` left in ``folder`` when its
    process was killed (their writer's process id is gone), whatever file they were for;
    returns how many."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        found = _TEMPORARY.match(entry.name)
        if found and entry.is_file(follow_symlinks=False) \
                and not _pid_alive(int(found["pid"])):
            unlink_quietly(entry.path)
            removed += 1
    return removed


def read_verified(path: Path, sha256: str, what: str) -> bytes:
    """The bytes of ``path``, checked against their SHA-256: ``IntegrityError`` naming
    ``what`` when the file is missing or was altered."""
    if not path.is_file():
        raise IntegrityError(f"the PDF of {what} is missing ({path.name})")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise IntegrityError(f"the PDF of {what} was altered on disk (SHA-256 differs)")
    return data
