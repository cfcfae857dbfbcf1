"""IATI registry commands: import-iati, export-iati, export-iati-organisations, import-worker.

Thin: they validate arguments and call :mod:`gapbridge.projects.services` / :mod:`.export`.
Documented in docs/registry.md.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from gapbridge.cli.app import app
from gapbridge.cli.platform import err, fail, setup_django

if TYPE_CHECKING:
    from gapbridge.projects.export import ExportResult
    from gapbridge.projects.models import ActivityQuerySet


@app.command("import-iati")
def import_iati(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="IATI files (.xml, .xml.gz) or directories (searched recursively)"),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
    bundled: Annotated[
        bool, typer.Option("--bundled", help="Import the bundled sample (data/iati) — what `make run` loads")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Worker processes reading files; 0 = all in this process. Default: one per CPU (up to 4) "
            "for 8 MB of files or more, else 0 (docs/registry.md)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Import IATI activity and organisation files; bad files are reported, the others still import."""
    setup_django()
    from gapbridge.projects import services
    from gapbridge.projects.importer import ImportProgress, auto_workers, find

    if not paths and not bundled:
        fail("give one or more IATI files or directories, or --bundled")
        return
    given: list[Path] = list(paths or []) + (services.bundled_paths() if bundled else [])
    files, missing = find(given)
    for path in missing:  # named now; the other paths are imported, then the exit status is 2
        err.print(f"[red]error:[/red] {escape(path)}: no such file or directory")
    if not files:
        if missing:
            raise typer.Exit(2)
        fail(f"no .xml or .xml.gz files in {', '.join(str(p) for p in given)}")
        return
    if workers is None:
        workers = auto_workers(files)
    elif workers < 0:
        fail(f"--workers must be 0 or more; got {workers}")
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=json_output,
    ) as progress:
        task = progress.add_task(f"importing {len(files)} file(s)", total=None)

        def advance(p: ImportProgress) -> None:
            progress.update(
                task,
                total=p.bytes_total,
                completed=p.bytes_done,
                description=f"importing {len(files)} file(s): {p.activities} activities",
            )

        summary = services.import_files(
            None,
            [],
            origin="bundled" if bundled and not paths else "cli",
            workers=workers,
            progress=advance,
            files=files,
            missing=missing,
        )
    data = summary.as_dict()
    if json_output:
        typer.echo(json.dumps(data, indent=2))
    else:
        _print_import_summary(data)
    if missing:  # the other paths were imported; the run still failed to do all it was asked
        fail(escape(f"{len(missing)} path(s) not found (the others were imported): {', '.join(missing)}"))


def _print_import_summary(data: dict[str, Any]) -> None:
    acts = data["activities"]
    err.print(
        f"{data['files']} file(s), {data['files_failed']} refused or broken; activities: {acts['new']} new, "
        f"{acts['updated']} updated, {acts['unchanged']} unchanged, {acts['skipped']} skipped; "
        f"{data['findings']} findings ({data['findings_by_severity']['error']} errors) "
        f"in {data['seconds']:.1f} s."
    )
    for error in data["errors"]:
        where = f"{error['file']}:{error['line']}" if error["line"] else error["file"]
        # partial: the activities before the break were kept; refused: nothing of the file was
        label = "[yellow]partial[/yellow]" if error.get("status") == "partial" else "[red]refused[/red]"
        err.print(f"{label} {escape(where)}: {escape(str(error['message']))}")


@app.command("export-iati")
def export_iati(
    out: Annotated[Path, typer.Option("--out", help="File to write (IATI 2.03 activity XML)")],
    country: Annotated[
        str | None, typer.Option(help="Only activities in this recipient country (ISO3)")
    ] = None,
    publisher: Annotated[str | None, typer.Option(help="Only activities of this reporting-org ref")] = None,
    focus_area: Annotated[
        str | None, typer.Option("--focus-area", help="Only activities in this focus area")
    ] = None,
) -> None:
    """Write stored activities as an IATI 2.03 activity file (valid against the official XSD)."""
    setup_django()
    from gapbridge.projects import queries

    country = country.upper() if country else None
    _check_export_filters(out, country, publisher, focus_area)
    qs = queries.activities(
        queries.ActivityFilter(country=country or "", publisher=publisher or "", focus_area=focus_area or "")
    )
    total = qs.count()
    if not total:
        # An iati-activities file without activities is not valid IATI: write none (docs/registry.md).
        fail("no activity matches these filters; nothing written", code=1)
        return
    started = time.perf_counter()
    result = _export_to(out, qs, total)
    _print_export_summary(result, total, out, time.perf_counter() - started)
    if not result.written:
        fail(f"none of the {total} matching activities can be written as IATI 2.03; nothing written", code=1)


def _check_export_filters(
    out: Path, country: str | None, publisher: str | None, focus_area: str | None
) -> None:
    """Refuse (exit 2) a filter that names nothing the registry knows, and an --out in no folder."""
    from gapbridge.countries.models import Economy
    from gapbridge.projects.focus import load_focus_map
    from gapbridge.projects.models import Activity

    if focus_area and focus_area not in load_focus_map().by_slug:
        fail(f"unknown focus area {focus_area!r}; one of: {', '.join(load_focus_map().by_slug)}")
    if country and len(country) != 3:
        fail(f"--country takes an ISO3 code (e.g. KEN), not {country!r}")
    if country and not Economy.objects.filter(iso3=country).exists():
        fail(f"unknown country {country!r}: not an ISO3 code of the reference data (see load-reference)")
    if publisher and not Activity.objects.filter(publisher_ref=publisher).exists():
        fail(f"no activity of publisher {publisher!r} is stored (--publisher takes a reporting-org ref)")
    if not out.parent.is_dir():
        fail(f"--out {out}: folder {out.parent} does not exist")


def _export_to(out: Path, qs: ActivityQuerySet, total: int) -> ExportResult:
    """Export into a temporary file beside ``out``, moved over ``out`` only if it holds an activity (an
    empty file is not valid IATI, and an existing ``out`` is then left as it was)."""
    from gapbridge.projects.export import export_activities

    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(handle)
    try:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err
        ) as progress:
            task = progress.add_task("exporting", total=total)
            result = export_activities(
                qs, temporary, progress=lambda done: progress.update(task, completed=done)
            )
        if result.written:
            # mkstemp makes the file private (0600); an export is for others: the umask decides
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
            os.replace(temporary, out)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return result


def _print_export_summary(result: ExportResult, total: int, out: Path, seconds: float) -> None:
    if result.written:
        err.print(f"Wrote {result.written} of {total} activities to {escape(str(out))} in {seconds:.1f} s.")
    if result.unwritable:
        err.print(f"{len(result.unwritable)} left out (the 2.03 schema needs data they lack), e.g.:")
        for message in result.unwritable[:5]:
            err.print(f"  {escape(message)}")
    _print_left_out(result, "activities")


def _print_left_out(result: ExportResult, written: str) -> None:
    """What the export left out or changed in the items it wrote, most frequent first."""
    if not result.left_out:
        return
    err.print(
        f"{sum(result.left_out.values())} item(s) of written {written} left out or changed "
        "(the 2.03 schema cannot take them as they are; docs/iati.md):"
    )
    for what, count in sorted(result.left_out.items(), key=lambda kv: (-kv[1], kv[0])):
        err.print(f"  {count} {escape(what)}")


@app.command("export-iati-organisations")
def export_iati_organisations(
    out: Annotated[Path, typer.Option("--out", help="File to write (IATI 2.03 organisation XML)")],
    publisher: Annotated[str | None, typer.Option(help="Only this organisation identifier")] = None,
) -> None:
    """Write the stored IATI organisations (from organisation files) as an IATI 2.03 organisation file."""
    setup_django()
    from gapbridge.projects.export import export_organisations
    from gapbridge.projects.models import IatiOrganisation

    if not out.parent.is_dir():
        fail(f"--out {out}: folder {out.parent} does not exist")
        return
    qs = IatiOrganisation.objects.order_by("organisation_identifier")
    if publisher:
        qs = qs.filter(organisation_identifier=publisher)
        if not qs.exists():
            fail(f"no organisation {publisher!r} is stored (--publisher takes an organisation-identifier)")
            return
    if not qs.exists():
        # an iati-organisations root with no organisation is not valid IATI: write nothing
        fail("no organisation is stored (import an organisation file first); nothing written", code=1)
        return
    result = export_organisations(qs, str(out))
    err.print(f"Wrote {result.written} organisation(s) to {escape(str(out))}.")
    for message in result.unwritable[:5]:
        err.print(f"  left out: {escape(message)}")
    _print_left_out(result, "organisations")


@app.command("import-worker")
def import_worker(
    once: Annotated[bool, typer.Option("--once", help="Run the queued uploads, then stop")] = False,
    poll: Annotated[float, typer.Option(help="Seconds between looks at the queue")] = 2.0,
) -> None:
    """Run uploaded IATI files queued on the upload page (the background import worker)."""
    setup_django()
    from gapbridge.projects import services

    label = f"import-worker:{os.getpid()}"

    def idle() -> bool:
        time.sleep(poll)
        return True

    done = services.work_queue(label, once=once, idle=idle)
    err.print(f"{done} upload(s) imported.")
