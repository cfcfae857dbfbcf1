"""Matchmaking commands: eval-providers (no database), seed-offers, seed-needs, match-batch, send-alerts."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gapbridge.cli.app import app
from gapbridge.cli.platform import fail, setup_django

err = Console(stderr=True)


def _progress(disable: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=disable,
    )


def _path_lists(args: list[str]) -> tuple[list[Path], list[Path]]:
    """``--history PATH... --queries PATH...`` (each flag followed by one or more paths; repeatable)."""
    lists: dict[str, list[Path]] = {"--history": [], "--queries": []}
    current: str | None = None
    for arg in args:
        flag, eq, value = arg.partition("=")
        if flag in lists:
            current = flag
            if eq:
                lists[flag].append(Path(value))
        elif arg.startswith("-"):
            fail(f"unknown option {arg!r}; see `gapbridge eval-providers --help`")
        elif current is None:
            fail(f"{arg!r}: give paths after --history or --queries")
        else:
            lists[current].append(Path(arg))
    for flag, paths in lists.items():
        if not paths:
            fail(f"{flag} needs at least one IATI file or folder")
    return lists["--history"], lists["--queries"]


@app.command(
    "eval-providers",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    options_metavar="--history PATH... --queries PATH... [--k 10] [--json]",
)
def eval_providers(
    ctx: typer.Context,
    k: Annotated[int, typer.Option("--k", help="Length of each ranking (MRR counts ranks up to k)")] = 10,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    split_date: Annotated[
        str | None,
        typer.Option(help="Split by start date: history before YYYY-MM-DD, queries on or after it"),
    ] = None,
    holdout: Annotated[
        float | None, typer.Option(help="Random split: this share of the query activities are queries")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the random split")] = 42,
) -> None:
    """Rank organisations for past activities they funded, and compare with a popularity baseline.

    Profiles come from the --history activities; each --queries activity is a need (recipient countries,
    sectors, title, description; its organisations hidden). Truth: its reporting-org and participating
    orgs with role 1 (funding) or 3 (extending), by ref. An activity that is a query is never history too.

    --history PATH...  IATI activity files or folders the provider profiles come from.
    --queries PATH...  IATI activity files or folders whose activities are the needs.
    """
    from gapbridge.domain.matching import ProviderIndex, evaluate_providers
    from gapbridge.matches import iati_history

    history, queries = _path_lists(list(ctx.args))
    if k < 1:
        fail(f"--k must be 1 or more; got {k}")
    if split_date is not None and holdout is not None:
        fail("--split-date and --holdout are two ways to split: give one of them")
    for path in [*history, *queries]:
        if not path.exists():
            fail(f"no such file or folder: {path}")
    before: date | None = None
    if split_date is not None:
        try:
            before = date.fromisoformat(split_date)
        except ValueError:
            fail(f"--split-date must be a date YYYY-MM-DD; got {split_date!r}")
    if holdout is not None and not 0.0 < holdout < 1.0:
        fail(f"--holdout must be between 0 and 1; got {holdout}")

    with _progress(json_output) as progress:
        files = iati_history.expand(history) + iati_history.expand(queries)
        task = progress.add_task("reading IATI files", total=len(files))

        def advance(_: Path) -> None:
            progress.advance(task)

        loaded_history = iati_history.load_activities(history, advance)
        same = sorted(map(Path.resolve, history)) == sorted(map(Path.resolve, queries))
        loaded_queries = loaded_history if same else iati_history.load_activities(queries, advance)
        progress.update(task, completed=len(files))
        data = iati_history.split(
            loaded_history.activities, loaded_queries.activities, before=before, holdout=holdout, seed=seed
        )
        if not data.history:
            fail(
                "no history left: every --history activity is also a query or names no provider "
                f"({', '.join(map(str, history))}); use other files, --split-date or --holdout"
            )
        if not data.cases:
            fail(f"no query activity names a provider by identifier in {', '.join(map(str, queries))}")
        build = progress.add_task("building provider profiles", total=1)
        index = ProviderIndex(data.history)
        progress.advance(build)
        rank = progress.add_task("ranking organisations", total=len(data.cases))
        result = evaluate_providers(
            index, data.cases, k=k, progress=lambda done: progress.update(rank, completed=done)
        )
    if json_output:
        typer.echo(json.dumps(result.as_dict()))
        return
    for error in {*loaded_history.errors, *loaded_queries.errors}:
        err.print(f"[yellow]skipped:[/yellow] {error}")
    out = Console()
    out.print(
        f"{result.queries} queries, {len(data.history)} history activities, {len(index.orgs)} organisations "
        f"(history activities left out as queries or by date: {data.dropped_from_history}; "
        f"queries naming no provider: {data.queries_without_providers})"
    )
    table = Table("ranking", "recall@1", "recall@5", "recall@10", f"MRR (top {k})")
    for label, m in (("matcher", result.matcher), ("popularity", result.popularity)):
        table.add_row(
            label, f"{m.recall_at_1:.3f}", f"{m.recall_at_5:.3f}", f"{m.recall_at_10:.3f}", f"{m.mrr:.3f}"
        )
    out.print(table)
    miss, base = 1 - result.matcher.recall_at_10, 1 - result.popularity.recall_at_10
    ratio = result.matcher.mrr / result.popularity.mrr if result.popularity.mrr else float("inf")
    out.print(
        f"misses at 10: {miss:.3f} vs {base:.3f} (target ≤ {base / 2:.3f}); MRR {ratio:.1f}× the baseline "
        f"(target ≥ 1.5×): {'targets met' if result.meets_targets else 'targets NOT met'}"
    )


@app.command("seed-offers")
def seed_offers(
    dpg: Annotated[
        Path | None,
        typer.Option(help="DPG registry subset (default: bundled data/offers/dpg-offers.json.gz)"),
    ] = None,
    iati: Annotated[
        list[Path] | None,
        typer.Option(
            help="IATI activity files to read as well as the registry's stored activities: "
            "technical-cooperation activities in digital focus areas"
        ),
    ] = None,
    registry: Annotated[
        bool,
        typer.Option(
            "--registry/--no-registry",
            help="Read technical cooperation from the activities stored by `gapbridge import-iati`",
        ),
    ] = True,
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Create published offers from the Digital Public Goods registry and IATI technical cooperation
    (activities stored by `gapbridge import-iati`, and any --iati files)."""
    setup_django()
    from gapbridge.offers import seeding

    try:
        summary = seeding.seed_offers(dpg_file=dpg, iati_paths=list(iati or []), registry=registry)
    except seeding.SeedingError as exc:
        fail(str(exc))
        return
    if json_output:
        typer.echo(json.dumps(summary))
        return
    err.print(
        f"Offers: {summary['created']} created, {summary['updated']} updated, "
        f"{summary['unchanged']} unchanged "
        f"({summary['dpg']} from the DPG registry, {summary['iati']} from IATI technical cooperation)."
    )


@app.command("seed-needs")
def seed_needs(
    per_country: Annotated[int, typer.Option(help="Weakest pillars per country to derive needs from")] = 2,
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Derive indicative needs from each country's weakest Gap Index pillars (labelled as derived)."""
    setup_django()
    from gapbridge.needs import derived

    if per_country < 1:
        fail(f"--per-country must be 1 or more; got {per_country}")
    summary = derived.derive_indicative_needs(per_country=per_country)
    if json_output:
        typer.echo(json.dumps(summary))
        return
    err.print(
        f"Indicative needs: {summary['created']} created, {summary['updated']} updated, "
        f"{summary['removed']} withdrawn, for {summary['countries']} countries."
    )


@app.command("match-batch")
def match_batch(
    min_score: Annotated[float, typer.Option(help="Lowest score a suggestion may have")] = 0.35,
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Assign open needs to published offers within capacity and store the suggestions."""
    setup_django()
    from gapbridge.matches import services

    summary = services.run_batch(None, min_score=min_score)
    if json_output:
        typer.echo(json.dumps(summary))
        return
    err.print(
        f"{summary['matched']} needs matched, {summary['unmatched']} unmatched, "
        f"{summary['created']} new suggestions in {summary['seconds']:.1f} s."
    )


@app.command("send-alerts")
def send_alerts(
    digest: Annotated[
        bool, typer.Option("--digest", help="Send the daily digests instead of instant alerts")
    ] = False,
) -> None:
    """Notify saved searches of new matching offers and needs (each notification is sent once)."""
    setup_django()
    from gapbridge.matches import alerts

    sent = alerts.send_digests() if digest else alerts.send_pending()
    err.print(f"{sent} notification(s) sent.")
