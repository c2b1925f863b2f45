"""The ``labdesk`` command.  Every command acts through ``Lab``; a ``LabError`` is printed
on one line and the command exits 2 (``check`` exits 1 when it finds problems)."""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click
import platformdirs

from labdesk.errors import LabError, ValidationError


def default_home() -> Path:
    """``LABDESK_HOME`` or the platform's user data folder."""
    env = os.environ.get("LABDESK_HOME")
    return Path(env) if env else Path(platformdirs.user_data_dir("LabDesk", "LabDesk"))


def _fail(message: str, code: int = 2):
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def handles_errors(func):
    """Turn a ``LabError`` into one line on stderr and exit status 2."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ValidationError as exc:
            if len(exc.problems) > 1:
                click.echo(f"error: {len(exc.problems)} problems; nothing was saved:",
                           err=True)
                for p in exc.problems:
                    click.echo(f"  {p['message']}", err=True)
                sys.exit(2)
            _fail(str(exc))
        except LabError as exc:
            _fail(str(exc))
    return wrapper


home_option = click.option(
    "--home", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="The lab's home folder (default: $LABDESK_HOME or the user data folder).")
user_option = click.option(
    "--user", "username", envvar="LABDESK_USER", default=None,
    help="Act as this user; the password comes from $LABDESK_PASSWORD or a prompt.")


def _open(home: Path | None):
    from labdesk.lab import Lab
    return Lab.open(home or default_home())


def _login(lab, username: str | None):
    if not username:
        _fail("name the acting user with --user NAME")
    password = os.environ.get("LABDESK_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            _fail("set LABDESK_PASSWORD or run in a terminal to be asked for the password")
        password = click.prompt(f"password for {username}", hide_input=True)
    lab.login(username, password)


@click.group(invoke_without_command=True)
@click.version_option(package_name="labdesk")
@home_option
@click.pass_context
def main(ctx, home):
    """LabDesk: intake, origin evidence, four-eyes findings and signed reports."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(gui, home=home)


@main.command()
@home_option
@click.pass_context
def gui(ctx, home):
    """Start the desktop application on the lab's home."""
    try:
        from labdesk.ui.app import run  # noqa: F401  (the GUI arrives with its issue)
    except ImportError:
        home = home or default_home()
        click.echo("The desktop window is not part of this version yet; the lab's status:")
        ctx.invoke(status, home=home)
        return
    sys.exit(run(home or default_home()))


@main.command()
@home_option
@handles_errors
def status(home):
    """Print the lab's name, users and stone counts."""
    lab = _open(home)
    try:
        settings = lab.settings()
        counts = lab.counts()
        click.echo(f"{settings['lab_name']} ({lab.home})")
        click.echo("users: " + ", ".join(f"{u.username} ({u.role})" for u in lab.users()))
        states = counts["stones"]
        click.echo(f"stones: {sum(states.values())} — "
                   + ", ".join(f"{n} {s}" for s, n in sorted(states.items())))
    finally:
        lab.close()


@main.command()
@home_option
@click.option("--lab-name", required=True, help="The lab's name, printed on reports.")
@click.option("--admin", "admin_username", required=True, help="The first admin's username.")
@click.option("--admin-name", required=True, help="The first admin's full name.")
@click.option("--address", default="", help="The lab's postal address.")
@click.option("--report-prefix", default="LD", show_default=True)
@click.option("--verify-url", default="", help="https:// address of the verify page.")
@click.option("--paper-size", type=click.Choice(["A4", "Letter"]), default="A4",
              show_default=True)
@handles_errors
def init(home, lab_name, admin_username, admin_name, address, report_prefix, verify_url,
         paper_size):
    """Create a new lab; the admin's password comes from $LABDESK_PASSWORD or a prompt."""
    from labdesk.lab import Lab
    password = os.environ.get("LABDESK_PASSWORD") or click.prompt(
        f"password for {admin_username}", hide_input=True, confirmation_prompt=True)
    lab = Lab.init(home or default_home(), lab_name=lab_name,
                   admin_username=admin_username, admin_password=password,
                   admin_name=admin_name, address=address, report_prefix=report_prefix,
                   verify_url=verify_url, paper_size=paper_size)
    click.echo(f"created lab {lab_name!r} in {lab.home}")
    lab.close()


@main.group()
def user():
    """Manage user accounts (admins)."""


@user.command("add")
@home_option
@user_option
@click.argument("new_username")
@click.option("--name", "full_name", required=True, help="Full name (printed with "
              "signatures).")
@click.option("--role", type=click.Choice(["technician", "supervisor", "admin"]),
              required=True)
@click.option("--password", "new_password", envvar="LABDESK_NEW_PASSWORD", default=None,
              help="The new user's password (default: $LABDESK_NEW_PASSWORD or a prompt).")
@handles_errors
def user_add(home, username, new_username, full_name, role, new_password):
    """Add a user."""
    lab = _open(home)
    try:
        _login(lab, username)
        if new_password is None:
            new_password = click.prompt(f"password for {new_username}", hide_input=True,
                                        confirmation_prompt=True)
        added = lab.add_user(new_username, full_name, role, new_password)
        click.echo(f"added {added.username} ({added.role})")
    finally:
        lab.close()


@user.command("deactivate")
@home_option
@user_option
@click.argument("target")
@handles_errors
def user_deactivate(home, username, target):
    """Deactivate a user: they can no longer log in; their records stay."""
    lab = _open(home)
    try:
        _login(lab, username)
        lab.deactivate_user(target)
        click.echo(f"deactivated {target}")
    finally:
        lab.close()


@user.command("list")
@home_option
@handles_errors
def user_list(home):
    """List the users."""
    lab = _open(home)
    try:
        for u in lab.users():
            state = "" if u.active else "  (deactivated)"
            click.echo(f"{u.username:<16} {u.role:<11} {u.full_name}{state}")
    finally:
        lab.close()


@main.command("import")
@home_option
@user_option
@click.argument("packing_list", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--client", required=True, help="The client who sent the stones.")
@click.option("--reference", default=None, help="The client's reference for the parcel.")
@click.option("--received-at", default=None, help="When the parcel arrived (ISO date/time).")
@handles_errors
def import_(home, username, packing_list, client, reference, received_at):
    """Receive every stone of a packing list (CSV or XLSX), all or nothing."""
    lab = _open(home)
    try:
        _login(lab, username)
        sub = lab.import_packing_list(packing_list, client, reference=reference,
                                      received_at=received_at)
        click.echo(f"received {sub.number}: {len(sub.stones)} stones, {sub.total_weight} ct"
                   f" ({sub.stones[0].number} to {sub.stones[-1].number})")
        if sub.left_out:
            click.echo("columns left out: " + ", ".join(sub.left_out))
    finally:
        lab.close()


@main.command()
@home_option
@handles_errors
def check(home):
    """Check the database, the audit chain and every document (exit 1 on problems)."""
    lab = _open(home)
    try:
        result = lab.check()
    finally:
        lab.close()
    if result.ok:
        click.echo(f"ok: {result.events} audit events, {result.documents} documents, "
                   f"{sum(result.records.values())} records checked")
        return
    click.echo(f"{len(result.problems)} problems:")
    for problem in result.problems:
        click.echo(f"  {problem}")
    sys.exit(1)


@main.command()
@home_option
@user_option
@click.argument("target", required=False, type=click.Path(path_type=Path))
@handles_errors
def backup(home, username, target):
    """Write a backup zip (default: the home's backups/ folder)."""
    lab = _open(home)
    try:
        _login(lab, username)
        path = lab.backup(target)
        click.echo(f"backup written to {path}")
    finally:
        lab.close()


@main.command()
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="A new, empty folder for the restored lab.")
@handles_errors
def restore(backup_file, home):
    """Restore a backup into a new home and check it."""
    from labdesk.lab import Lab
    lab = Lab.restore(backup_file, home)
    click.echo(f"restored into {lab.home}; check passed")
    lab.close()


@main.command()
@home_option
@click.option("--no-gui", is_flag=True, help="Build the demo lab and print how to log in.")
@handles_errors
def demo(home, no_gui):
    """Create the demo lab (if there is none) and open it."""
    from labdesk.demo import DEMO_USERS, build_demo
    from labdesk.lab import Lab
    home = home or default_home().parent / "LabDesk-demo"
    if (home / "labdesk.db").exists():
        click.echo(f"demo lab already in {home}")
    else:
        lab = build_demo(home)
        lab.close()
        click.echo(f"demo lab created in {home}")
    for username, (full_name, role, password) in DEMO_USERS.items():
        click.echo(f"  {role:<11} {username:<8} password: {password}   ({full_name})")
    if not no_gui:
        click.get_current_context().invoke(gui, home=home)
    else:
        lab = Lab.open(home)
        counts = lab.counts()["stones"]
        lab.close()
        click.echo("stones: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
