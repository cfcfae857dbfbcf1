"""Crash safety: an import killed at a random moment leaves no half-written activity, and re-running it
gives exactly the database a clean import gives. Runs real `gapbridge` processes against throw-away
databases of the same engine as the test run (SQLite files, or PostgreSQL databases)."""

from __future__ import annotations

import contextlib
import os
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

from .test_projects_support import ACTIVITIES, snapshot

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


def _count(url: str) -> int:
    try:
        with contextlib.closing(_connect(url)) as db:
            cursor = db.cursor()
            cursor.execute("SELECT COUNT(*) FROM projects_activity")
            return int(cursor.fetchone()[0])
    except Exception:  # table not there yet / locked for a moment
        return 0


def _snapshot(url: str) -> dict[str, list[tuple[str, ...]]]:
    with contextlib.closing(_connect(url)) as db:
        return snapshot(db.cursor())


def test_killed_import_leaves_whole_activities_and_a_rerun_equals_a_clean_import(tmp_path: Path) -> None:
    files = [str(ACTIVITIES)]
    with scratch_databases(tmp_path, ["killed", "clean"]) as urls:
        killed = urls["killed"]
        process = subprocess.Popen(
            [*CLI, "import-iati", *files, "--json", "--workers", "0"],
            env=_env(killed, tmp_path),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while _count(killed) < 100 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait()
        partial = _snapshot(killed)
        stored = len(partial["activity"])
        assert 0 < stored < 966, f"the kill came too early or too late ({stored} activities stored)"

        subprocess.run(
            [*CLI, "import-iati", *files, "--json"],
            env=_env(urls["clean"], tmp_path),
            check=True,
            capture_output=True,
        )
        clean = _snapshot(urls["clean"])

        # No half-written activity: every activity already stored has exactly the rows a clean import
        # gives for the same content.
        by_content = {row[:3]: row for row in clean["activity"]}
        complete = [row for row in partial["activity"] if row[:3] in by_content]
        assert len(complete) >= stored * 0.9
        keys = {row[:2] for row in complete}
        for table, rows in partial.items():
            if table == "activity":
                continue
            mine = sorted(r for r in rows if r[:2] in keys)
            theirs = sorted(r for r in clean[table] if r[:2] in keys)
            assert mine == theirs, f"{table}: rows of stored activities differ from a clean import"

        rerun = subprocess.run(
            [*CLI, "import-iati", *files, "--json"],
            env=_env(killed, tmp_path),
            check=True,
            capture_output=True,
        )
        assert b'"new"' in rerun.stdout
        assert _snapshot(killed) == clean
