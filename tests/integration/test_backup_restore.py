"""`gapbridge backup` and `gapbridge restore` round trips on SQLite and PostgreSQL, as operators run them."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "gapbridge.cli.__main__"]
PG = "postgresql://postgres@127.0.0.1:5432"


def run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | env | {"GAPBRIDGE_ENV": "test"}
    result = subprocess.run([*CLI, *args], env=full, capture_output=True, text=True, timeout=300, check=False)
    if check and result.returncode != 0:
        raise AssertionError(result.stdout + result.stderr)
    return result


def usernames(env: dict[str, str]) -> set[str]:
    code = (
        "from django.contrib.auth.models import User; "
        "print(sorted(User.objects.values_list('username', flat=True)))"
    )
    full = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | env | {"GAPBRIDGE_ENV": "test"}
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        env=full,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return set(eval(out.stdout.strip().splitlines()[-1]))  # noqa: S307 (our own printed list)


def round_trip(env: dict[str, str], backup_file: Path) -> None:
    run(env, "migrate")
    run(
        env | {"GAPBRIDGE_PASSWORD": "a-long-enough-passphrase"},
        "add-user",
        "kept",
        "--email",
        "k@example.org",
    )
    run(env, "backup", "--out", str(backup_file))
    assert backup_file.stat().st_size > 0
    run(
        env | {"GAPBRIDGE_PASSWORD": "a-long-enough-passphrase"},
        "add-user",
        "later",
        "--email",
        "l@example.org",
    )
    assert usernames(env) == {"kept", "later"}
    run(env, "restore", str(backup_file), "--yes")
    assert usernames(env) == {"kept"}


def test_sqlite_round_trip_and_refusals(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    backup_file = tmp_path / "backups" / "gapbridge.sqlite3"
    round_trip(env, backup_file)
    with sqlite3.connect(backup_file) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a backup at all")
    refused = run(env, "restore", str(junk), "--yes", check=False)
    assert refused.returncode == 2 and "not a GapBridge backup" in refused.stderr
    assert usernames(env) == {"kept"}, "a refused restore changes nothing"


@pytest.fixture
def pg_database() -> Iterator[str]:
    if shutil.which("psql") is None:
        pytest.skip("psql is not installed")
    name = "gapbridge_backup_" + uuid.uuid4().hex[:10]
    subprocess.run(
        ["psql", f"{PG}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True
    )
    try:
        yield f"{PG}/{name}"
    finally:
        subprocess.run(
            ["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
            check=False,
            capture_output=True,
        )


def test_postgresql_round_trip_and_engine_mismatch(pg_database: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": pg_database}
    backup_file = tmp_path / "gapbridge.pgdump"
    round_trip(env, backup_file)
    assert backup_file.read_bytes()[:5] == b"PGDMP"
    sqlite_env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'other.sqlite3'}"}
    run(sqlite_env, "migrate")
    mismatch = run(sqlite_env, "restore", str(backup_file), "--yes", check=False)
    assert mismatch.returncode == 2 and "is a postgresql backup" in mismatch.stderr
