"""Matchmaking commands: `gapbridge event-schedule EVENT_ID`. Thin: it calls `gapbridge.events.planner`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from gapbridge.cli.app import app
from gapbridge.cli.platform import err, fail, setup_django


@app.command("event-schedule")
def event_schedule(
    event_id: Annotated[int, typer.Argument(help="The event's number (as in /events/ID/)")],
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds the solver may search", min=0.1)
    ] = 30.0,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the history)")] = "",
    from_scratch: Annotated[
        bool,
        typer.Option("--from-scratch", help="Re-optimise from scratch (meetings may move)"),
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the run as JSON")] = False,
) -> None:
    """Schedule an event's accepted meeting requests, or reschedule them keeping every meeting that can stay;
    prints what moved. Participants whose agenda changed are notified (page and e-mail)."""
    setup_django()
    from gapbridge.events import planner
    from gapbridge.events.models import Event
    from gapbridge.events.services import EventError

    if not Event.objects.filter(pk=event_id).exists():
        fail(f"EVENT_ID {event_id}: no such event")
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        disable=json_output,
    ) as progress:
        task = progress.add_task("building the instance", total=None)

        def report(message: str) -> None:
            progress.update(task, description=message)

        try:
            run = planner.run_schedule(
                None, event_id, time_limit=time_limit, reason=reason, keep=not from_scratch, progress=report
            )
        except EventError as exc:
            problem = str(exc)
        else:
            problem = ""
    if problem:
        fail(f"event {event_id}: {problem}")
        return
    data = {
        "event": event_id,
        "run": run.pk,
        "kind": run.kind,
        "from_scratch": from_scratch,
        "status": run.status,
        "objective": run.objective,
        "bound": run.bound,
        "gap": round(run.gap, 6),
        "greedy_objective": run.greedy_objective,
        "seconds": run.seconds,
        "requests": run.requests,
        "kept": run.kept,
        "moved": run.details.get("moved", []),
        "added": run.added,
        "dropped": run.details.get("dropped", []),
    }
    if json_output:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    err.print(
        f"{run.get_kind_display()} of event {event_id}: {run.kept} kept, {run.moved} moved, "
        f"{run.added} added, "
        f"{run.dropped} dropped; {run.status}, objective {run.objective:g} of bound {run.bound:g} "
        f"({run.seconds:.1f} s)."
    )
    for m in data["moved"]:
        err.print(
            f"  moved {m['meeting']}: {m['from']['slot']} {m['from']['table']} → {m['to']['slot']} "
            f"{m['to']['table']} ({m['reason']})"
        )
    for m in data["dropped"]:
        err.print(f"  dropped {m['meeting']}: {m['reason'] or 'no room left'}")
