"""A throwaway PostgreSQL server for the tests: Debian's ``initdb`` and ``pg_ctl`` in a
temporary folder, on a free port of the loopback, run as an unprivileged user when the
tests run as root (PostgreSQL refuses to run as root).

No silent skip: without the server binaries the tests that need them fail with a
sentence naming the package to install.

* ``PgServer.start()`` makes and starts the cluster; ``stop()``/``restart()`` are what
  the fault tests use.
* ``create_database(name, template=None)`` makes a database owned by the unprivileged
  role ``labdesk`` (what a lab's IT gives LabDesk: no superuser), from ``template`` when
  given (a copy of a prepared lab in milliseconds).
* ``dsn(dbname)`` is how LabDesk reaches it; ``superuser(dbname)`` a psycopg connection
  for what only an intruder with the server's keys could do (tamper tests).
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PACKAGE_HINT = ("PostgreSQL's server binaries (initdb, pg_ctl) were not found: install "
                "Debian's `postgresql` package (sudo apt-get install postgresql)")

ROLE = "labdesk"
SUPERUSER = "postgres"


def server_bindir() -> Path:
    """The newest installed PostgreSQL (15 or newer) server's bin folder."""
    found = []
    for folder in glob.glob("/usr/lib/postgresql/*/bin"):
        version = Path(folder).parent.name
        if version.isdigit() and int(version) >= 15 and Path(folder, "initdb").exists():
            found.append((int(version), Path(folder)))
    if found:
        return max(found)[1]
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).resolve().parent
    raise RuntimeError(PACKAGE_HINT)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_as() -> pwd.struct_passwd | None:
    """Who runs the server: ourselves, or (as root) the ``postgres`` account Debian's
    package makes, else ``nobody``."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("the tests run as root and there is no unprivileged account "
                       "(postgres or nobody) to run PostgreSQL as")


class PgServer:
    def __init__(self):
        self.bindir = server_bindir()
        self.user = _run_as()
        self.root = Path(tempfile.mkdtemp(prefix="labdesk-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.log = self.root / "server.log"
        if self.user is not None:
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        os.chmod(self.root, 0o755)

    # -- running as the unprivileged account --------------------------------------------
    def _demote(self):
        if self.user is None:
            return None
        uid, gid = self.user.pw_uid, self.user.pw_gid

        def demote():
            os.setgid(gid)
            os.setuid(uid)
        return demote

    def _run(self, *args: str, check: bool = True, timeout: float = 120):
        env = {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8",
               "HOME": str(self.root)}
        result = subprocess.run([str(self.bindir / args[0]), *args[1:]],
                                preexec_fn=self._demote(), cwd=self.root, env=env,
                                capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): "
                               f"{result.stderr.strip() or result.stdout.strip()}\n"
                               f"{self.log.read_text() if self.log.exists() else ''}")
        return result

    # -- life ----------------------------------------------------------------------------
    def start(self) -> "PgServer":
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                      "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
            with open(self.data / "postgresql.conf", "a") as conf:
                conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                           f"unix_socket_directories = '{self.root}'\n"
                           "fsync = off\nfull_page_writes = off\n"
                           "max_connections = 200\nshared_buffers = 128MB\n")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                  "start")
        if not getattr(self, "_role_made", False):
            with self.superuser() as conn:
                exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                                      [ROLE]).fetchone()
                if not exists:
                    conn.execute(f"CREATE ROLE {ROLE} LOGIN CREATEDB")
            self._role_made = True
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def restart(self) -> None:
        self.stop()
        self.start()

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    # -- databases -----------------------------------------------------------------------
    def dsn(self, dbname: str, user: str = ROLE) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}"

    def superuser(self, dbname: str = "postgres"):
        import psycopg
        return psycopg.connect(self.dsn(dbname, SUPERUSER), autocommit=True)

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database owned by the unprivileged role; returns its DSN."""
        with self.superuser() as conn:
            clause = f" TEMPLATE {template}" if template else ""
            for attempt in range(50):  # a template still held by a closing session
                try:
                    conn.execute(f'CREATE DATABASE "{name}" OWNER {ROLE}{clause}')
                    break
                except Exception as exc:
                    if "being accessed by other users" not in str(exc) or attempt == 49:
                        raise
                    time.sleep(0.1)
        return self.dsn(name)

    def drop_database(self, name: str) -> None:
        with self.superuser() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def kill_connections(self, dbname: str) -> int:
        """End every session on ``dbname`` (a connection dropped mid-operation)."""
        with self.superuser() as conn:
            return len(conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                "AND pid <> pg_backend_pid()", [dbname]).fetchall())
