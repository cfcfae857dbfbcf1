"""Coordination analytics benchmark (PostgreSQL): the country × focus area × year funding cube on a
1,000,000-activity corpus (target < 1 s), overlap detection over 100,000 activities (target < 60 s), and
the precision and recall of overlap detection against the traceability links of the real data.

The corpus: the real IATI activities (``../shared/data/iati/activities`` when present — 14,000+ activities
from 214 publishers — else the bundled ``data/iati/activities``) are imported with the registry's own
importer into a fresh PostgreSQL database; precision and recall are measured on them. They are then
replicated under new identifiers (``<identifier>~<k>``; transaction links are renamed the same way, so
funding chains stay inside each copy) until the corpus holds 1,000,000 activities: the first copies in
full (text, places, organisations, transactions — the 100,000 activities overlap detection reads),
the rest with their funding facts and linked transactions only. Then: the analytics refresh (funding
chains, weights, the funding table), the cube (each query timed 5 times), the same cube computed
straight from the 1M-activity facts with the weights joined (no materialised table), and overlap
detection on the first 100,000 activities (read from the database + compared).

    .venv/bin/python benchmarks/bench_analytics.py [--quick] [--activities N] [--overlap N]

The registry's own scale benchmark (issue 3) was not available when this was written; if one day it
leaves a 1M-activity database behind, pass ``--database URL`` to measure on it instead (nothing is
replicated or dropped then).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG = "postgresql://postgres@127.0.0.1:5432"
SHARED = ROOT.parent / "shared" / "data" / "iati" / "activities"
BUNDLED = ROOT / "data" / "iati" / "activities"


def _say(text: str) -> None:
    print(text, flush=True)


# -- the worker (runs inside the benchmark database) ------------------------------------------------------
def _columns(model: Any) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if f.column != "id"]


def _replicate(copies_full: int, copies_lean: int) -> dict[str, float]:
    """Copy the real activities under new identifiers (see module docstring); returns timings."""
    from django.db import connection, transaction

    from gapbridge.projects.models import (
        Activity,
        ActivityFacet,
        FundingFact,
        ParticipatingOrg,
        RecipientCountry,
        RecipientRegion,
        Sector,
        Transaction,
    )

    timings: dict[str, float] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Activity._meta.db_table}")  # noqa: S608
        top = int(cursor.fetchone()[0])
    offset = 10 ** len(str(top))
    lean_text = {
        "titles": "'[]'::jsonb",
        "descriptions": "'[]'::jsonb",
        "search_text": "''",
        "title": "title",
    }

    def copy_activities(k: int, full: bool) -> None:
        cols = _columns(Activity)
        select = []
        for c in cols:
            if c == "iati_identifier":
                select.append(f"iati_identifier || '~{k}'")
            elif not full and c in lean_text:
                select.append(lean_text[c])
            else:
                select.append(c)
        sql = (
            f"INSERT INTO {Activity._meta.db_table} (id, {', '.join(cols)}) "  # noqa: S608
            f"SELECT id + {k * offset}, {', '.join(select)} FROM {Activity._meta.db_table} WHERE id <= {top}"
        )
        cursor.execute(sql)

    def copy_children(model: Any, k: int, where: str = "") -> None:
        cols = _columns(model)
        select = []
        for c in cols:
            if c == "activity_id":
                select.append(f"activity_id + {k * offset}")
            elif c in ("provider_activity_id", "receiver_activity_id"):
                select.append(f"CASE WHEN {c} <> '' THEN {c} || '~{k}' ELSE '' END")
            else:
                select.append(c)
        table = model._meta.db_table
        condition = f"activity_id <= {top}" + (f" AND ({where})" if where else "")
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(select)} FROM {table} WHERE {condition}"  # noqa: S608
        )

    started = time.perf_counter()
    linked = "provider_activity_id <> '' OR receiver_activity_id <> ''"
    for k in range(1, copies_full + copies_lean + 1):
        full = k <= copies_full
        with transaction.atomic(), connection.cursor() as cursor:
            copy_activities(k, full)
            copy_children(FundingFact, k)
            if full:
                for model in (
                    ActivityFacet,
                    ParticipatingOrg,
                    RecipientCountry,
                    RecipientRegion,
                    Sector,
                    Transaction,
                ):
                    copy_children(model, k)
            else:
                copy_children(Transaction, k, linked)
        if k % 10 == 0 or k == copies_full + copies_lean:
            _say(f"    replicated {k} copies ({time.perf_counter() - started:.0f} s)")
    with connection.cursor() as cursor:
        for done in (Activity, FundingFact, ActivityFacet, ParticipatingOrg, Transaction):
            table = done._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
            )
            cursor.execute(f"ANALYZE {table}")
    timings["replicate_s"] = time.perf_counter() - started
    return timings


def _cube_timings(repeat: int = 5) -> dict[str, Any]:
    from django.db import connection

    from gapbridge.analytics import queries
    from gapbridge.analytics.models import DedupWeight
    from gapbridge.projects.models import FundingFact

    times = []
    cells = 0
    for _ in range(repeat):
        started = time.perf_counter()
        cells = len(queries.funding_cube(["country", "focus_area", "year"]))
        times.append(time.perf_counter() - started)
    facts, weights = FundingFact._meta.db_table, DedupWeight._meta.db_table
    direct = []
    for _ in range(min(repeat, 3)):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT f.iso3, f.focus_area, f.year, SUM(f.value_usd),
                    SUM(f.value_usd * COALESCE(CASE WHEN f.transaction_type = '2' THEN w.commitment
                        ELSE w.disbursement END, 1.0))
                FROM {facts} f LEFT JOIN {weights} w ON w.activity_id = f.activity_id
                WHERE f.transaction_type IN ('2', '3', '4')
                GROUP BY f.iso3, f.focus_area, f.year"""  # noqa: S608
            )
            direct_cells = len(cursor.fetchall())
        direct.append(time.perf_counter() - started)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {facts}")  # noqa: S608
        n_facts = cursor.fetchone()[0]
    return {
        "cells": cells,
        "facts": n_facts,
        "materialised_p50_s": statistics.median(times),
        "materialised_max_s": max(times),
        "direct_p50_s": statistics.median(direct),
        "direct_cells": direct_cells,
    }


def worker(args: argparse.Namespace) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gapbridge.settings")
    django.setup()
    from gapbridge.analytics import services, source
    from gapbridge.domain import overlap
    from gapbridge.projects.models import Activity
    from gapbridge.projects.services import import_files

    out: dict[str, Any] = {}
    if not args.existing:
        started = time.perf_counter()
        summary = import_files(None, [args.source])
        out["import_s"] = time.perf_counter() - started
        out["real_activities"] = Activity.objects.count()
        _say(
            f"  imported {out['real_activities']:,} real activities in {out['import_s']:.1f} s ({summary.files} files)"
        )
    # money counted once, on the real data
    real = services.refresh(None)
    out["real_gross"] = real.gross
    out["real_dedup"] = real.deduplicated
    out["real_flows"] = real.flows
    _say(
        f"  real data: {real.flows:,} funding-chain links; disbursements gross ${real.gross.get('disbursement', 0):,.0f}"
        f" vs de-duplicated ${real.deduplicated.get('disbursement', 0):,.0f}; commitments gross "
        f"${real.gross.get('commitment', 0):,.0f} vs de-duplicated ${real.deduplicated.get('commitment', 0):,.0f}"
    )
    # precision and recall on the real data (traceability links as known pairs, links not used)
    started = time.perf_counter()
    records, _info = source.overlap_records()
    evaluation = overlap.evaluate(records)
    out["evaluation_s"] = time.perf_counter() - started
    d = evaluation.detection
    out["evaluation"] = {
        "pairs_known": evaluation.pairs_known,
        "precision": evaluation.precision,
        "recall": evaluation.recall,
        "blocking_recall": evaluation.blocking_recall,
        "by_tier": {k: asdict(v) for k, v in evaluation.by_tier.items()},
        "comparisons": d.comparisons,
        "all_pairs": d.all_pairs,
    }
    _say(
        f"  overlap detection on the real data ({len(records):,} activities): {evaluation.pairs_known} known pairs "
        f"(traceability links between publishers); precision {overlap.share_text(evaluation.precision)}, recall "
        f"{overlap.share_text(evaluation.recall)} (blocking lets {overlap.share_text(evaluation.blocking_recall)} of the known pairs "
        "through); "
        f"{d.comparisons:,} comparisons instead of {d.all_pairs:,}; {out['evaluation_s']:.1f} s"
    )
    for tier, score in evaluation.by_tier.items():
        _say(
            f"    {tier}: {score.found} pairs, {score.matched} known; precision {overlap.share_text(score.precision)}, "
            f"recall {overlap.share_text(score.recall)}"
        )
    # scale
    if not args.existing:
        base = Activity.objects.count()
        copies = max(0, -(-args.activities // base) - 1)
        full = min(copies, max(0, -(-args.overlap // base) - 1))
        _say(f"  replicating {base:,} activities ×{copies + 1} ({full} full copies) ...")
        out |= _replicate(full, copies - full)
    out["activities"] = Activity.objects.count()
    started = time.perf_counter()
    scaled = services.refresh(None)
    out["refresh_s"] = time.perf_counter() - started
    _say(
        f"  analytics refresh on {out['activities']:,} activities: {out['refresh_s']:.1f} s "
        f"({scaled.flows:,} chain links, {scaled.weighted:,} weighted activities, {scaled.funding_rows:,} funding rows)"
    )
    cube = _cube_timings()
    out["cube"] = cube
    _say(
        f"  country × focus area × year cube ({cube['cells']:,} cells, gross and de-duplicated, from "
        f"{cube['facts']:,} facts): p50 {cube['materialised_p50_s'] * 1000:.0f} ms, max "
        f"{cube['materialised_max_s'] * 1000:.0f} ms (target < 1 s); straight from the facts with the weights "
        f"joined: {cube['direct_p50_s']:.2f} s"
    )
    started = time.perf_counter()
    records, _info = source.overlap_records(limit=args.overlap)
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    found = overlap.detect(records)
    detect_s = time.perf_counter() - started
    out["overlap"] = {
        "activities": len(records),
        "read_s": read_s,
        "detect_s": detect_s,
        "pairs": len(found.pairs),
    }
    tiers = {t.value: len(p) for t, p in found.by_tier().items()}
    _say(
        f"  overlap detection over {len(records):,} activities: {read_s + detect_s:.1f} s (read {read_s:.1f} s, "
        f"compare {detect_s:.1f} s; target < 60 s); {found.comparisons:,} comparisons in {found.blocks:,} blocks "
        f"instead of {found.all_pairs:,}; {tiers}"
    )
    Path(args.result).write_text(json.dumps(out, default=str))


# -- the driver -------------------------------------------------------------------------------------------
def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_analytics")
    parser.add_argument(
        "--quick", action="store_true", help="bundled data, 20,000 activities, overlap on 5,000"
    )
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--overlap", type=int, default=100_000)
    parser.add_argument("--database", help="measure on an existing database (nothing replicated or dropped)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--existing", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args)
        return
    if args.quick:
        args.activities, args.overlap = 20_000, 5_000
    source = SHARED if SHARED.is_dir() and not args.quick else BUNDLED
    _say(f"analytics benchmark: real data from {source}")
    name = "gapbridge_bench_analytics_" + uuid.uuid4().hex[:8]
    url = args.database or f"{PG}/{name}"
    env = {**os.environ, "DATABASE_URL": url, "GAPBRIDGE_ENV": "test", "PYTHONPATH": str(ROOT / "src")}
    cli = [sys.executable, "-m", "gapbridge.cli.__main__"]
    result = Path(tempfile.gettempdir()) / f"{name}.json"
    if not args.database:
        probe = subprocess.run(
            ["psql", f"{PG}/postgres", "-qc", f"CREATE DATABASE {name}"], capture_output=True
        )
        if probe.returncode != 0:
            _say(f"PostgreSQL is not available at {PG}: {probe.stderr.decode().strip()} (skipped)")
            return
    try:
        if not args.database:
            subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
            subprocess.run([*cli, "load-reference"], env=env, check=True, capture_output=True)
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", "--result", str(result)]
        command += [
            "--source",
            str(source),
            "--activities",
            str(args.activities),
            "--overlap",
            str(args.overlap),
        ]
        if args.database:
            command.append("--existing")
        subprocess.run(command, env=env, check=True)
    finally:
        if not args.database:
            subprocess.run(
                ["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                capture_output=True,
            )
        result.unlink(missing_ok=True)


if __name__ == "__main__":
    main(sys.argv[1:])
