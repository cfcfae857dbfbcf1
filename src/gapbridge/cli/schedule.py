"""`gapbridge schedule-solve`: solve a matchmaking-event meeting schedule from a JSON instance file."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from gapbridge.cli.app import app

err = Console(stderr=True)


@app.command("schedule-solve")
def schedule_solve(
    instance: Annotated[
        Path, typer.Argument(metavar="INSTANCE.json", help="Instance file (format: docs/scheduling.md)")
    ],
    out: Annotated[Path, typer.Option("--out", metavar="SCHEDULE.json", help="Where to write the schedule")],
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.0, help="Seconds for the search")] = 30.0,
    buffer: Annotated[
        int, typer.Option("--buffer", min=0, help="Empty slots a participant needs between two meetings")
    ] = 0,
) -> None:
    """Schedule meeting requests into slots and tables, maximising the total weight."""
    from gapbridge.domain.scheduling import SchedulingError, solve
    from gapbridge.scheduling_io import load_instance, schedule_to_json, write_schedule

    started = time.monotonic()
    try:
        problem = load_instance(instance, buffer=buffer)
    except SchedulingError as exc:
        _fail(str(exc))
    if not out.parent.is_dir():
        _fail(f"--out: folder {str(out.parent)!r} does not exist")
    with err.status(f"scheduling {len(problem.requests)} requests", spinner="dots") as status:
        schedule = solve(problem, time_limit=time_limit, progress=lambda msg: status.update(escape(msg)))
    try:
        write_schedule(out, schedule_to_json(problem, schedule))
    except OSError as exc:
        _fail(f"--out: cannot write {str(out)!r}: {exc.strerror or exc}")
    dropped = len(schedule.dropped_fixed)
    err.print(
        f"{schedule.status}: {len(schedule.meetings)} meetings, objective {_num(schedule.objective)}, "
        f"bound {_num(schedule.bound)} (gap {100 * schedule.gap:.2f}%), {time.monotonic() - started:.1f} s"
        + (f", {dropped} fixed meetings could not stay where they were" if dropped else ""),
        highlight=False,
        soft_wrap=True,
    )


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


def _fail(message: str) -> NoReturn:
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)
