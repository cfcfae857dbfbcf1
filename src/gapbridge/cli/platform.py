"""Platform commands: serve, migrate, load-reference, gap-index, add-user, issue-token, revoke-token. Thin:
they call services."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gapbridge.cli.app import app

# soft_wrap: messages are never broken inside a path or a name when the output is a log or a pipe
err = Console(stderr=True, soft_wrap=True)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gapbridge.settings")
    import django

    django.setup()


def fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (DATABASE_URL, default var/gapbridge.sqlite3)."""
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=1)


@app.command("load-reference")
def load_reference(
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder of reference data (default: bundled data/reference)")
    ] = None,
    force: Annotated[bool, typer.Option(help="Reload even if the files have not changed")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Load the bundled economies, groups, indicators and legal data, and compute the Gap Index."""
    setup_django()
    from django.conf import settings

    from gapbridge.countries.loading import load_reference as load
    from gapbridge.countries.reference_files import ReferenceDataError

    root = data_dir or Path(settings.DATA_DIR) / "reference"
    steps = 16
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err, disable=json_output
    ) as progress:
        task = progress.add_task("reading reference data", total=steps)

        def advance(label: str) -> None:
            progress.update(task, advance=1, description=label)

        try:
            summary = load(root, force=force, progress=advance)
        except ReferenceDataError as exc:
            fail(f"{exc} (nothing was loaded; the database is as it was)")
            return
        progress.update(task, completed=steps)
    data = {k: v for k, v in vars(summary).items() if k != "notes"} | {"notes": summary.notes}
    if json_output:
        typer.echo(json.dumps(data, indent=2))
        return
    if summary.status == "unchanged":
        err.print("Reference data unchanged since the last load; nothing to do (use --force to reload).")
        return
    err.print(
        f"Loaded {summary.economies} economies, {summary.groups} groups ({summary.memberships} memberships), "
        f"{summary.observations} observations of {summary.indicators} indicators, "
        f"{summary.legal_statuses} legal statuses; scored {summary.scored} economies "
        f"in {summary.seconds:.1f} s."
    )
    if summary.notes:
        err.print(
            f"{len(summary.notes)} source rows name no economy here (aggregates, the EU...); "
            "see --json for the list."
        )


@app.command("gap-index")
def gap_index(
    country: Annotated[str, typer.Option(help="ISO3 code, e.g. NER")],
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the profile as JSON (as the API does)")
    ] = False,
) -> None:
    """Show a country's Gap Index: pillar scores, coverage, indicators with year and source."""
    setup_django()
    from gapbridge.countries import queries
    from gapbridge.countries.models import Economy
    from gapbridge.countries.profile import build_profile

    try:
        economy = queries.get_profile(country)
    except Economy.DoesNotExist:
        fail(f"no economy with ISO3 code {country!r} (did you run `gapbridge load-reference`?)")
        return
    profile = build_profile(economy)
    if json_output:
        typer.echo(profile.model_dump_json(indent=2))
        return
    out = Console()
    gi = profile.gap_index
    overall = f"{gi.overall:.1f}" if gi.overall is not None else "insufficient data"
    out.print(
        f"[bold]{profile.name}[/bold] ({profile.iso3}) — overall {overall}, rank {gi.rank or '—'} "
        f"of {gi.scored_countries}, coverage {gi.coverage:.0%}"
    )
    table = Table("pillar", "score", "coverage", "rank")
    for p in gi.pillars:
        table.add_row(
            p.name,
            f"{p.score:.1f}" if p.score is not None else p.status,
            f"{p.coverage:.0%}",
            str(p.rank or "—"),
        )
    out.print(table)
    values = Table("indicator", "value", "year", "source")
    for p in gi.pillars:
        for v in p.indicators:
            values.add_row(
                v.name,
                f"{v.value:,.2f} {v.unit}" if v.value is not None else f"— ({v.data_gap})",
                str(v.year or ""),
                v.source,
            )
    out.print(values)


@app.command("add-user")
def add_user(
    username: str,
    email: Annotated[str, typer.Option(help="E-mail address")],
    role: Annotated[str | None, typer.Option(help="secretariat, org_editor or focal_point")] = None,
    organization: Annotated[str | None, typer.Option(help="IATI identifier or name, for org_editor")] = None,
    country: Annotated[str | None, typer.Option(help="ISO3 code, for focal_point")] = None,
    password_env: Annotated[
        str, typer.Option(help="Environment variable holding the password")
    ] = "GAPBRIDGE_PASSWORD",  # noqa: S107 (names a variable; not a password)
) -> None:
    """Create a user with a role. The password is read from $GAPBRIDGE_PASSWORD or asked for."""
    setup_django()
    from django.core.exceptions import ValidationError
    from django.db.models import Q

    from gapbridge.accounts.services import AccountError
    from gapbridge.accounts.services import add_user as create
    from gapbridge.countries.models import Economy
    from gapbridge.organizations.models import Organization

    password = os.environ.get(password_env)
    if not password:
        if not sys.stdin.isatty():
            fail(f"set ${password_env} or run interactively to enter a password")
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    org = None
    if organization:
        org = Organization.objects.filter(Q(iati_ref=organization) | Q(name=organization)).first()
        if org is None:
            fail(f"no organization {organization!r}")
    economy = None
    if country:
        economy = Economy.objects.filter(iso3=country.upper()).first()
        if economy is None:
            fail(f"no economy with ISO3 code {country!r}")
    try:
        user = create(
            None, username, email, password, role=role, organization=org, economy=economy, bootstrap=True
        )
    except ValidationError as exc:
        fail("password rejected: " + " ".join(exc.messages))
        return
    except AccountError as exc:
        fail(str(exc))
        return
    err.print(f"Created user {user.username!r}" + (f" with role {role}" if role else ""))


@app.command("issue-token")
def issue_token(
    username: str,
    name: Annotated[str, typer.Option(help="What the token is for (shown in the user's token list)")],
    scope: Annotated[list[str] | None, typer.Option(help="read, write or import; repeat for several")] = None,
    days: Annotated[int, typer.Option(help="Days until it expires (1-365)")] = 90,
    as_json: Annotated[bool, typer.Option("--json", help="Print the token as JSON")] = False,
) -> None:
    """Create an API token for a user and print its secret, once (only its fingerprint is kept)."""
    setup_django()
    from django.contrib.auth.models import User

    from gapbridge.accounts import tokens

    user = User.objects.filter(username=username).first()
    if user is None:
        fail(f"no user {username!r}")
        return
    try:
        token, secret = tokens.issue(None, user, name, scope or ["read"], days)
    except tokens.TokenError as exc:
        fail(str(exc))
        return
    if as_json:
        fields = {"id": token.pk, "user": username, "name": token.name, "scopes": token.scopes}
        fields |= {"expires_at": token.expires_at.isoformat(), "secret": secret}
        typer.echo(json.dumps(fields))
        return
    err.print(
        f"Token {token.name!r} (#{token.pk}) for {username!r}, {', '.join(token.scopes)}, expires "
        f"{token.expires_at:%Y-%m-%d}. The secret below is shown once:"
    )
    typer.echo(secret)


@app.command("revoke-token")
def revoke_token(token_id: int) -> None:
    """Revoke an API token by its number (in the admin, the user's token page or issue-token's output)."""
    setup_django()
    from gapbridge.accounts import tokens
    from gapbridge.accounts.models import ApiToken

    try:
        token = tokens.revoke(None, token_id)
    except ApiToken.DoesNotExist:
        fail(f"no token #{token_id}")
        return
    err.print(f"Token {token.name!r} (#{token.pk}) of {token.user.username!r} revoked.")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="Port (PORT overrides)")] = 8000,
    workers: Annotated[int, typer.Option(help="gunicorn workers; 0 = Django's development server")] = 0,
) -> None:
    """Serve the site. Development: Django's server; with --workers N: gunicorn."""
    setup_django()
    if workers > 0:
        os.execvp(  # noqa: S606 (replaces this process with gunicorn; no shell involved)
            sys.executable,
            [
                sys.executable,
                "-m",
                "gunicorn",
                "gapbridge.wsgi",
                "-b",
                f"{host}:{port}",
                "-w",
                str(workers),
                "--access-logfile",
                "-",
            ],
        )
    from django.core.management import call_command

    call_command("runserver", f"{host}:{port}", use_reloader=False)


@app.command()
def backup(
    out: Annotated[Path, typer.Option("--out", help="Backup file to write")],
) -> None:
    """Back up the whole database (SQLite: consistent online copy; PostgreSQL: pg_dump archive)."""
    setup_django()
    from django.conf import settings

    from gapbridge.ops.backup import BackupError
    from gapbridge.ops.backup import backup as do_backup

    try:
        result = do_backup(settings.DATABASES["default"], out)
    except BackupError as exc:
        fail(str(exc))
        return
    err.print(f"Wrote {result.engine} backup {result.path} ({result.bytes:,} bytes)")


@app.command()
def restore(
    backup_file: Annotated[Path, typer.Argument(help="A file written by `gapbridge backup`")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Replace the database's content with a backup of the same engine."""
    setup_django()
    from django.conf import settings
    from django.db import connections

    from gapbridge.ops.backup import BackupError
    from gapbridge.ops.backup import restore as do_restore

    if not yes and not typer.confirm(f"Replace the current database with {backup_file}?"):
        raise typer.Exit(1)
    connections.close_all()
    try:
        engine = do_restore(settings.DATABASES["default"], backup_file)
    except BackupError as exc:
        fail(str(exc))
        return
    err.print(f"Restored the {engine} database from {backup_file}")


@app.command("compile-messages")
def compile_messages() -> None:
    """Compile the interface translations (locale/*/LC_MESSAGES/*.po → .mo) in pure Python."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    locale_dir = Path(__file__).resolve().parents[1] / "locale"
    compiled = 0
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parts[-3])
        mo_path = po_path.with_suffix(".mo")
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        tmp.replace(mo_path)
        compiled += 1
    err.print(f"Compiled {compiled} translation catalogue(s) in {locale_dir}")
