"""Transparency commands: `gapbridge export-open-data --out DIR` and `gapbridge derive-barriers`. Thin: they
call `gapbridge.barriers.opendata` and `gapbridge.barriers.derived`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from gapbridge.cli.app import app
from gapbridge.cli.platform import err, fail, setup_django


@app.command("export-open-data")
def export_open_data(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the files into (created if missing)")],
    json_output: Annotated[bool, typer.Option("--json", help="Print a summary as JSON")] = False,
) -> None:
    """Write the open data: barriers, offers, needs, matches, pledges (+ histories) as CSV and JSON, and
    a datapackage.json with the licence and the as-of time."""
    setup_django()
    from gapbridge.barriers import opendata

    if out.exists() and not out.is_dir():
        fail(f"--out {out}: exists and is not a folder")
    names = [d.name for d in opendata.datasets()]
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err, disable=json_output
    ) as progress:
        task = progress.add_task("reading", total=len(names))

        def advance(name: str) -> None:
            progress.update(task, advance=1, description=f"rendering {name}")

        as_of, files = opendata.build(progress=advance)
    try:
        opendata.write(out, files)
    except OSError as exc:
        fail(f"--out {out}: cannot write the files ({exc.strerror or exc})")
        return
    counts = {}
    for name in names:
        body = json.loads(files[f"{name}.json"])
        counts[name] = body["count"]
    summary = {
        "out": str(out),
        "as_of": opendata._cell(as_of),
        "licence": opendata.LICENCE["name"],
        "files": sorted(files),
        "rows": counts,
    }
    if json_output:
        typer.echo(json.dumps(summary, indent=2))
        return
    err.print(
        f"Wrote {len(files)} files to {out} (as of {summary['as_of']}, {opendata.LICENCE['name']}): "
        + ", ".join(f"{n} {c}" for n, c in counts.items())
    )


@app.command("derive-barriers")
def derive_barriers(
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Record a barrier for every country without an e-transactions, consumer-protection, data-protection
    or cybercrime law in the UNCTAD Global Cyberlaw Tracker (after `gapbridge load-reference`; idempotent)."""
    setup_django()
    from gapbridge.barriers.derived import SNAPSHOT_DATE, SOURCE_NAME, derive_cyberlaw_barriers
    from gapbridge.countries.models import LegalStatus

    if not LegalStatus.objects.exists():
        fail("no legal-framework data in the database; run `gapbridge load-reference` first")
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err, disable=json_output
    ) as progress:
        task = progress.add_task("deriving barriers", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        summary = derive_cyberlaw_barriers(None, progress=advance)
    data = {
        "source": SOURCE_NAME,
        "snapshot": SNAPSHOT_DATE.isoformat(),
        "created": summary.created,
        "unchanged": summary.unchanged,
        "resolved": summary.resolved,
        "in_progress": summary.in_progress,
        "countries": summary.countries,
        "by_area": summary.by_area,
    }
    if json_output:
        typer.echo(json.dumps(data, indent=2))
        return
    err.print(
        f"{summary.created} barriers created, {summary.unchanged} already there, "
        f"{summary.resolved} resolved, "
        f"{summary.in_progress} now being addressed; {summary.countries} countries lack at least one law "
        f"({SOURCE_NAME}, {SNAPSHOT_DATE.isoformat()})."
    )
