"""The ``labdesk`` command.  Every command acts through ``Lab``; a ``LabError`` is printed
on one line and the command exits 2 (``check`` exits 1 when it finds problems)."""
from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def _session(home: Path | None, username: str | None = None, login: bool = False,
             reads: bool = False):
    """The lab at ``home``, logged in as ``username`` when ``login`` (or ``reads``: a
    command that only reads the lab's records, which says so when ``--user`` is missing);
    closed after."""
    lab = _open(home)
    try:
        if login or reads:
            _login(lab, username, READS_NEED_LOGIN if reads and not login else
                   "name the acting user with --user NAME")
        yield lab
    finally:
        lab.close()


#: Why a command that only reads needs ``--user`` (design.md: access to the lab's
#: records is for logged-in users; only ``verify --public-key`` needs no one).
READS_NEED_LOGIN = ("the lab's records are shown only to a logged-in user: name the user "
                    "with --user NAME (the password comes from $LABDESK_PASSWORD or a "
                    "prompt)")


def _login(lab, username: str | None, why: str = "name the acting user with --user NAME"):
    if not username:
        _fail(why)
    password = os.environ.get("LABDESK_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            _fail("set LABDESK_PASSWORD or run in a terminal to be asked for the password")
        password = click.prompt(f"password for {username}", hide_input=True)
    lab.login(username, password)
    return password


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
def gui(home):
    """Start the desktop application on the lab's home."""
    try:
        from labdesk.ui.app import run
    except ImportError as exc:  # Qt's system libraries missing
        _fail(f"the desktop application cannot start ({exc}); the command-line tools "
              f"work: see 'labdesk --help'")
    sys.exit(run(home or default_home()))


@main.command()
@home_option
@handles_errors
def status(home):
    """Print the lab's name, users and stone counts, and what its settings still lack
    (a verify page URL)."""
    from labdesk.core.settings import warnings
    with _session(home) as lab:
        settings = lab.settings()
        counts = lab.counts()
        users = lab.users()
        click.echo(f"{settings['lab_name']} ({lab.home})")
        click.echo(f"database: {lab.database}")
        click.echo("users: " + ", ".join(f"{u.username} ({u.role})" for u in users))
        click.echo(f"stones: {_state_counts(counts['stones'])}")
        click.echo("verify page: " + (settings.get("verify_url") or "none"))
        for warning in warnings(settings):
            click.echo(f"warning: {warning}; {SET_VERIFY_URL}")


#: How to set the verify page URL after ``labdesk init``.
SET_VERIFY_URL = ("set it (the https:// address where 'labdesk publish' puts the verify "
                  "page) with 'labdesk settings verify_url=https://...' or on the Settings "
                  "page")


def _state_counts(states: dict) -> str:
    """{'received': 3, 'approved': 1} -> '4 (3 received, 1 approved)'; 'none yet'."""
    from labdesk.core.workflow import STATES
    total = sum(states.values())
    if not total:
        return "none yet"
    order = sorted(states, key=lambda s: (STATES.index(s) if s in STATES else len(STATES),
                                          s))
    return f"{total:,} (" + ", ".join(f"{states[s]:,} {s}" for s in order if states[s]) \
        + ")"


#: The lab settings ``labdesk init`` takes: every one the setup wizard asks (labdesk/ui/
#: setup.py), as ``(option, setting, click keywords)``; an admin changes them later with
#: ``labdesk settings`` or on the Settings page.
INIT_SETTINGS = (
    ("--address", "address", {"default": "", "help": "The lab's postal address."}),
    ("--accreditation", "accreditation", {
        "default": "", "help": "The accreditation line printed on reports (such as "
                               "'ISO/IEC 17025 accredited, BELAC 123-TEST')."}),
    ("--report-prefix", "report_prefix", {"default": "LD", "show_default": True,
                                          "help": "1 to 6 letters that start each report "
                                                  "number."}),
    ("--verify-url", "verify_url", {
        "default": "", "help": "The https:// address of the lab's verify page (see "
                               "'labdesk publish'); the reports' QR codes open it. "
                               "Without it they carry a bare token that a phone shows "
                               "as text."}),
    ("--paper-size", "paper_size", {"type": click.Choice(["A4", "Letter"]),
                                    "default": "A4", "show_default": True}),
)


def _init_settings(command):
    """The ``INIT_SETTINGS`` options on ``command``; it gets them as ``settings=dict``."""
    for option, key, keywords in reversed(INIT_SETTINGS):
        command = click.option(option, key, **keywords)(command)
    return command


@main.command()
@home_option
@click.option("--lab-name", required=True, help="The lab's name, printed on reports.")
@click.option("--admin", "admin_username", required=True, help="The first admin's username.")
@click.option("--admin-name", required=True, help="The first admin's full name.")
@click.option("--database", default=None,
              help="Keep the lab's records on this PostgreSQL server (an empty database; "
                   "no password in it: use ~/.pgpass), for several desks.")
@_init_settings
@handles_errors
def init(home, lab_name, admin_username, admin_name, database, **settings):
    """Create a new lab; the admin's password comes from $LABDESK_PASSWORD or a prompt.
    Give --verify-url: without it the reports' QR codes open nothing on a phone."""
    from labdesk.core.settings import parse_setting, warnings
    from labdesk.lab import Lab
    for key, value in {"lab_name": lab_name, **settings}.items():
        parse_setting(key, value)   # bad input is said before the password is asked
    password = os.environ.get("LABDESK_PASSWORD") or click.prompt(
        f"password for {admin_username}", hide_input=True, confirmation_prompt=True)
    lab = Lab.init(home or default_home(), lab_name=lab_name,
                   admin_username=admin_username, admin_password=password,
                   admin_name=admin_name, database=database, **settings)
    try:
        click.echo(f"created lab {lab_name!r} in {lab.home} ({lab.database})")
        for warning in warnings(lab.settings()):
            click.echo(f"warning: {warning}; {SET_VERIFY_URL} before issuing reports",
                       err=True)
    finally:
        lab.close()


@main.command("settings")
@home_option
@user_option
@click.argument("pairs", nargs=-1, metavar="[SETTING=VALUE]...")
@handles_errors
def settings_(home, username, pairs):
    """Print the lab's settings; with SETTING=VALUE pairs, change them (admins; recorded
    in the audit trail), such as verify_url=https://verify.example.org/."""
    from labdesk.core.settings import parse_setting, warnings
    changes = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().lower().replace("-", "_")
        if not sep or not key:
            raise ValidationError(f"{pair!r} is not SETTING=VALUE (such as "
                                  f"verify_url=https://verify.example.org/)", field="setting")
        if key == "logo":
            raise ValidationError("logo: choose the logo on the Settings page",
                                  field="logo")
        if key in changes:
            raise ValidationError(f"{key}: given twice", field=key)
        if key == "backup_on_exit":
            value = {"yes": True, "true": True, "on": True, "1": True, "no": False,
                     "false": False, "off": False, "0": False}.get(value.strip().lower(),
                                                                    value)
        changes[key] = parse_setting(key, value)
    with _session(home, username, login=bool(changes)) as lab:
        values = lab.update_settings(**changes) if changes else lab.settings()
    for key, value in values.items():
        if key != "logo":
            click.echo(f"{key:<18} {'' if value is None else value}".rstrip())
    for warning in warnings(values):
        click.echo(f"warning: {warning}; {SET_VERIFY_URL}", err=True)


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
    with _session(home, username, login=True) as lab:
        if new_password is None:
            new_password = click.prompt(f"password for {new_username}", hide_input=True,
                                        confirmation_prompt=True)
        added = lab.add_user(new_username, full_name, role, new_password)
        click.echo(f"added {added.username} ({added.role})")


@user.command("deactivate")
@home_option
@user_option
@click.argument("target")
@handles_errors
def user_deactivate(home, username, target):
    """Deactivate a user: they can no longer log in; their records stay."""
    with _session(home, username, login=True) as lab:
        lab.deactivate_user(target)
        click.echo(f"deactivated {target}")


@user.command("unlock")
@home_option
@user_option
@click.argument("target")
@handles_errors
def user_unlock(home, username, target):
    """Unlock an account locked after five wrong passwords in a row (admins)."""
    with _session(home, username, login=True) as lab:
        lab.unlock_user(target)
        click.echo(f"unlocked {target}: the count of wrong passwords starts again")


@user.command("list")
@home_option
@handles_errors
def user_list(home):
    """List the users."""
    with _session(home) as lab:
        for u in lab.users():
            state = "" if u.active else "  (deactivated)"
            if u.locked_until and u.locked_until > _utc_text():
                state += f"  (locked until {_lock_end(u.locked_until)})"
            click.echo(f"{u.username:<16} {u.role:<11} {u.full_name}{state}")


def _utc_text() -> str:
    from labdesk.store.connection import utcnow
    return utcnow()


def _lock_end(locked_until: str) -> str:
    import datetime as dt

    from labdesk.lab.accounts import until_text
    return until_text(dt.datetime.fromisoformat(locked_until.replace("Z", "+00:00")))


def _import_help() -> str:
    """``labdesk import --help``: what it does and every header it reads."""
    from labdesk.core.packing_list import HEADER_SYNONYMS
    from labdesk.ui.wording import STONE_FIELD_LABELS
    import textwrap
    lines = [textwrap.fill(f"{STONE_FIELD_LABELS.get(name, name)}: {', '.join(headers)}",
                           76, initial_indent="  ", subsequent_indent="      ")
             for name, headers in HEADER_SYNONYMS.items()]
    return ("Receive every stone of a packing list (CSV or XLSX), all or nothing.\n\n"
            "A list whose stock numbers the lab already holds for the client (the same "
            "list twice) is refused, naming the earlier submission; --allow-duplicates "
            "receives it anyway.  A submission received by mistake is voided with "
            "`labdesk void`.\n\n"
            "The header row may be anywhere in the first 20 rows; headers compare "
            "without case, spaces or punctuation ('#' reads as 'No').  The earlier lab "
            "and certificate number are kept on the stone (searchable, printed on the "
            "report as the earlier report); the origin is kept as the client's "
            "declaration, never counted as evidence.  Other columns are named as left "
            "out.  Accepted headers:\n\n\b\n" + "\n".join(lines))


@main.command("import", help=_import_help())
@home_option
@user_option
@click.argument("packing_list", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--client", required=True, help="The client who sent the stones.")
@click.option("--reference", default=None, help="The client's reference for the parcel.")
@click.option("--received-at", default=None, help="When the parcel arrived (ISO date/time).")
@click.option("--declared-count", type=int, default=None,
              help="How many stones the client's papers declare.")
@click.option("--declared-weight", default=None,
              help="The total carat weight the client's papers declare.")
@click.option("--allow-duplicates", is_flag=True,
              help="Receive the list even if the lab already holds some of its stock "
                   "numbers for this client (other stones under the same numbers).")
@handles_errors
def import_(home, username, packing_list, client, reference, received_at, declared_count,
            declared_weight, allow_duplicates):
    from labdesk.errors import DuplicateIntake
    with _session(home, username, login=True) as lab:
        try:
            sub = lab.import_packing_list(packing_list, client, reference=reference,
                                          received_at=received_at,
                                          declared_count=declared_count,
                                          declared_weight=declared_weight,
                                          allow_duplicates=allow_duplicates)
        except DuplicateIntake as exc:
            _fail(f"{exc}; nothing was saved (labdesk import --allow-duplicates receives "
                  f"it anyway; labdesk void SUBMISSION --reason TEXT voids one received "
                  f"by mistake)")
        click.echo(f"received {sub.number}: {len(sub.stones)} stones, {sub.total_weight} ct"
                   f" ({sub.stones[0].number} to {sub.stones[-1].number})")
        if sub.left_out:
            click.echo("columns left out: " + ", ".join(sub.left_out))
        for warning in sub.warnings:
            click.echo(f"warning: {warning}; the declared figures are recorded as given",
                       err=True)


@main.command("void")
@home_option
@user_option
@click.argument("submission")
@click.option("--reason", required=True, help="Why the submission was received by "
              "mistake (recorded with the signature).")
@handles_errors
def void(home, username, submission, reason):
    """Void a submission received by mistake (supervisors): its stones are kept and
    shown as voided, and nothing is proposed or issued from them.  The password is the
    signature's re-entered password."""
    with _signing_session(home, username) as (lab, password):
        voided = lab.void_submission(submission, reason, password=password)
        click.echo(f"voided {voided.number}: {len(voided.stones)} stones kept, shown as "
                   f"voided")


@main.command("return")
@home_option
@user_option
@click.argument("stones", nargs=-1)
@click.option("--collected-by", default=None, metavar="TEXT",
              help="Who collects the stones, as they name themselves.")
@click.option("--id-document", default=None, metavar="TEXT",
              help="The identity document seen (kind and number).")
@click.option("--note", default="", metavar="TEXT", help="A note kept with the return.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write the receipt's PDF here (default: the lab's cache).")
@click.option("--reprint", default=None, metavar="RECEIPT",
              help="Write the PDF of an earlier receipt (RET-000001) again; no stones.")
@handles_errors
def return_(home, username, stones, collected_by, id_document, note, output, reprint):
    """Hand STONES back to the client, against a signature (the password given is the
    re-entered password): reported stones with their reports, or received stones
    ungraded.  Writes the receipt for the collector to sign.  A stone goes back once,
    and takes no further work."""
    if reprint is not None:
        if stones:
            _fail("--reprint writes an earlier receipt again: name no stones with it")
        with _session(home, username, reads=True) as lab:
            click.echo(f"wrote {lab.return_receipt_pdf(reprint, output)}")
        return
    if not stones:
        _fail("name the stones to return (labdesk return STONE... --collected-by NAME)")
    if not (collected_by or "").strip():
        _fail("--collected-by: name the person who collects the stones")
    with _signing_session(home, username) as (lab, password):
        done = lab.return_stones(list(stones), collected_by, note=note,
                                 id_document=id_document, password=password)
        path = lab.return_receipt_pdf(done.receipt, output) if output else \
            done.receipt_path
    click.echo(f"returned {len(done.stones)} stone{'s' if len(done.stones) != 1 else ''} "
               f"to {done.collected_by} for {done.client} on receipt {done.receipt}, "
               f"signed by {done.returned_by_name}")
    click.echo(f"receipt for the collector to sign: {path}")


# ---------------------------------------------------------------------- the stone's work

@contextlib.contextmanager
def _signing_session(home: Path | None, username: str | None):
    """The lab, logged in; yields ``(lab, password)``: the password just given is also
    the signature's re-entered password."""
    lab = _open(home)
    try:
        yield lab, _login(lab, username)
    finally:
        lab.close()


def _field_pairs(pairs) -> dict:
    """``FIELD=VALUE`` arguments as a dict; a malformed or repeated pair is bad input."""
    from labdesk.core.evidence import ALL_FIELDS
    fields = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().lower()
        if not sep or not name:
            raise ValidationError(f"{pair!r} is not FIELD=VALUE (such as "
                                  f"origin_countries=BW,NA)", field=name or "field")
        if name not in ALL_FIELDS:
            raise ValidationError(f"{name}: not an evidence field (one of: "
                                  f"{', '.join(ALL_FIELDS)})", field=name)
        if name in fields:
            raise ValidationError(f"{name}: given twice", field=name)
        fields[name] = value.strip()
    return fields


def _evidence_line(ev) -> str:
    from labdesk.core.evidence import FIELD_LABELS, kind_label
    from labdesk.ui.wording import value_words
    where = "the whole submission " if ev.level == "submission" else "this stone "
    head = f"#{ev.id} {kind_label(ev.kind)}" + (f" {ev.fields['reference']}"
                                                 if ev.fields.get("reference") else "")
    facts = [f"{FIELD_LABELS[name]}: {value_words(name, value)}"
             for name, value in ev.fields.items()
             if name != "reference" and value not in (None, "", [], {})]
    scans = len(ev.attachments)
    tail = f"; {scans} scanned document{'s' if scans != 1 else ''}" if scans else \
        "; no scanned document"
    return (f"{head} (covers {where.strip()}{', locked' if ev.locked else ''})"
            + (": " + "; ".join(facts) if facts else "") + tail)


@main.group()
def evidence():
    """Record and list origin evidence (certificates, invoices, declarations)."""


@evidence.command("add")
@home_option
@user_option
@click.argument("target")
@click.argument("kind")
@click.argument("fields", nargs=-1, metavar="FIELD=VALUE...")
@handles_errors
def evidence_add(home, username, target, kind, fields):
    """Record a document for TARGET (a stone, or a submission: then it covers every
    stone of it).  KIND is one of kp_certificate, g7_certificate, sow_invoice,
    non_russian_declaration, provenance_record, grandfathering_proof, lab_analysis,
    due_diligence_statement, other.  Lists of countries are comma-separated ISO codes:
    origin_countries=BW,NA.  Prints the new evidence's id."""
    from labdesk.core.evidence import parse_kind
    values = _field_pairs(fields)
    parse_kind(kind)
    with _session(home, username, login=True) as lab:
        added = lab.add_evidence(target, kind, **values)
    click.echo(added.id)


@evidence.command("list")
@home_option
@user_option
@click.argument("stone")
@handles_errors
def evidence_list(home, username, stone):
    """List the evidence that covers STONE (its own and its submission's)."""
    with _session(home, username, reads=True) as lab:
        detail = lab.stone_detail(stone)
    if not detail.evidence:
        click.echo(f"no evidence for {detail.stone.number} yet")
    for ev in detail.evidence:
        click.echo(_evidence_line(ev))


@main.command()
@home_option
@user_option
@click.argument("evidence_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@handles_errors
def attach(home, username, evidence_id, file):
    """Attach a scan (PDF or image) FILE to evidence EVIDENCE_ID."""
    with _session(home, username, login=True) as lab:
        added = lab.attach(evidence_id, file)
    click.echo(f"attached {added.filename} to evidence #{added.evidence_id} "
               f"(SHA-256 {added.sha256})")


@main.command()
@home_option
@user_option
@click.argument("stone")
@click.option("--origin", required=True,
              type=click.Choice(["non_russian", "russian", "undetermined"]),
              help="The origin finding.")
@click.option("--mining-country", default=None, help="Where the stone was mined (ISO "
              "code, such as BW).")
@click.option("--statement", default="", help="The finding's statement, in words.")
@handles_errors
def propose(home, username, stone, origin, mining_country, statement):
    """Propose the origin finding of STONE and send it for review."""
    from labdesk.ui.wording import origin_words
    with _session(home, username, login=True) as lab:
        finding = lab.propose_finding(stone, origin, mining_country=mining_country,
                                      statement=statement)
    click.echo(f"proposed for {finding.stone}: "
               f"{origin_words(finding.origin, finding.mining_country)}; "
               f"waiting for a supervisor's review")


@main.command()
@home_option
@user_option
@click.argument("stone")
@click.option("--comment", default="", help="The approver's comment.")
@handles_errors
def approve(home, username, stone, comment):
    """Approve STONE's proposed finding (a supervisor's signature; the password given is
    the re-entered password).  The stone is locked."""
    with _signing_session(home, username) as (lab, password):
        finding = lab.approve(stone, comment=comment, password=password)
    click.echo(f"approved the finding of {finding.stone}, signed by "
               f"{finding.decided_by_name or finding.decided_by}")


@main.command()
@home_option
@user_option
@click.argument("stone")
@click.option("--reason", required=True, help="Why the finding goes back.")
@handles_errors
def reject(home, username, stone, reason):
    """Reject STONE's proposed finding, with a reason (a supervisor's signature)."""
    with _signing_session(home, username) as (lab, password):
        finding = lab.reject(stone, reason, password=password)
    click.echo(f"rejected the finding of {finding.stone}, signed by "
               f"{finding.decided_by_name or finding.decided_by}")


@main.command()
@home_option
@user_option
@click.argument("stone")
@click.option("--reason", required=True, help="Why the stone is opened again.")
@handles_errors
def reopen(home, username, stone, reason):
    """Reopen an approved STONE for correction, with a reason (a signature)."""
    with _signing_session(home, username) as (lab, password):
        reopened = lab.reopen(stone, reason, password=password)
    click.echo(f"reopened {reopened.number}: {reopened.state}")


@main.command()
@home_option
@user_option
@click.option("--state", default=None, help="received, proposed, rejected, approved or "
              "reported.")
@click.option("--client", default=None, help="Only this client's stones.")
@click.option("--search", default=None, help="Stone numbers, references, inscriptions.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=100, show_default=True)
@handles_errors
def stones(home, username, state, client, search, limit):
    """List stones, one a line: number, state, weight, client and reference."""
    from labdesk.core import grading
    with _session(home, username, reads=True) as lab:
        page = lab.stones(state=state, client=client, search=search, limit=limit)
    for s in page.items:
        click.echo(f"{s.number}  {grading.label(s.state):<9} {s.weight:>8} ct  "
                   f"{grading.label(s.identification) or '—':<16} {s.client}"
                   + (f"  ({s.client_ref})" if s.client_ref else ""))
    shown = len(page.items)
    total = f"more than {page.more_than:,}" if page.more_than else f"{page.total:,}"
    click.echo(f"{shown:,} of {total} stones" if shown < page.total else
               f"{page.total:,} stone{'s' if page.total != 1 else ''}")


@main.command("stone")
@home_option
@user_option
@click.argument("number")
@click.option("--on", "on", default=None, help="Assess on this date (default today).")
@handles_errors
def stone_(home, username, number, on):
    """Everything about one stone: its facts, evidence, finding, the EU, US and UK
    assessments and its history."""
    from labdesk.core import grading
    from labdesk.ui.wording import (STONE_FIELD_LABELS, describe_event, origin_words,
                                    outcome_words, value_words)
    with _session(home, username, reads=True) as lab:
        detail = lab.stone_detail(number)
        assessments = []
        for jurisdiction in lab.jurisdictions():
            try:
                assessments.append((jurisdiction,
                                    lab.assess(detail.stone.number, jurisdiction, on)))
            except ValidationError:
                raise
            except LabError as exc:
                assessments.append((jurisdiction, str(exc)))
    s = detail.stone
    click.echo(f"{s.number}: {grading.label(s.state)}"
               + (", locked" if s.locked else "")
               + f"; submission {s.submission} from {s.client}, received "
               + value_words("received_at", s.received_at))
    for field_name, label in STONE_FIELD_LABELS.items():
        value = getattr(s, field_name, None)
        if field_name == "mounted" or value not in (None, ""):
            click.echo(f"  {label:<20} {value_words(field_name, value)}")
    click.echo("evidence:")
    for ev in detail.evidence:
        click.echo(f"  {_evidence_line(ev)}")
    if not detail.evidence:
        click.echo("  none yet")
    finding = detail.finding
    click.echo("finding:")
    if finding is None:
        click.echo("  none yet")
    else:
        click.echo(f"  {origin_words(finding.origin, finding.mining_country)}: "
                   f"{grading.label(finding.status)}; proposed by "
                   f"{finding.proposed_by_name} on "
                   f"{value_words('proposed_at', finding.proposed_at)}")
        if finding.statement:
            click.echo(f"  statement: {finding.statement}")
        if finding.decided_by:
            click.echo(f"  {grading.label(finding.status)} by "
                       f"{finding.decided_by_name or finding.decided_by} on "
                       f"{value_words('decided_at', finding.decided_at)}"
                       + (f": {finding.decision_comment}" if finding.decision_comment
                          else ""))
    click.echo("assessments:")
    for jurisdiction, result in assessments:
        if isinstance(result, str):
            click.echo(f"  {jurisdiction}: cannot assess: {result}")
            continue
        first = result.reasons[0] if result.reasons else ""
        click.echo(f"  {jurisdiction} ({result.ruleset}, on {result.on}): "
                   f"{outcome_words(result.outcome)}"
                   + ("" if result.in_scope else " (not in scope)")
                   + (f" — {first}" if first else ""))
    for report in detail.reports:
        click.echo(f"report {report.number}: {grading.label(report.status)}, issued "
                   f"{value_words('issued_at', report.issued_at)}")
    click.echo("history:")
    for event in detail.history:
        words = describe_event(event)
        summary = words.summary()
        click.echo(f"  {words.when}  {words.who}: {words.action}"
                   + (f" — {summary}" if summary else ""))


@main.command()
@home_option
@user_option
@handles_errors
def check(home, username):
    """Check the database, the audit chain and every document (exit 1 on problems)."""
    with _session(home, username, reads=True) as lab:
        result = lab.check()
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
@handles_errors
def reindex(home, username):
    """Rebuild the stones' search index (when check reports it incomplete)."""
    with _session(home, username, login=True) as lab:
        count = lab.rebuild_search_index()
    click.echo(f"search index rebuilt: {count:,} stones")


@main.command()
@home_option
@user_option
@click.argument("target", required=False, type=click.Path(path_type=Path))
@handles_errors
def backup(home, username, target):
    """Write a backup zip (default: the home's backups/ folder)."""
    with _session(home, username, login=True) as lab:
        path = lab.backup(target)
        click.echo(f"backup written to {path}")


@main.command()
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="A new, empty folder for the restored lab.")
@click.option("--database", default=None,
              help="Restore onto this PostgreSQL server (an empty database) instead; the "
                   "home becomes a desk of it.")
@handles_errors
def restore(backup_file, home, database):
    """Restore a backup into a new home and check it."""
    from labdesk.lab import Lab
    lab = Lab.restore(backup_file, home, database=database)
    click.echo(f"restored into {lab.home}; check passed")
    lab.close()


@main.command()
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the demo lab lives (default: $LABDESK_HOME, else a LabDesk-demo "
                   "folder beside the user data folder).")
@click.option("--no-gui", is_flag=True, help="Build the demo lab and print how to log in.")
@handles_errors
def demo(home, no_gui):
    """Create the demo lab (if there is none) and open it."""
    from labdesk.demo import DEMO_LAB_NAME, DEMO_USERS, build_demo
    from labdesk.lab import Lab
    if home is None and os.environ.get("LABDESK_HOME"):
        home = Path(os.environ["LABDESK_HOME"])
    home = home or default_home().parent / "LabDesk-demo"
    if (home / "labdesk.db").exists() or (home / "desk.json").exists():
        lab = Lab.open(home)
        name = lab.settings()["lab_name"]
        lab.close()
        if name != DEMO_LAB_NAME:
            _fail(f"{home} holds the lab {name!r}, not the demo lab: give the demo a "
                  f"folder of its own with --home")
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


@main.group()
def report():
    """Issue, print and revoke reports."""


@report.command("issue")
@home_option
@user_option
@click.argument("stone")
@handles_errors
def report_issue(home, username, stone):
    """Issue the report of an approved stone."""
    with _session(home, username, login=True) as lab:
        issued = lab.issue_report(stone)
        click.echo(f"issued {issued.number} for {issued.stone}: {issued.pdf_path}")
        click.echo(issued.qr_text)


@report.command("pdf")
@home_option
@user_option
@click.argument("number")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="Where to write the PDF.")
@click.option("--original", is_flag=True,
              help="The PDF exactly as issued, without the REVOKED or SUPERSEDED stamp "
                   "that a withdrawn report's copy carries.")
@handles_errors
def report_pdf(home, username, number, output, original):
    """Write a copy of an issued report's PDF (its hash checked first).  A revoked or
    superseded report's copy is stamped with its withdrawal across every page, unless
    --original."""
    with _session(home, username, reads=True) as lab:
        click.echo(f"wrote {lab.report_pdf(number, output, original=original)}")


@report.command("revoke")
@home_option
@user_option
@click.argument("number")
@click.option("--reason", required=True, help="Why the report is withdrawn.")
@handles_errors
def report_revoke(home, username, number, reason):
    """Revoke an issued report (supervisors)."""
    with _session(home, username, login=True) as lab:
        revoked = lab.revoke_report(number, reason)
        click.echo(f"revoked {revoked.number}")


@main.command()
@home_option
@user_option
@click.argument("stones", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              required=True)
@click.option("--size", default=None, metavar="SIZE",
              help="The label stock: A4 or Letter (a sheet of labels), 62x29mm, 2x1in or "
                   "2.25x1.25in (a label printer's roll, one label a page). Default: the "
                   "lab's label_size setting.")
@handles_errors
def labels(home, username, stones, output, size):
    """Write the intake labels for STONES as a PDF, to print."""
    if size is not None:
        from labdesk.core.settings import parse_setting
        size = parse_setting("label_size", size) or ""   # said before the password
    with _session(home, username, login=True) as lab:
        click.echo(f"wrote {lab.labels_pdf(stones, output, size or None)}")


#: ``labdesk verify`` given neither the lab's public key nor a lab: a retailer's case.
VERIFY_NEEDS_KEY = (
    "give the lab's public key to check its report: --public-key lab.pem (the lab "
    "publishes its keys on its verify site, or its staff write them with 'labdesk keys "
    "export'); add --revocations revocations.txt from the same site to learn whether the "
    "lab withdrew the report. At the lab itself, --home and --user check against its "
    "records")
#: ``labdesk verify`` against a lab's records without ``--user``.
VERIFY_NEEDS_LOGIN = (
    "checking a report against the lab's records needs a logged-in user: name the user "
    "with --user NAME (the password comes from $LABDESK_PASSWORD or a prompt), or check "
    "it as a retailer does with the lab's public key (--public-key lab.pem)")


@main.group()
def export():
    """Spreadsheets and packs for clients, customs and inspectors (each export is
    audited): stones, audit, submission."""


def _progress(label: str):
    def report(done: int) -> None:
        if done % 100_000 == 0:
            click.echo(f"  {label}: {done:,} rows", err=True)
    return report


@export.command("stones")
@home_option
@user_option
@click.option("--state", default=None, help="received, proposed, rejected, approved or "
              "reported.")
@click.option("--client", default=None, help="Only this client's stones.")
@click.option("--search", default=None, help="Words, as the Stones page's search box.")
@click.option("--sort", "order", default="number", show_default=True,
              type=click.Choice(["number", "weight", "state", "received", "client",
                                 "client_ref", "updated"]), help="The order of the rows.")
@click.option("--descending", is_flag=True, help="Largest, latest or last first.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="FILE.csv or FILE.xlsx.")
@handles_errors
def export_stones(home, username, state, client, search, order, descending, out):
    """Every stone of a filter (as the Stones page lists them) to CSV or XLSX."""
    with _session(home, username, reads=True) as lab:
        count = lab.export_stones(out, state=state, client=client, search=search,
                                  order=order, descending=descending,
                                  progress=_progress("stones"))
    click.echo(f"{count:,} stone{'s' if count != 1 else ''} written to {out}")


@export.command("audit")
@home_option
@user_option
@click.option("--from", "date_from", required=True, help="The first day, YYYY-MM-DD (UTC).")
@click.option("--to", "date_to", required=True, help="The last day, YYYY-MM-DD (UTC).")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="FILE.csv or FILE.xlsx.")
@handles_errors
def export_audit(home, username, date_from, date_to, out):
    """The audit trail from one day to another, oldest first, to CSV or XLSX."""
    with _session(home, username, reads=True) as lab:
        count = lab.export_audit(out, date_from, date_to, progress=_progress("events"))
    click.echo(f"{count:,} audit event{'s' if count != 1 else ''} written to {out}")


@export.command("submission")
@home_option
@user_option
@click.argument("submission")
@click.option("--out", "out", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="The folder for SUB-...-pack.pdf and SUB-...-pack.xlsx.")
@click.option("--on", "on", default=None, help="Assess the outcomes on this date "
              "(default today).")
@handles_errors
def export_submission(home, username, submission, out, on):
    """The client's compliance pack of SUBMISSION: a signed PDF on the lab's letterhead
    and an XLSX, one line per stone (check it with labdesk verify PACK.pdf)."""
    with _session(home, username, reads=True) as lab:
        made = lab.compliance_pack(submission, out, on=on)
    click.echo(f"compliance pack of {made.submission} ({made.stones} stones):")
    click.echo(f"  {made.pdf}")
    click.echo(f"  {made.xlsx}")


@main.command()
@click.argument("arg")
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Verify against this lab's records, as --user (the default when "
                   "there is no --public-key and $LABDESK_HOME or the user data folder "
                   "holds a lab).")
@user_option
@click.option("--public-key", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="The lab's public key(s) as PEM (from its verify site "
                                 "or 'labdesk keys export'): verify without a lab or a "
                                 "login, as a retailer does.")
@click.option("--revocations", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="The lab's signed revocation list (revocations.txt).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def verify(arg, home, username, public_key, revocations, as_json):
    """Verify a report: ARG is a token, a verify URL, a photo or scan of the QR code, or a
    report PDF.

    \b
    Exit 0  VALID: genuine, and not revoked or superseded (checked against the lab's
            own records with --home, or against the signed list given by --revocations)
    Exit 1  not genuine, revoked or superseded
    Exit 2  usage error (no such file, no QR code, unreadable keys)
    Exit 3  GENUINE SIGNATURE, REVOCATION NOT CHECKED: the signature is the lab's but
            whether the lab withdrew the report is unknown (--public-key without
            --revocations, or a revocation list that is damaged or not the lab's)"""
    import json as json_module
    from labdesk.ui.wording import as_sentence, claim_facts, verdict_sentences
    try:
        text = _token_from_arg(arg)
        if _is_pack(text):   # a compliance pack's digest (LDP1.), not a report's token
            _verify_pack(arg, text, home, username, public_key, as_json)
        if public_key is not None:
            from labdesk.reports.keys import load_public_keys_file
            from labdesk.reports.verification import verify_offline
            revocation_text = None
            if revocations is not None:
                try:
                    revocation_text = revocations.read_text()[:10_000_000]
                except (OSError, UnicodeDecodeError) as exc:
                    _fail(f"revocations: cannot read {revocations}: {exc}")
            result = verify_offline(text, load_public_keys_file(public_key),
                                    revocation_text)
        else:
            lab_home = home or default_home()
            if home is None and not ((lab_home / "labdesk.db").is_file() or
                                     (lab_home / "desk.json").is_file()):
                _fail(VERIFY_NEEDS_KEY)
            lab = _open(lab_home)
            try:
                _login(lab, username, VERIFY_NEEDS_LOGIN)
                result = lab.verify(text)
            finally:
                lab.close()
    except LabError as exc:
        _fail(str(exc))
    unchecked = result.valid and not result.revocations_checked
    status = "genuine_revocation_not_checked" if unchecked else result.status
    if as_json:
        click.echo(json_module.dumps({"valid": result.valid and not unchecked,
                                      "status": status, "claim": result.claim,
                                      "revocations_checked": result.revocations_checked,
                                      "problems": list(result.problems)}, indent=1))
    else:
        if unchecked:
            n = (result.claim or {}).get("n", "this report")
            click.echo(f"GENUINE SIGNATURE, REVOCATION NOT CHECKED: report {n} was signed "
                       f"by {(result.claim or {}).get('lab')} and is unaltered, but "
                       f"whether the lab has revoked it was not checked; give the lab's "
                       f"revocation list (--revocations revocations.txt, from its verify "
                       f"site) to know.")
        else:
            click.echo(f"{result.status.upper()}: {verdict_sentences(result)}")
        if result.claim and result.status != "malformed":
            for label, value in claim_facts(result.claim).items():
                if value:
                    click.echo(f"  {label + ':':<29}{value}")
        if result.valid:
            for problem in result.problems:
                click.echo(f"  Note: {as_sentence(problem)}")
    sys.exit(3 if unchecked else 0 if result.valid else 1)


def _is_pack(text: str) -> bool:
    from labdesk.reports.pack_claims import is_pack_token
    return is_pack_token(text)


def _verify_pack(arg, text, home, username, public_key, as_json) -> None:
    """``labdesk verify PACK.pdf``: whether a compliance pack is the lab's and unaltered
    (its QR code's signed digest, and the PDF's lines against it).  Exit 0 genuine and
    unaltered, 1 altered or not the lab's, 2 bad input.  Given the QR text alone, only
    the signature is checked."""
    import json as json_module
    from labdesk.ui.wording import as_sentence
    path = Path(arg) if len(arg) < 4096 and Path(arg).is_file() else None
    if public_key is not None:
        from labdesk.reports import pack, pack_claims
        from labdesk.reports.keys import load_public_keys_file
        keys = load_public_keys_file(public_key)
        if path is not None:
            result = pack.verify_pdf(path, keys, token=text)
        else:
            from labdesk.core.records import Verification
            parsed = pack_claims.check(text, keys)
            result = Verification(valid=parsed.valid, status=parsed.status,
                                  claim=parsed.claim, problems=tuple(parsed.problems))
    else:
        lab_home = home or default_home()
        if home is None and not ((lab_home / "labdesk.db").is_file() or
                                 (lab_home / "desk.json").is_file()):
            _fail(VERIFY_NEEDS_KEY)
        lab = _open(lab_home)
        try:
            _login(lab, username, VERIFY_NEEDS_LOGIN)
            result = lab.verify_pack(path) if path is not None else lab.verify(text)
        finally:
            lab.close()
    claim = result.claim or {}
    if as_json:
        click.echo(json_module.dumps({"valid": result.valid, "status": result.status,
                                      "kind": "compliance_pack", "claim": claim,
                                      "problems": list(result.problems)}, indent=1))
    elif result.valid:
        click.echo(f"VALID: compliance pack of {claim.get('sub')} ({claim.get('n')} "
                   f"stones, {claim.get('d')}) was signed by {claim.get('lab')}" +
                   (" and this copy is unaltered." if path is not None else "."))
        for problem in result.problems:
            click.echo(f"  Note: {as_sentence(problem)}")
    else:
        click.echo(f"{result.status.upper()}: " +
                   " ".join(as_sentence(p) for p in result.problems))
    sys.exit(0 if result.valid else 1)


def _token_from_arg(arg: str) -> str:
    """A token or URL as given, or the QR code found in an image or PDF file."""
    path = Path(arg)
    looks_like_file = len(arg) < 4096 and "#" not in arg and not arg.startswith("LD1.")
    if looks_like_file and path.is_file():
        from labdesk.reports.scan import decode_file
        texts = decode_file(path)
        tokens = [t for t in texts if "LD1." in t or _is_pack(t)]
        if not tokens:
            raise ValidationError(f"file: no LabDesk QR code found in {path.name}",
                                  field="file")
        return tokens[0]
    if looks_like_file and ("/" in arg or arg.lower().endswith((".png", ".jpg", ".pdf"))) \
            and not arg.startswith(("http://", "https://")):
        raise ValidationError(f"file: {arg} does not exist", field="file")
    return arg


@main.command()
@home_option
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@handles_errors
def publish(home, outdir):
    """Write the static verify site (index.html, keys, signed revocations.txt) to
    OUTDIR, for the lab's verify URL; run again after a revocation."""
    with _session(home) as lab:
        written = lab.publish(outdir)
        url = lab.settings().get("verify_url") or "(no verify URL set)"
    click.echo(f"wrote {len(written)} files to {outdir}; serve them at {url}")


@main.group()
def keys():
    """The lab's signing keys."""


@keys.command("export")
@home_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write the PEM here (default: print it).")
@handles_errors
def keys_export(home, output):
    """Write the lab's public keys (retired ones too) as PEM."""
    with _session(home) as lab:
        text = lab.export_public_keys(output)
    if output is None:
        click.echo(text, nl=False)
    else:
        click.echo(f"wrote {output}")


@keys.command("rotate")
@home_option
@user_option
@handles_errors
def keys_rotate(home, username):
    """Make a new signing key (admins); the old one stays known for verification."""
    with _session(home, username, login=True) as lab:
        key = lab.rotate_key()
        click.echo(f"new signing key {key.kid}")


@main.command()
@home_option
@user_option
@click.argument("stone", required=False)
@click.option("--jurisdiction", default="EU", show_default=True)
@click.option("--on", "on", default=None, help="The date to assess on (default today).")
@click.option("--json", "as_json", is_flag=True)
@click.option("--changed", is_flag=True,
              help="List the stones whose outcome a rules change moved (re-assessing the "
                   "lab's findings first when the rules in use are new to it; that needs "
                   "--user).")
@handles_errors
def assess(home, username, stone, jurisdiction, on, as_json, changed):
    """Print the origin assessment of STONE under a jurisdiction's rules, or with
    --changed what the rules in use changed for findings already made."""
    import json as json_module
    if changed:
        _print_rule_changes(home, username, as_json)
        return
    if not stone:
        _fail("name the stone to assess (or use --changed)")
    with _session(home, username, reads=True) as lab:
        result = lab.assess(stone, jurisdiction=jurisdiction, on=on)
    if as_json:
        click.echo(json_module.dumps(result.as_dict(), indent=1, default=str))
        return
    click.echo(f"{result.jurisdiction} on {result.on} ({result.ruleset}): "
               f"{result.outcome.upper()}"
               f"{' (in scope)' if result.in_scope else ' (not in scope)'}")
    for reason in result.reasons:
        click.echo(f"  - {reason}")
    if result.missing:
        click.echo("would satisfy:")
        for item in result.missing:
            click.echo(f"  + {item}")


def _print_rule_changes(home, username, as_json: bool) -> None:
    """Re-assess after a rules change when needed, then list the open changes."""
    import dataclasses
    import json as json_module
    with _session(home, username, reads=True) as lab:
        pending = lab.rules_review_needed()
        if pending:
            review = lab.reassess(progress=lambda done, total: click.echo(
                f"re-assessed {done:,} of {total:,} stones", err=True))
            click.echo(f"re-assessed {review.reassessed:,} stones under "
                       + ", ".join(f"{c} {v[1]}" for c, v in review.versions.items())
                       + f": {len(review.changes):,} outcomes moved, {review.worse:,} for "
                         f"the worse", err=True)
        changes = lab.rule_changes(status="open")
    if as_json:
        click.echo(json_module.dumps([dataclasses.asdict(c) for c in changes], indent=1))
        return
    if not changes:
        click.echo("no stone's outcome was moved by a rules change")
        return
    for change in changes:
        where = f", report {change.report}" if change.report else ""
        mark = "WORSE" if change.worse else "better"
        click.echo(f"#{change.id} {change.stone} ({change.finding_status}{where}) "
                   f"{change.jurisdiction} on {change.assessed_on}: {change.old_outcome} "
                   f"({change.old_ruleset}) -> {change.new_outcome} ({change.new_ruleset}), "
                   f"{mark}; rules: {'; '.join(change.rules)}")


@main.group()
def rules():
    """What rules changes did to findings already made."""


@rules.command("settle")
@home_option
@user_option
@click.argument("change_id", type=int)
@click.argument("decision", type=click.Choice(["keep", "reject", "reopen", "revoke"]))
@click.option("--note", required=True, help="Why (printed in the audit trail).")
@handles_errors
def rules_settle(home, username, change_id, decision, note):
    """Settle rules change CHANGE_ID (see `labdesk assess --changed`): keep the finding,
    reject a proposed one, reopen an approved or reported one, or revoke its report.
    A supervisor's signature: the password is asked again."""
    with _session(home, username, login=True) as lab:
        change = lab.settle_rule_change(change_id, decision, note,
                                        password=os.environ.get("LABDESK_PASSWORD"))
    click.echo(f"rules change #{change.id} of {change.stone}: {change.status}")


@main.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--size", "sizes", multiple=True, default=("1280x800",), show_default=True,
              help="The main window's size, WIDTHxHEIGHT; give it more than once (such "
              "as --size 1100x700 --size 1920x1080) for a folder OUTDIR/WIDTHxHEIGHT "
              "of every screen at each size.")
@click.option("--demo-home", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Copy this demo lab instead of building a new one "
              "(it is not changed).")
@handles_errors
def screenshots(outdir, sizes, demo_home):
    """Render the first-run dialog, the setup wizard, the login and every page of the main
    window (a demo lab, offscreen) as PNG files in OUTDIR."""
    import re
    shapes = []
    for size in sizes:
        match = re.fullmatch(r"\s*(\d{3,5})\s*[xX×]\s*(\d{3,5})\s*", size)
        if not match:
            raise ValidationError(f"size: {size!r} is not WIDTHxHEIGHT (such as 1280x800)",
                                  field="size")
        shapes.append((int(match[1]), int(match[2])))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from labdesk.ui.screenshots import take_screenshots
    except ImportError as exc:  # Qt's system libraries missing
        _fail(f"the desktop application cannot start ({exc})")
    written, failed = [], []
    for width, height in dict.fromkeys(shapes):
        folder = outdir if len(set(shapes)) == 1 else outdir / f"{width}x{height}"
        done, problems = take_screenshots(folder, size=(width, height), demo_home=demo_home)
        written += done
        failed += problems
    for path in written:
        click.echo(f"wrote {path}")
    for name, problem in failed:
        click.echo(f"error: {name}: {problem}", err=True)
    sys.exit(1 if failed or not written else 0)


#: For the commands that live in other modules (``cli_desks``).
fail, session = _fail, _session

# The commands of a lab with several desks (join, migrate, keys export-private and
# import-private) register themselves on ``main`` and ``keys``.
from labdesk import cli_desks  # noqa: E402
DESK_COMMANDS = cli_desks.__name__
