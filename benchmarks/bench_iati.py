"""IATI registry benchmark (issue 3).

1. Import every IATI file of the repository (data/iati/activities and organisations) into a fresh SQLite
   and a fresh PostgreSQL database with `gapbridge import-iati`; print activities per second, the ratio to
   a raw ``lxml.etree.iterparse`` of the same (decompressed) bytes measured in the same run, the adapter's
   parse alone for comparison, and the importer's peak memory (target ratio >= 0.5 on SQLite).
2. Scale run (skipped with --quick): a corpus of --scale-activities activities (default 1,000,000) made by
   replicating real activities under new identifiers (streamed into temporary files), imported into a
   fresh PostgreSQL database in rounds until done or until --scale-budget seconds are spent; then the p95
   of the country funding API over real HTTP (target < 200 ms). What was measured is printed as measured;
   an import stopped by the budget says so and gives the extrapolated time.

Each import is run --rounds times (default 3, 2 with --quick) into a fresh database and the best round is
reported, like the raw pass (best of 3); every round's time is printed too.

Options: --scale-only (just the scale run), --workers N (import processes, default 2), --postgres URL (server for the throw-away databases,
default postgresql://postgres@127.0.0.1:5432/postgres), --scale-source DIR (real activities to replicate;
default the shared data folder when present, else the repository's).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
REPO_FILES = [ROOT / "data" / "iati" / "activities", ROOT / "data" / "iati" / "organisations"]
SHARED = ROOT.parent / "shared" / "data" / "iati" / "activities"
CLI = [sys.executable, "-m", "gapbridge.cli"]
CHUNK = 20_000  # activities per generated file
LAST_CPU = [0.0]


def _files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.name.endswith((".xml", ".xml.gz")))
        elif path.is_file():
            found.append(path)
    return found


def _bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _parse_pass(blobs: list[bytes], walk: bool = False) -> tuple[int, int, float, float]:
    """Activities, elements visited, wall and CPU seconds (best of 3) of the plainest streaming parse
    (iterparse on iati-activity, clear) or, with ``walk``, of that plus the least a Python reader of every
    element must do: visit it once and read its text and one attribute."""
    best = best_cpu = float("inf")
    count = elements = 0
    for _round in range(3):
        count = elements = 0
        started = time.perf_counter()
        cpu = time.process_time()
        for blob in blobs:
            with contextlib.suppress(etree.XMLSyntaxError):
                for _event, activity in etree.iterparse(
                    io.BytesIO(blob),
                    events=("end",),
                    tag="iati-activity",
                    resolve_entities=False,
                    no_network=True,
                ):
                    count += 1
                    if walk:
                        for element in activity.iter():
                            elements += 1
                            _ = element.text, element.get("code")
                    activity.clear()
        best = min(best, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return count, elements, best, best_cpu


def raw_iterparse(blobs: list[bytes]) -> tuple[int, float, float]:
    """Activities, wall and CPU seconds (best of 3) of the plain parse the import is compared with."""
    count, _elements, wall, cpu = _parse_pass(blobs)
    return count, wall, cpu


def blobs_of(files: list[Path]) -> list[bytes]:
    return [_bytes(p) for p in files]


def _row_copy_seconds(imported: Path, from_python: bool = False) -> tuple[int, int, float]:
    """Activities, rows and CPU seconds (best of 3) to insert every activity row of the imported database
    again, entirely inside SQLite (``INSERT ... SELECT``: no Python per row), into a copy of it emptied
    of activities (files, runs and organisations stay, as foreign keys point at them), with the
    importer's settings (WAL, synchronous=NORMAL, foreign keys on) in one transaction. ``from_python``:
    the rows are read into Python tuples first (not timed) and handed over with ``executemany``, the
    cheapest way a Python importer can give SQLite rows it has built."""
    import shutil
    import sqlite3

    keep = (
        "projects_sourcefile",
        "projects_importrun",
        "projects_iatiorganisation",
        "projects_organisationbudget",
    )
    with contextlib.closing(sqlite3.connect(imported)) as db:
        order = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'projects_%' ORDER BY rowid"
            )
            if name not in keep
        ]
    empty = imported.with_name("floor-empty.sqlite3")
    shutil.copyfile(imported, empty)
    with contextlib.closing(sqlite3.connect(empty, isolation_level=None)) as db:
        for name in reversed(order):
            db.execute(f"DELETE FROM {name}")  # noqa: S608 - names from sqlite_master
        db.execute("VACUUM")
    best = float("inf")
    activities = rows = 0
    for round_ in range(3):
        target = imported.with_name(f"floor{round_}.sqlite3")
        shutil.copyfile(empty, target)
        db = sqlite3.connect(target, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("ATTACH DATABASE ? AS source", (str(imported),))
            ready = (
                {name: db.execute(f"SELECT * FROM source.{name}").fetchall() for name in order}  # noqa: S608
                if from_python
                else {}
            )
            started = time.process_time()
            db.execute("BEGIN")
            rows = 0
            for name in order:
                if not from_python:
                    rows += db.execute(f"INSERT INTO main.{name} SELECT * FROM source.{name}").rowcount  # noqa: S608
                elif ready[name]:
                    marks = ", ".join("?" * len(ready[name][0]))
                    db.executemany(f"INSERT INTO main.{name} VALUES ({marks})", ready[name])  # noqa: S608
                    rows += len(ready[name])
            db.execute("COMMIT")
            best = min(best, time.process_time() - started)
            activities = db.execute("SELECT COUNT(*) FROM main.projects_activity").fetchone()[0]
        finally:
            db.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
    empty.unlink(missing_ok=True)
    return activities, rows, best


def floor_report(blobs: list[bytes], imported: Path) -> None:
    """What any importer written in Python must spend per activity to store this model in SQLite, measured
    in the same run: the raw parse, one Python visit of each element, and the row inserts done entirely
    in C. Their sum bounds the ratio such an importer can reach, before any conversion or validation."""
    count, _elements, _wall, raw_cpu = _parse_pass(blobs)
    _count, elements, _wall, walk_cpu = _parse_pass(blobs, walk=True)
    activities, rows, copy_seconds = _row_copy_seconds(imported)
    _activities, _rows, handed_seconds = _row_copy_seconds(imported, from_python=True)
    per = max(1, activities)
    raw_us = raw_cpu / count * 1e6
    walk_us = (walk_cpu - raw_cpu) / count * 1e6
    copy_us = copy_seconds / per * 1e6
    handed_us = handed_seconds / per * 1e6
    in_c = raw_us + walk_us + copy_us
    handed = raw_us + walk_us + handed_us
    print(
        f"sqlite: floor per activity of an importer storing this model ({elements / count:.0f} elements read, "
        f"{rows / per:.0f} rows written): raw parse {raw_us:.0f} µs + one Python visit of each element "
        f"{walk_us:.0f} µs + the rows inserted inside SQLite without Python (INSERT ... SELECT) {copy_us:.0f} µs "
        f"= {in_c:.0f} µs (ratio at most {raw_us / in_c:.2f}); with the rows handed over from Python "
        f"(executemany of ready tuples, {handed_us:.0f} µs) = {handed:.0f} µs (ratio at most "
        f"{raw_us / handed:.2f}); both before any conversion, validation or row building "
        "(docs/adr/0003-iati-import-throughput.md)",
        flush=True,
    )


def adapter_parse(files: list[Path]) -> tuple[int, float]:
    from gapbridge.iati.errors import IatiError
    from gapbridge.iati.parser import iter_files

    started = time.perf_counter()
    count = sum(1 for item in iter_files(files) if not isinstance(item, IatiError))
    return count, time.perf_counter() - started


def _env(url: str, var: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "GAPBRIDGE_ENV": "test", "GAPBRIDGE_VAR_DIR": var}


def _run(args: list[str], env: dict[str, str], check: bool = True) -> tuple[dict[str, Any], float, int]:
    """Run a CLI command; its JSON output, wall seconds and peak RSS (MB, the process and its workers).
    The CPU seconds of the process and its workers are left in ``LAST_CPU``."""
    started = time.perf_counter()
    process = subprocess.Popen([*CLI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout = process.stdout.read() if process.stdout else b""
    stderr = process.stderr.read() if process.stderr else b""
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    LAST_CPU[0] = usage.ru_utime + usage.ru_stime
    if check and process.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:2])} failed: {stderr.decode()[-2000:]}")
    body = json.loads(stdout) if stdout.strip().startswith(b"{") else {}
    return body, wall, usage.ru_maxrss // 1024


@contextlib.contextmanager
def fresh_database(kind: str, admin_url: str, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'bench.sqlite3'}"
        return
    import psycopg

    name = f"bench_iati_{os.getpid()}"
    base = admin_url.rsplit("/", 1)[0]
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_ok(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3):
            return True
    except Exception:
        return False


def _clone(kind: str, url: str, tmp: Path, name: str) -> str:
    """A copy of the migrated, empty database ``url``."""
    if kind == "sqlite":
        target = tmp / f"{name}.sqlite3"
        target.write_bytes((tmp / "bench.sqlite3").read_bytes())
        return f"sqlite:///{target}"
    import psycopg

    base, template = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{template}_{name}"')
        admin.execute(f'CREATE DATABASE "{template}_{name}" TEMPLATE "{template}"')
    return f"{url}_{name}"


def _drop(kind: str, url: str) -> None:
    if kind == "sqlite":
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def import_bench(
    kind: str, files: list[Path], raw: tuple[int, float, float], workers: int, admin: str, rounds: int
) -> None:
    """Serial and parallel imports, each ``rounds`` times into a fresh copy of a migrated empty database;
    the best round is reported, as for the raw pass (best of 3), and every round's time is shown."""
    raw_count, raw_wall, raw_cpu = raw
    names = [str(p) for p in files]
    with tempfile.TemporaryDirectory() as tmp, fresh_database(kind, admin, Path(tmp)) as url:
        env = _env(url, tmp)
        _run(["migrate"], env)
        # CPU of start-up alone (Django, imports): an import of a missing file; median of 3, as it varies
        startups = []
        for _ in range(3):
            _run(["import-iati", "/no/such/file.xml"], env, check=False)
            startups.append(LAST_CPU[0])
        startup_cpu = statistics.median(startups)

        def best_of(count: int) -> tuple[dict[str, Any], float, int, list[float], str]:
            """Best (JSON summary, importer CPU-s, peak MB), all round times, and the last database."""
            found: tuple[dict[str, Any], float, int] | None = None
            times: list[float] = []
            target = ""
            for round_ in range(rounds):
                if target:
                    _drop(kind, target)
                target = _clone(kind, url, Path(tmp), f"w{count}r{round_}")
                body, _wall, rss = _run(
                    ["import-iati", *names, "--json", "--workers", str(count)], _env(target, tmp)
                )
                times.append(body["seconds"])
                if found is None or body["seconds"] < found[0]["seconds"]:
                    found = (body, max(0.001, LAST_CPU[0] - startup_cpu), rss)
            assert found is not None
            return (*found, times, target)

        body, cpu, rss, times, serial_url = best_of(0)
        if kind == "sqlite":
            floor_report(blobs_of(files), Path(serial_url.removeprefix("sqlite:///")))
        _drop(kind, serial_url)
        total = sum(body["activities"].values())
        rate = total / body["seconds"]
        shown = ", ".join(f"{t:.2f}" for t in times)
        print(
            f"{kind}: serial import (--workers 0) of {total} activities ({body['activities']['new']} new, "
            f"{body['files']} files, {body['files_failed']} refused, {body['findings']} findings), best of "
            f"{rounds} ({shown} s): {body['seconds']:.2f} s = {rate:,.0f} activities/s (ratio to raw "
            f"iterparse, wall: {rate / (raw_count / raw_wall):.2f}); {cpu:.2f} CPU-s in the importer without "
            f"start-up = {total / cpu:,.0f} activities per CPU-second (ratio, CPU: "
            f"{total / cpu / (raw_count / raw_cpu):.2f}"
            f"{'' if kind == 'sqlite' else ', PostgreSQL server CPU not included'}); peak memory {rss} MB "
            "(target ratio >= 0.5 on SQLite)",
            flush=True,
        )
        body, _cpu, rss, times, parallel_url = best_of(workers)
        try:
            rate = sum(body["activities"].values()) / body["seconds"]
            shown = ", ".join(f"{t:.2f}" for t in times)
            print(
                f"{kind}: parallel import (--workers {workers}, {body['activities']}), best of {rounds} "
                f"({shown} s): {body['seconds']:.2f} s = {rate:,.0f} activities/s (ratio to raw iterparse, "
                f"wall: {rate / (raw_count / raw_wall):.2f}); peak memory {rss} MB (importer and workers)",
                flush=True,
            )
            again, _wall, _rss = _run(
                ["import-iati", *names, "--json", "--workers", str(workers)], _env(parallel_url, tmp)
            )
            print(f"{kind}: second run {again['activities']} in {again['seconds']:.1f} s", flush=True)
        finally:
            _drop(kind, parallel_url)


# -- scale run ------------------------------------------------------------------------------------------------
def _source_activities(folder: Path) -> list[tuple[bytes, bytes]]:
    """(identifier, serialised element) of every 2.x activity under ``folder`` (1.x files are skipped:
    their codes depend on the file's version, which a 2.03 wrapper would change)."""
    from gapbridge.iati.source import SafeReader

    found: list[tuple[bytes, bytes]] = []
    for path in _files([folder]):
        try:
            with SafeReader(path) as reader:
                if reader.prolog.root_tag != "iati-activities":
                    continue
                for _event, element in etree.iterparse(
                    reader, events=("end",), tag="iati-activity", resolve_entities=False, no_network=True
                ):
                    root = element.getroottree().getroot()
                    if (root.get("version") or "2").startswith("1"):
                        break
                    identifier = element.findtext("iati-identifier")
                    if identifier and identifier.strip():
                        xml = etree.tostring(element, encoding="utf-8")
                        found.append((identifier.strip().encode(), xml))
                    element.clear()
        except Exception:  # noqa: S112 - bad files of the corpus are simply not replicated
            continue
    return found


def generate_corpus(sources: list[tuple[bytes, bytes]], total: int, folder: Path) -> Iterator[Path]:
    """``total`` activities: the sources replicated under identifiers ``<id>-R<n>``, written CHUNK per
    file and yielded one file at a time (so the corpus never has to sit on disk whole)."""
    written = 0
    replica = 0
    index = 0
    while written < total:
        replica += 1
        position = 0
        while position < len(sources) and written < total:
            path = folder / f"replica-{index:04d}.xml"
            index += 1
            with open(path, "wb") as handle:
                handle.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n')
                count = 0
                while count < CHUNK and written < total:
                    if position >= len(sources):
                        replica += 1
                        position = 0
                    identifier, xml = sources[position]
                    position += 1
                    old = b"<iati-identifier>" + identifier
                    handle.write(xml.replace(old, old + b"-R" + str(replica).encode(), 1))
                    handle.write(b"\n")
                    count += 1
                    written += 1
                handle.write(b"</iati-activities>\n")
            yield path


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (loopback URL)
        body = response.read()
    return (time.perf_counter() - started) * 1000, body


def funding_p95(env: dict[str, str], requests: int) -> None:
    port = _port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "gapbridge.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--log-level",
            "warning",
        ],
        env={**env, "GAPBRIDGE_ENV": "dev", "GAPBRIDGE_DEBUG": "0"},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(base + "/healthz")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        _ms, body = _get(base + "/api/v1/funding?group_by=country")
        countries = [r["country"] for r in json.loads(body)["rows"] if r["country"]]
        rng = random.Random(3)
        sample = [rng.choice(countries) for _ in range(requests)]
        for label, template in (
            (
                "country funding API (group_by=year,focus_area,provider)",
                "/api/v1/funding?country={}&group_by=year,focus_area,provider",
            ),
            ("country funding API (group_by=year)", "/api/v1/funding?country={}&group_by=year"),
            ("country funding page", "/projects/funding/{}/"),
        ):
            for iso3 in sample[:10]:
                _get(base + template.format(iso3))
            timings = sorted(_get(base + template.format(iso3))[0] for iso3 in sample)
            p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
            print(
                f"{label}: {len(timings)} requests over {len(set(sample))} countries, p50 "
                f"{statistics.median(timings):.1f} ms, p95 {p95:.1f} ms (target p95 < 200 ms)",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


def scale_run(args: argparse.Namespace) -> None:
    source = Path(args.scale_source) if args.scale_source else (SHARED if SHARED.is_dir() else REPO_FILES[0])
    sources = _source_activities(source)
    print(f"scale: replicating {len(sources)} real 2.x activities from {source}", flush=True)
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        folder = Path(tmp)
        corpus = generate_corpus(sources, args.scale_activities, folder)
        with fresh_database("postgresql", args.postgres, folder) as url:
            env = _env(url, tmp)
            _run(["migrate"], env)
            _run(["load-reference"], env)
            imported = 0
            seconds = generating = wall = 0.0
            peak = 0
            budget_hit = False
            per_round = max(1, args.scale_round_files)
            while True:
                if wall >= args.scale_budget:
                    budget_hit = imported < args.scale_activities
                    break
                started = time.perf_counter()
                chunk = [path for _ in range(per_round) if (path := next(corpus, None)) is not None]
                generating += time.perf_counter() - started
                if not chunk:
                    break
                body, round_wall, rss = _run(
                    ["import-iati", *map(str, chunk), "--json", "--workers", str(args.workers)], env
                )
                imported += sum(body["activities"].values())
                seconds += body["seconds"]
                wall += round_wall
                peak = max(peak, rss)
                print(
                    f"scale: {imported:,} activities, {seconds:.0f} s importing, {wall:.0f} s wall "
                    f"({imported / wall:,.0f}/s wall)",
                    flush=True,
                )
                for path in chunk:
                    path.unlink()
            print(f"scale: writing the replicated corpus took {generating:.0f} s (not counted)", flush=True)
            rate = imported / wall if wall else 0.0
            note = ""
            if budget_hit:
                note = (
                    f" — STOPPED by the {args.scale_budget:.0f} s budget; at this rate {args.scale_activities:,} "
                    f"would take {args.scale_activities / rate / 60:.0f} min"
                )
            print(
                f"scale: imported {imported:,} activities into PostgreSQL: {wall:.0f} s wall in "
                f"{-(-imported // (CHUNK * per_round))} runs of `gapbridge import-iati` (incl. start-up and "
                f"the funding-cube rebuild; {seconds:.0f} s inside the importer) = {rate:,.0f} activities/s; "
                f"peak memory {peak} MB{note}",
                flush=True,
            )
            with contextlib.closing(__import__("psycopg").connect(url)) as db:
                rows = db.execute("SELECT COUNT(*) FROM projects_activity").fetchone()
                facts = db.execute("SELECT COUNT(*) FROM projects_fundingfact").fetchone()
                size_row = db.execute("SELECT pg_database_size(current_database())").fetchone()
            print(
                f"scale: database holds {rows[0]:,} activities, {facts[0]:,} funding facts, "
                f"{size_row[0] / 1e9:.1f} GB",
                flush=True,
            )
            funding_p95(env, args.requests)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_iati")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--rounds", type=int, default=0, help="imports per mode, best reported (3; 2 --quick)"
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--scale-activities", type=int, default=1_000_000)
    parser.add_argument(
        "--scale-budget", type=float, default=1500.0, help="seconds of importing in the scale run"
    )
    parser.add_argument("--scale-source", help="folder of real IATI activity files to replicate")
    parser.add_argument("--scale-round-files", type=int, default=5, help="files (20,000 activities) per run")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--tmp", help="folder for the generated corpus (default: system temp)")
    parser.add_argument("--scale-only", action="store_true", help="only the scale run (PostgreSQL)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gapbridge.settings")
    if args.scale_only:
        scale_run(args)
        return

    files = _files(REPO_FILES)
    blobs = [_bytes(p) for p in files]
    raw = raw_iterparse(blobs)
    raw_count, raw_wall, raw_cpu = raw
    parsed, parse_seconds = adapter_parse(files)
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (a shared machine: wall-clock figures vary)",
        flush=True,
    )
    print(
        f"raw lxml iterparse: {raw_count} activities, {sum(map(len, blobs)) / 1e6:.1f} MB decompressed, "
        f"{raw_count / raw_wall:,.0f} activities/s ({raw_count / raw_cpu:,.0f} per CPU-second); adapter parse "
        f"alone (DTOs + findings): {parsed / parse_seconds:,.0f}/s (ratio {parsed / parse_seconds / (raw_count / raw_wall):.2f})",
        flush=True,
    )
    rounds = args.rounds or (2 if args.quick else 3)
    import_bench("sqlite", files, raw, args.workers, args.postgres, rounds)
    if _postgres_ok(args.postgres):
        import_bench("postgresql", files, raw, args.workers, args.postgres, rounds)
        if not args.quick:
            scale_run(args)
    else:
        print(f"postgresql: not reachable at {args.postgres}; PostgreSQL figures and the scale run skipped")


if __name__ == "__main__":
    main(sys.argv[1:])
