"""The writing half of an import: prepared activities -> database rows, one transaction per batch.

Why raw SQL: an activity is ~70 rows in ~25 tables; building Django model instances for them costs more
than parsing the XML. Rows arrive as tuples in the column order of :data:`gapbridge.projects.rows.TABLES`
and go in with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL). A unit test keeps the column lists in
step with the models.

Each :meth:`Writer.write_batch` call is one transaction: it takes the registry write lock, decides per
activity (new / updated / unchanged / skipped, see :func:`decide`), replaces the rows of winners, fixes
which copy of a shared identifier is primary and marks the funding cube stale. A kill at any moment
leaves every activity either as it was or completely written.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from gapbridge.projects.rows import ACTIVITY_COLUMNS, TABLES, Prepared, Row, derivation_version

ACTIVITY_TABLE = "projects_activity"
#: PostgreSQL advisory lock key that serialises registry writers across processes.
LOCK_KEY = 4_242_003
_LAST_UPDATED = ACTIVITY_COLUMNS.index("last_updated_datetime")
_CHUNK = 500
#: Activities written before the first refresh of planner statistics (see Writer.keep_statistics).
ANALYZE_AFTER = 10_000
ANALYZE_AT_END = 1_000


@dataclass(slots=True)
class Existing:
    id: int
    last_updated: dt.datetime | None
    content_hash: str
    derivation: str
    first_imported_at: Any
    imported_at: dt.datetime | None = None


@dataclass(slots=True)
class BatchResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    written_ids: list[int] = field(default_factory=list)


def newer(a_updated: dt.datetime | None, a_hash: str, b_updated: dt.datetime | None, b_hash: str) -> bool:
    """Does version *a* beat version *b* of the same activity from the same publisher?

    The later ``last-updated-datetime`` wins; a version with one beats a version without; on a tie
    (equal or both missing) with different content the larger content hash wins. The rule is a total
    order, so the outcome of importing any set of files is the same in every order and on every re-run.
    """
    if a_updated != b_updated:
        if a_updated is None:
            return False
        if b_updated is None:
            return True
        return a_updated > b_updated
    return a_hash > b_hash


def decide(item: Prepared, existing: Existing | None) -> str:
    """``new``, ``updated``, ``unchanged`` or ``skipped`` (an older or losing version)."""
    if existing is None:
        return "new"
    if item.content_hash == existing.content_hash:
        return "unchanged" if item.derivation == existing.derivation else "updated"
    if item.last_updated == existing.last_updated and derivation_version(
        item.derivation
    ) != derivation_version(existing.derivation):
        # The stored hash was computed by an older definition: the hashes cannot be compared, so the tie
        # is not decided by them; this version is re-derived and stored with a hash of today's definition.
        return "updated"
    if newer(item.last_updated, item.content_hash, existing.last_updated, existing.content_hash):
        return "updated"
    return "skipped"


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _stored_by_this_run(before: Existing | None, started_at: dt.datetime) -> bool:
    return before is not None and before.imported_at is not None and before.imported_at >= started_at


class Writer:
    """Writes batches of prepared activities for one import run."""

    def __init__(
        self,
        run_id: int,
        organization_ids: Callable[[dict[str, tuple[str, str]]], dict[str, int]],
    ) -> None:
        self.run_id = run_id
        self.organization_ids = organization_ids
        self.vendor = connection.vendor
        self._sql: dict[str, str] = {}
        self._analyzed_at: int | None = None  # activities in the table at the last ANALYZE
        self._written = 0  # activities written since then
        # an activity stored at or after this moment was stored by this run (see _write)
        self.started_at = timezone.now()

    # -- planner statistics -------------------------------------------------------------------------------
    def keep_statistics(self, written: int, *, final: bool = False) -> bool:
        """Refresh PostgreSQL's planner statistics of the registry tables once they have grown by half
        since the last refresh (and at least :data:`ANALYZE_AFTER` activities); True if it ran.

        Without statistics (a fresh database, or autovacuum off or not yet awake) the planner takes the
        500-identifier lookups of every batch for a large share of the table and scans it whole, so each
        batch costs more as the table grows: an import of 500,000 activities ran at half its first
        speed. Call outside the batch transaction (ANALYZE takes no lock that blocks readers or writers).
        ``final`` (the end of a run): refresh once a tenth more than :data:`ANALYZE_AT_END` activities were
        written, so the funding-cube rebuild and the pages that follow plan with current figures.
        """
        if self.vendor != "postgresql":
            return False  # SQLite's planner prefers the indexes without statistics
        self._written += written
        if self._analyzed_at is None:
            self._analyzed_at = self._table_size()
        if final:
            wanted = max(ANALYZE_AT_END, self._analyzed_at // 10)
        else:
            wanted = max(ANALYZE_AFTER, self._analyzed_at // 2)
        if self._written < wanted:
            return False
        self.analyze()
        return True

    def analyze(self) -> None:
        """ANALYZE the activity table and every child table (cheap: a 30,000-row sample each)."""
        if self.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for name in (ACTIVITY_TABLE, *(t.db_table for t in TABLES.values())):
                cursor.execute(f"ANALYZE {name}")  # constant names
        self._analyzed_at = self._table_size()
        self._written = 0

    def _table_size(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {ACTIVITY_TABLE}")  # noqa: S608 - constant name
            return int(cursor.fetchone()[0])

    # -- low level --------------------------------------------------------------------------------------
    def _lock(self) -> None:
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            # On SQLite the first write takes the database's write lock for the whole transaction.
            cursor.execute(
                "UPDATE projects_importrun SET heartbeat_at = %s WHERE id = %s", [timezone.now(), self.run_id]
            )

    def allocate_ids(self, db_table: str, count: int) -> list[int]:
        """``count`` fresh ids for ``db_table`` (call inside the locked transaction)."""
        if count == 0:
            return []
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(
                    f"SELECT nextval(pg_get_serial_sequence('{db_table}', 'id')) "  # noqa: S608 - constant names
                    "FROM generate_series(1, %s)",
                    [count],
                )
                return [row[0] for row in cursor.fetchall()]
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {db_table}")  # noqa: S608 - constant name
            start = int(cursor.fetchone()[0]) + 1
            return list(range(start, start + count))

    def insert(self, db_table: str, columns: Sequence[str], rows: list[Row]) -> None:
        if not rows:
            return
        if self.vendor == "postgresql":
            raw = connection.connection
            assert raw is not None
            with (
                raw.cursor() as cursor,
                cursor.copy(
                    f"COPY {db_table} ({', '.join(columns)}) FROM STDIN"  # constant names
                ) as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        key = db_table + ":" + ",".join(columns)
        sql = self._sql.get(key)
        if sql is None:
            placeholders = ", ".join(["?"] * len(columns))
            sql = f"INSERT INTO {db_table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
            self._sql[key] = sql
        # The sqlite3 connection itself, not Django's cursor wrapper: the wrapper re-reads every row of an
        # executemany (itertools.tee, placeholder conversion), a third of the insert time. Same
        # connection, so the same transaction.
        raw = connection.connection
        assert raw is not None
        raw.executemany(sql, rows)

    def delete_activities(self, ids: list[int]) -> None:
        """Remove activities and all their rows (children first)."""
        if not ids:
            return
        with connection.cursor() as cursor:
            for chunk in _chunks(ids):
                marks = ", ".join(["%s"] * len(chunk))
                for table in reversed(list(TABLES.values())):
                    sql = f"DELETE FROM {table.db_table} WHERE activity_id IN ({marks})"  # noqa: S608
                    cursor.execute(sql, list(chunk))
                cursor.execute(f"DELETE FROM {ACTIVITY_TABLE} WHERE id IN ({marks})", list(chunk))  # noqa: S608

    def _existing(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Existing]:
        found: dict[tuple[str, str], Existing] = {}
        identifiers = sorted({identifier for identifier, _publisher in keys})
        with connection.cursor() as cursor:
            for chunk in _chunks(identifiers):
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    "SELECT id, iati_identifier, publisher_ref, last_updated_datetime, content_hash, "  # noqa: S608
                    f"derivation, first_imported_at, imported_at FROM {ACTIVITY_TABLE} "
                    f"WHERE iati_identifier IN ({marks})",
                    list(chunk),
                )
                for row in cursor.fetchall():
                    pk, identifier, publisher, updated, digest, derivation, first, stored = row
                    if (identifier, publisher) in keys:
                        found[identifier, publisher] = Existing(
                            pk,
                            self._as_datetime(updated),
                            digest,
                            derivation,
                            first,
                            self._as_datetime(stored),
                        )
        return found

    def _as_datetime(self, value: Any) -> dt.datetime | None:
        if value is None or isinstance(value, dt.datetime):
            return value if value is None or value.tzinfo else value.replace(tzinfo=dt.UTC)
        parsed = dt.datetime.fromisoformat(str(value))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)

    def _db_datetime(self, value: dt.datetime | None) -> Any:
        if value is None or self.vendor == "postgresql":
            return value
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")

    # -- a batch ----------------------------------------------------------------------------------------
    def write_batch(self, items: list[Prepared], file_ids: dict[int, int]) -> BatchResult:
        with transaction.atomic():
            self._lock()
            return self._write(items, file_ids)

    def _write(self, items: list[Prepared], file_ids: dict[int, int]) -> BatchResult:
        result = BatchResult()
        # The same activity twice in one batch: only the winning version competes with the database; a
        # losing copy counts as unchanged when identical to the winner, else as skipped (older).
        winners: dict[tuple[str, str], Prepared] = {}
        losers: list[Prepared] = []
        for item in items:
            current = winners.get(item.key)
            if current is None:
                winners[item.key] = item
            elif item.content_hash != current.content_hash and newer(
                item.last_updated, item.content_hash, current.last_updated, current.content_hash
            ):
                winners[item.key] = item
                losers.append(current)
            else:
                losers.append(item)
        for loser in losers:
            if loser.content_hash == winners[loser.key].content_hash:
                result.unchanged += 1
            else:
                result.skipped += 1
        existing = self._existing(set(winners))
        to_write: list[tuple[Prepared, Existing | None]] = []
        for key, item in winners.items():
            before = existing.get(key)
            verdict = decide(item, before)
            if verdict == "new":
                result.new += 1
            elif verdict == "updated" and _stored_by_this_run(before, self.started_at):
                # An older version read earlier in this run (another file, another worker) is replaced: that
                # version is the one skipped, as when the files come in the other order.
                result.skipped += 1
            elif verdict == "updated":
                result.updated += 1
            elif verdict == "unchanged":
                result.unchanged += 1
            else:
                result.skipped += 1
            if verdict in ("new", "updated"):
                to_write.append((item, before))
        if not to_write:
            return result
        self.delete_activities([before.id for _item, before in to_write if before is not None])
        orgs = self.organization_ids(
            {item.reporting_org[0]: item.reporting_org[1:] for item, _b in to_write if item.reporting_org}
        )
        fresh = iter(self.allocate_ids(ACTIVITY_TABLE, sum(1 for _i, b in to_write if b is None)))
        now = timezone.now()
        columns = (
            "id",
            *ACTIVITY_COLUMNS,
            "reporting_org_id",
            "source_file_id",
            "is_primary",
            "first_imported_at",
            "imported_at",
        )
        activity_rows: list[Row] = []
        ids: list[int] = []
        for item, before in to_write:
            pk = before.id if before is not None else next(fresh)
            ids.append(pk)
            row = list(item.activity)
            row[_LAST_UPDATED] = self._db_datetime(row[_LAST_UPDATED])
            first = before.first_imported_at if before is not None else now
            activity_rows.append(
                (
                    pk,
                    *row,
                    orgs.get(item.reporting_org[0]) if item.reporting_org else None,
                    file_ids.get(item.file_index),
                    True,
                    self._db_datetime(first) if isinstance(first, dt.datetime) else first,
                    self._db_datetime(now),
                )
            )
        self.insert(ACTIVITY_TABLE, columns, activity_rows)
        self._children([item for item, _b in to_write], ids, file_ids)
        self.fix_primaries({item.identifier for item, _b in to_write})
        with connection.cursor() as cursor:
            cursor.execute("UPDATE projects_registrystate SET cube_dirty = %s", [True])
        result.written_ids = ids
        return result

    def _children(self, items: list[Prepared], ids: list[int], file_ids: dict[int, int]) -> None:
        parent_ids: dict[str, list[list[int]]] = {}  # table key -> per item, the ids of its rows
        for key, table in TABLES.items():
            per_item = [item.children.get(key, []) for item in items]
            count = sum(len(rows) for rows in per_item)
            if count == 0:
                parent_ids[key] = [[] for _ in items]
                continue
            referenced = any(t.parent == key for t in TABLES.values())
            out: list[Row] = []
            if referenced:
                allocated = iter(self.allocate_ids(table.db_table, count))
                own: list[list[int]] = []
                for activity_id, rows, parents in zip(
                    ids, per_item, self._parents(table, parent_ids, items), strict=True
                ):
                    mine = []
                    for row in rows:
                        pk = next(allocated)
                        mine.append(pk)
                        out.append((pk, activity_id, *self._with_parent(row, parents)))
                    own.append(mine)
                parent_ids[key] = own
                self.insert(table.db_table, ("id", "activity_id", *table.columns), out)
                continue
            for item, activity_id, rows, parents in zip(
                items, ids, per_item, self._parents(table, parent_ids, items), strict=True
            ):
                if key == "finding":
                    source = file_ids.get(item.file_index)
                    out.extend((activity_id, source, *row[1:]) for row in rows)
                else:
                    out.extend((activity_id, *self._with_parent(row, parents)) for row in rows)
            self.insert(table.db_table, ("activity_id", *table.columns), out)

    @staticmethod
    def _parents(
        table: Any, parent_ids: dict[str, list[list[int]]], items: list[Prepared]
    ) -> list[list[int] | None]:
        if table.parent is None:
            return [None] * len(items)
        return list(parent_ids[table.parent])

    @staticmethod
    def _with_parent(row: Row, parents: list[int] | None) -> Row:
        if parents is None:
            return row
        return (parents[row[0]], *row[1:])

    def fix_primaries(self, identifiers: set[str]) -> None:
        """Among the copies of each identifier, mark exactly one primary (see :func:`primary_of`)."""
        with connection.cursor() as cursor:
            for chunk in _chunks(sorted(identifiers)):
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT id, iati_identifier, publisher_ref, last_updated_datetime, is_primary "  # noqa: S608
                    f"FROM {ACTIVITY_TABLE} WHERE iati_identifier IN ({marks})",
                    list(chunk),
                )
                groups: dict[str, list[tuple[int, str, Any, bool]]] = {}
                for pk, identifier, publisher, updated, primary in cursor.fetchall():
                    groups.setdefault(identifier, []).append(
                        (pk, publisher, self._as_datetime(updated), bool(primary))
                    )
                on: list[int] = []
                off: list[int] = []
                for identifier, copies in groups.items():
                    chosen = primary_of(
                        identifier, [(pk, publisher, updated) for pk, publisher, updated, _p in copies]
                    )
                    for pk, _publisher, _updated, primary in copies:
                        if pk == chosen and not primary:
                            on.append(pk)
                        elif pk != chosen and primary:
                            off.append(pk)
                for flag, pks in ((True, on), (False, off)):
                    for part in _chunks(pks):
                        marks = ", ".join(["%s"] * len(part))
                        cursor.execute(
                            f"UPDATE {ACTIVITY_TABLE} SET is_primary = %s WHERE id IN ({marks})",  # noqa: S608
                            [flag, *part],
                        )


def column_limits() -> dict[str, tuple[tuple[int, int], ...]]:
    """For :class:`gapbridge.projects.rows.Context`: per table key, the (index, max_length) of every
    size-limited text column in the rows ``prepare`` builds."""
    from django.apps import apps

    by_table: dict[str, dict[str, int]] = {}
    for model in apps.get_app_config("projects").get_models():
        for model_field in model._meta.concrete_fields:
            length = getattr(model_field, "max_length", None)
            column = model_field.column
            if length and column and model_field.get_internal_type() == "CharField":
                by_table.setdefault(model._meta.db_table, {})[column] = length
    layouts: dict[str, tuple[str, tuple[str, ...]]] = {"activity": (ACTIVITY_TABLE, ACTIVITY_COLUMNS)}
    layouts.update({key: (table.db_table, table.columns) for key, table in TABLES.items()})
    limits: dict[str, tuple[tuple[int, int], ...]] = {}
    for key, (db_table, columns) in layouts.items():
        sizes = by_table.get(db_table, {})
        found = tuple((i, sizes[c]) for i, c in enumerate(columns) if c in sizes)
        if found:
            limits[key] = found
    return limits


def primary_of(identifier: str, copies: list[tuple[int, str, dt.datetime | None]]) -> int:
    """Which copy of a shared identifier counts: the publisher whose ref prefixes the identifier (IATI
    identifiers start with the reporting organisation's ref), else the most recently updated, else the
    lowest publisher ref."""

    def rank(copy: tuple[int, str, dt.datetime | None]) -> tuple[bool, float, str]:
        _pk, publisher, updated = copy
        owns = bool(publisher) and (identifier == publisher or identifier.startswith(publisher + "-"))
        return (not owns, -updated.timestamp() if updated else math.inf, publisher)

    return min(copies, key=rank)[0]
