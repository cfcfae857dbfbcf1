"""A fingerprint of the database: the row count of every table and a hash of every row of every table,
so a refused write can be shown to have changed nothing at all (not just the table it aimed at).

Left out: `django_session` (signing in writes it; it is not application data). Tables that already hold
more than `BULK_ROWS` rows before any write (the bundled reference data loaded once per test session:
economies, observations, scores, permissions) are fingerprinted by row count only, to keep the matrix
fast; no write in the matrix is meant to touch them, and one that did would have to leave their row count
unchanged. Every application table written by the services (offers, needs, matches, barriers, pledges,
events, analytics, audit, accounts, projects, ...) starts small and is hashed row by row.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from dataclasses import dataclass

from django.db import connection

IGNORED = frozenset({"django_session"})
BULK_ROWS = 200


def _norm(value: object) -> str:
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    return repr(value)


@dataclass(frozen=True)
class Plan:
    hashed: tuple[str, ...]
    counted: tuple[str, ...]


def plan() -> Plan:
    """Which tables are hashed row by row and which only counted (decided once, after the reference load)."""
    hashed: list[str] = []
    counted: list[str] = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in IGNORED:
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (table names from introspection)
            (rows,) = cursor.fetchone()
            (counted if rows > BULK_ROWS else hashed).append(table)
    return Plan(tuple(hashed), tuple(counted))


def take(p: Plan) -> dict[str, tuple[int, str]]:
    """{table: (row count, sha256 of its sorted rows)}; counted-only tables have an empty hash."""
    out: dict[str, tuple[int, str]] = {}
    with connection.cursor() as cursor:
        for table in p.hashed:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (introspected name)
            rows = sorted("\x1f".join(_norm(v) for v in row) for row in cursor.fetchall())
            out[table] = (len(rows), hashlib.sha256("\x1e".join(rows).encode()).hexdigest())
        for table in p.counted:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (table names from introspection)
            out[table] = (cursor.fetchone()[0], "")
    return out


def diff(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    """The tables that differ, with their row counts before -> after."""
    return [
        f"{t} ({before.get(t, (0, ''))[0]} -> {after.get(t, (0, ''))[0]} rows)"
        for t in sorted(set(before) | set(after))
        if before.get(t) != after.get(t)
    ]
