"""Coordination analytics at the command line: `gapbridge allocate`, `gapbridge overlaps` and
`gapbridge analytics-refresh`. Thin: they call gapbridge.analytics services and queries."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from gapbridge.cli.app import app
from gapbridge.cli.platform import fail, setup_django
from gapbridge.domain.overlap import share_text

err = Console(stderr=True)


@app.command()
def allocate(
    budget: Annotated[float, typer.Option("--budget", help="Budget to allocate, in US dollars")],
    focus_area: Annotated[
        str | None,
        typer.Option("--focus-area", help="Only this focus area (slug); default: every focus area"),
    ] = None,
    group: Annotated[
        str | None, typer.Option("--group", help="Only members of this country group, e.g. LDC")
    ] = None,
    floor: Annotated[float, typer.Option("--floor", help="Minimum per country, USD")] = 0.0,
    ceiling: Annotated[float | None, typer.Option("--ceiling", help="Maximum per country, USD")] = None,
    reference_per_capita: Annotated[
        float | None,
        typer.Option(
            "--reference-per-capita",
            help="USD per person at which returns diminish (default: budget / population)",
        ),
    ] = None,
    measure: Annotated[
        str, typer.Option("--measure", help="Existing funding measure: disbursement or commitment")
    ] = "disbursement",
    json_output: Annotated[bool, typer.Option("--json", help="Print the allocation as JSON")] = False,
) -> None:
    """Allocate a budget over countries and focus areas to maximise need-weighted benefit (exact optimum)."""
    setup_django()
    from gapbridge.analytics import advisor, services
    from gapbridge.countries.queries import QueryError

    if budget <= 0:
        fail(f"--budget must be a positive amount of US dollars, not {budget:g}")
    if floor < 0 or (ceiling is not None and ceiling < 0):
        fail("--floor and --ceiling must not be negative")
    with err.status("checking the funding tables against the registry", spinner="line"):
        services.ensure_fresh()
    request = advisor.AdviceRequest(
        budget=budget,
        focus_area=focus_area or "",
        group=group or "",
        floor=floor,
        ceiling=ceiling,
        reference_per_capita=reference_per_capita,
        measure=measure,
    )
    try:
        advice = advisor.advise(request)
    except (advisor.AdviceError, QueryError) as exc:
        fail(f"cannot allocate: {exc}")
        return
    if json_output:
        typer.echo(json.dumps(advice.as_json(), indent=2, ensure_ascii=False))
        return
    out = Console()
    out.print(
        f"[bold]Allocation of ${budget:,.0f}[/bold] — objective {advice.objective:,.2f} "
        f"(gain {advice.objective - advice.baseline:,.2f}); r = ${advice.reference_per_capita:,.4f} "
        "per person; existing funding is de-duplicated"
    )
    table = Table("country", "focus area", "amount (USD)", "status", "reason")
    for unit in advice.units:
        if unit.amount > 0:
            table.add_row(unit.iso3, unit.focus_area, f"{unit.amount:,.2f}", unit.status, unit.reason)
    out.print(table)
    if advice.excluded:
        err.print(
            f"{len(advice.excluded)} country × focus area pairs left out (no need figure or population)."
        )


@app.command()
def overlaps(
    evaluate: Annotated[
        bool,
        typer.Option(
            "--evaluate", help="Measure precision and recall against the traceability links (writes nothing)"
        ),
    ] = False,
    high: Annotated[float, typer.Option("--high", help="Score of the high-similarity tier")] = 0.6,
    possible: Annotated[float, typer.Option("--possible", help="Score of the possible-overlap tier")] = 0.4,
    json_output: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Find overlapping projects and update the coordination alerts (or, with --evaluate, measure it)."""
    setup_django()
    from gapbridge.analytics import source
    from gapbridge.analytics.services import detect_overlaps
    from gapbridge.domain import overlap

    try:
        params = overlap.Params(high=high, possible=possible)
    except ValueError as exc:
        fail(f"--high/--possible: {exc}")
        return
    if source.activity_count() == 0:
        fail("no IATI activities are loaded (import some with `gapbridge import-iati PATH`)")
    steps = ["reading activities", "comparing activities", "saving alerts"]
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err, disable=json_output
    ) as bar:
        task = bar.add_task("overlaps", total=len(steps))

        def step(label: str) -> None:
            bar.update(task, description=label, completed=steps.index(label) if label in steps else 0)

        if evaluate:
            step("reading activities")
            records, _info = source.overlap_records()
            step("comparing activities")
            result = overlap.evaluate(records, params)
            bar.update(task, completed=len(steps))
        else:
            run = detect_overlaps(None, params, progress=step)
            bar.update(task, completed=len(steps))
    if evaluate:
        data = {
            "pairs_known": result.pairs_known,
            "precision": result.precision,
            "recall": result.recall,
            "by_tier": {
                tier: {"pairs": s.found, "matched": s.matched, "precision": s.precision, "recall": s.recall}
                for tier, s in result.by_tier.items()
            },
        }
        if json_output:
            typer.echo(json.dumps(data, indent=2))
            return
        d = result.detection
        err.print(
            f"{result.pairs_known} known pairs (traceability links between publishers); precision "
            f"{share_text(result.precision)}, recall {share_text(result.recall)}; blocking lets through "
            f"{share_text(result.blocking_recall)} of the known pairs; {d.comparisons:,} comparisons "
            f"instead of {d.all_pairs:,}."
        )
        typer.echo(json.dumps(data, indent=2))
        return
    summary = {
        "run": run.pk,
        "records": run.records,
        "comparisons": run.comparisons,
        "all_pairs": run.all_pairs,
        "by_tier": run.found,
        "seconds": run.seconds,
    }
    if json_output:
        typer.echo(json.dumps(summary, indent=2))
        return
    err.print(
        f"Compared {run.records:,} activities ({run.comparisons:,} pairs in {run.blocks:,} blocks, of "
        f"{run.all_pairs:,}) in {run.seconds:.1f} s: "
        + ", ".join(f"{n} {tier}" for tier, n in run.found.items())
    )


@app.command("analytics-refresh")
def analytics_refresh(
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Rebuild the de-duplicated funding tables (funding chains, weights) from the IATI registry."""
    setup_django()
    from dataclasses import asdict

    from gapbridge.analytics.services import refresh

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        disable=json_output,
    ) as bar:
        bar.add_task("rebuilding funding chains, weights and the funding table", total=None)
        summary = refresh(None, reason="gapbridge analytics-refresh")
    if json_output:
        typer.echo(json.dumps(asdict(summary), indent=2))
        return
    err.print(
        f"{summary.activities:,} activities, {summary.flows:,} funding-chain links, "
        f"{summary.weighted:,} activities weighted below 1, {summary.funding_rows:,} funding rows in "
        f"{summary.seconds:.1f} s. Disbursements and expenditure: "
        f"gross ${summary.gross.get('disbursement', 0):,.0f}, de-duplicated "
        f"${summary.deduplicated.get('disbursement', 0):,.0f}."
    )
