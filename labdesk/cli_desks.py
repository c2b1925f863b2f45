"""The command line of a lab with several desks (PostgreSQL): ``join``, ``migrate``,
``keys export-private`` and ``keys import-private``; ``init --database`` and
``restore --database`` live with their commands in ``labdesk.cli``.

A desk's address never holds a password: libpq finds it in ``~/.pgpass``, a service file
(``service=NAME``) or ``PGPASSWORD``; TLS settings (``sslmode``, ``sslrootcert``...) pass
through in the address."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from labdesk.cli import (default_home, fail, handles_errors, home_option, keys, main,
                         session, user_option)

DATABASE_HELP = ("The lab server's PostgreSQL address, e.g. postgresql://labdesk@db.lab."
                 "local/labdesk?sslmode=verify-full (no password: put it in ~/.pgpass).")


def _passphrase(confirm: bool) -> str:
    value = os.environ.get("LABDESK_KEY_PASSPHRASE")
    if value is not None:
        return value
    if not sys.stdin.isatty():
        fail("set LABDESK_KEY_PASSPHRASE or run in a terminal to be asked for the "
              "passphrase")
    return click.prompt("passphrase for the signing key", hide_input=True,
                        confirmation_prompt=confirm)


@main.command()
@home_option
@click.option("--database", required=True, help=DATABASE_HELP)
@handles_errors
def join(home, database):
    """Make this computer a desk of a lab whose records are on a PostgreSQL server."""
    from labdesk.lab import Lab
    lab = Lab.join(home or default_home(), database=database)
    try:
        click.echo(f"this desk ({lab.home}) joined the lab on {lab.database}")
        click.echo("it holds no signing key: to issue reports here, an admin imports one "
                   "with 'labdesk keys import-private'")
    finally:
        lab.close()


@main.command()
@home_option
@user_option
@click.option("--to", "database", required=True, help=DATABASE_HELP)
@handles_errors
def migrate(home, username, database):
    """Move this SQLite lab into an empty PostgreSQL database (admins); this home then
    becomes its first desk and keeps its SQLite files aside, never deleted."""
    with session(home, username, login=True) as lab:
        moved = lab.move_to_server(database)
    try:
        click.echo(f"moved the lab to {moved.database}; {moved.home} is now a desk of it. "
                   f"Other desks: labdesk join --database ...")
    finally:
        moved.close()


@keys.command("export-private")
@home_option
@user_option
@click.option("-o", "--output", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write (keep it safe; it signs the lab's reports).")
@handles_errors
def keys_export_private(home, username, output):
    """Write the signing key, encrypted with a passphrase (from
    $LABDESK_KEY_PASSPHRASE or a prompt), for a desk that is to issue reports (admins)."""
    with session(home, username, login=True) as lab:
        path = lab.export_private_key(output, _passphrase(confirm=True))
    click.echo(f"wrote the encrypted signing key to {path}")


@keys.command("import-private")
@home_option
@user_option
@click.argument("key_file", type=click.Path(dir_okay=False, path_type=Path))
@handles_errors
def keys_import_private(home, username, key_file):
    """Keep at this desk a signing key written by 'keys export-private' (admins)."""
    with session(home, username, login=True) as lab:
        kid = lab.import_private_key(key_file, _passphrase(confirm=False))
    click.echo(f"this desk now holds the signing key {kid} and can issue reports")
