"""Crash safety (issue 8): an import killed with SIGKILL at random moments leaves no half-written
activity, and re-running it gives exactly the database a clean import gives. Runs real import processes
on the real bundled files against throw-away databases of the same engine as the test run (SQLite files,
or PostgreSQL databases), and compares every registry table in full (:func:`full_snapshot`)."""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from gapbridge.projects.rows import TABLES

from .test_projects_support import ACTIVITIES, IATI, activity_key, full_snapshot, snapshot_columns

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
CLI = [sys.executable, "-m", "gapbridge.cli"]


@contextlib.contextmanager
def scratch_databases(tmp_path: Path, names: list[str]) -> Iterator[dict[str, str]]:
    """DATABASE_URLs of migrated, empty databases (migrated once, then copied; dropped afterwards)."""
    first, *others = names
    if connection.vendor == "sqlite":
        urls = {name: f"sqlite:///{tmp_path / name}.sqlite3" for name in names}
        subprocess.run([*CLI, "migrate"], env=_env(urls[first], tmp_path), check=True, capture_output=True)
        for name in others:
            shutil.copy(tmp_path / f"{first}.sqlite3", tmp_path / f"{name}.sqlite3")
        yield urls
        return
    import psycopg

    params = connection.settings_dict
    base = f"postgresql://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
    admin = psycopg.connect(f"{base}/postgres", autocommit=True)
    created = {name: f"gb_crash_{name}_{os.getpid()}" for name in names}
    try:
        for db in created.values():
            admin.execute(f'DROP DATABASE IF EXISTS "{db}"')
        admin.execute(f'CREATE DATABASE "{created[first]}"')
        subprocess.run(
            [*CLI, "migrate"], env=_env(f"{base}/{created[first]}", tmp_path), check=True, capture_output=True
        )
        for name in others:
            admin.execute(f'CREATE DATABASE "{created[name]}" TEMPLATE "{created[first]}"')
        yield {name: f"{base}/{db}" for name, db in created.items()}
    finally:
        for db in created.values():
            admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        admin.close()


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "GAPBRIDGE_ENV": "test", "GAPBRIDGE_VAR_DIR": str(tmp_path)}


def _connect(url: str) -> Any:
    if url.startswith("sqlite"):
        return sqlite3.connect(url.removeprefix("sqlite:///"))
    import psycopg

    return psycopg.connect(url)


def _snapshot(url: str) -> dict[str, list[tuple[str, ...]]]:
    with contextlib.closing(_connect(url)) as db:
        return full_snapshot(db.cursor())


#: The import as the command line runs it, in a process of its own that says when Django is up (so kill
#: times are drawn over the import itself, not over start-up). A small batch size makes many commits,
#: so the kills land before, between and inside them.
DRIVER = """
import json, sys, time
from gapbridge.cli.platform import setup_django
setup_django()
from gapbridge.projects import services
print("ready", flush=True)
started = time.perf_counter()
summary = services.import_files(None, sys.argv[3:], workers=int(sys.argv[1]), batch_size=int(sys.argv[2]))
print(json.dumps({"seconds": time.perf_counter() - started, **summary.as_dict()}), flush=True)
"""
SEED = 20261123
KILLS = 6
BATCH = 40
FILES = [str(ACTIVITIES), str(IATI / "organisations")]


def _start(url: str, tmp_path: Path, workers: int) -> subprocess.Popen[bytes]:
    # stderr to a file: a pipe nobody reads could fill up and stall the import
    with open(tmp_path / "import-stderr.log", "wb") as errors:
        process = subprocess.Popen(
            [sys.executable, "-c", DRIVER, str(workers), str(BATCH), *FILES],
            env=_env(url, tmp_path),
            stdout=subprocess.PIPE,
            stderr=errors,
        )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line == b"ready\n", (line, (tmp_path / "import-stderr.log").read_text()[-2000:])
    return process


def _finish(process: subprocess.Popen[bytes], tmp_path: Path) -> dict[str, Any]:
    stdout, _stderr = process.communicate(timeout=600)
    assert process.returncode == 0, (tmp_path / "import-stderr.log").read_text()[-2000:]
    return dict(json.loads(stdout))


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError, IndexError):
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_import_killed_at_random_moments_then_rerun_equals_a_clean_import(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    columns = snapshot_columns("projects_activity")
    identifier, publisher = columns.index("iati_identifier"), columns.index("publisher_ref")
    # table -> position of its activity foreign key in snapshot rows
    activity_fk = {
        table: snapshot_columns(table).index("activity_id")
        for table in {t.db_table for t in TABLES.values()} | {"projects_finding"}
    }

    def key(row: tuple[str, ...]) -> str:
        return activity_key(row[identifier], row[publisher])

    names = ["clean", *(f"killed{i}" for i in range(KILLS))]
    with scratch_databases(tmp_path, names) as urls:
        clean_run = _finish(_start(urls["clean"], tmp_path, 0), tmp_path)
        clean = _snapshot(urls["clean"])
        assert len(clean["projects_activity"]) == clean_run["activities"]["new"] > 900
        clean_by_key = {key(row): row for row in clean["projects_activity"]}
        duration = clean_run["seconds"]

        def kill(url: str, workers: int) -> int:
            """Start an import, SIGKILL it after a random time, check what it left; activities stored."""
            process = _start(url, tmp_path, workers)
            time.sleep(rng.uniform(0.0, duration))
            children = _children(process.pid)
            process.send_signal(signal.SIGKILL)
            process.wait()
            if process.stdout is not None:
                process.stdout.close()
            partial = _snapshot(url)
            # No half-written activity: an activity stored with the content a clean import stores has
            # exactly the rows the clean import gives it, in every table (an older copy of an activity
            # that a later file updates may be there for now: the re-run replaces it).
            stored = {key(row): row for row in partial["projects_activity"]}
            same = {k for k, row in stored.items() if clean_by_key.get(k) == row}
            older = clean_run["activities"]["skipped"]
            assert len(same) >= len(stored) - older, "stored activities differ from a clean import's"
            for table, rows in partial.items():
                position = activity_fk.get(table)
                if position is not None:
                    mine = sorted(r for r in rows if r[position] in same)
                    theirs = sorted(r for r in clean[table] if r[position] in same)
                    assert mine == theirs, f"{table}: rows of stored activities differ from a clean import's"
            deadline = time.monotonic() + 10
            while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not [pid for pid in children if _alive(pid)], "worker processes outlived the killed import"
            return len(stored)

        states: list[int] = []
        started = time.monotonic()
        for attempt in range(KILLS):
            url = urls[f"killed{attempt}"]
            # every third import reads in worker processes: killing the parent must not leave them writing
            states.append(kill(url, 2 if attempt % 3 == 2 else 0))
            if attempt % 2:
                kill(url, 0)  # the re-run is killed too
            rerun = _finish(_start(url, tmp_path, 0), tmp_path)
            assert _snapshot(url) == clean, f"kill {attempt}: the re-run does not equal a clean import"
            assert sum(rerun["activities"].values()) == sum(clean_run["activities"].values())
        elapsed = time.monotonic() - started
        # the kills fell at different stages of the import, not all before or after every commit
        assert len({n for n in states if 0 < n < len(clean_by_key)}) >= 2, states
        print(
            f"crash test ({connection.vendor}): {KILLS + KILLS // 2} SIGKILLs (seed {SEED}) at random "
            f"moments of a {duration:.1f} s import left {states} of {len(clean_by_key)} activities after "
            f"the first kill; every re-run equals a clean import; {elapsed:.0f} s"
        )


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
