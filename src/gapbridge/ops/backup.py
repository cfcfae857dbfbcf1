"""Backups of the whole database, and restores, for SQLite (online backup API) and PostgreSQL (pg_dump).

A SQLite backup is a consistent copy taken while the site runs; a PostgreSQL backup is a custom-format
`pg_dump` archive. Restores replace the target database's content; they refuse to mix engines.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done, with the reason."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    engine: str
    bytes: int


def engine_of(db: Mapping[str, Any]) -> str:
    engine = str(db["ENGINE"])
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"backups support SQLite and PostgreSQL, not {engine}")


def _pg_env(db: Mapping[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db: Mapping[str, Any]) -> list[str]:
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client)")
    return path


def backup(db: Mapping[str, Any], out: Path) -> BackupResult:
    """Write a backup to `out` atomically (a temporary file renamed into place)."""
    engine = engine_of(db)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".backup-", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if engine == "sqlite":
            source = sqlite3.connect(str(db["NAME"]))
            target = sqlite3.connect(str(tmp))
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        else:
            result = subprocess.run(
                [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(tmp), *_pg_args(db)],
                env=_pg_env(db),
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(out, engine, out.stat().st_size)


def restore(db: Mapping[str, Any], source: Path) -> str:
    """Replace the database's content with the backup at `source`; returns the engine."""
    engine = engine_of(db)
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    with source.open("rb") as handle:
        head = handle.read(16)
    kind = (
        "sqlite" if head.startswith(SQLITE_MAGIC) else "postgresql" if head.startswith(PGDUMP_MAGIC) else None
    )
    if kind is None:
        raise BackupError(f"{source}: not a GapBridge backup (neither a SQLite file nor a pg_dump archive)")
    if kind != engine:
        raise BackupError(f"{source} is a {kind} backup; the configured database is {engine}")
    if engine == "sqlite":
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        target = sqlite3.connect(str(db["NAME"]))
        try:
            if backup_db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source}: the SQLite file fails its integrity check")
            backup_db.backup(target)
        finally:
            target.close()
            backup_db.close()
    else:
        result = subprocess.run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *_pg_args(db),
                str(source),
            ],
            env=_pg_env(db),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    return engine
