"""Importing IATI files: reading (:mod:`.pipeline`, in this process or in workers) feeding the writer
(:mod:`.storage`), with file bookkeeping, progress and a summary. Called through
:func:`gapbridge.projects.services.import_files`, which checks permissions and audits.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from gapbridge.iati.errors import IatiError
from gapbridge.projects.focus import load_focus_map
from gapbridge.projects.fx import load_rates
from gapbridge.projects.models import Finding, ImportRun, RegistryState, SourceFile
from gapbridge.projects.pipeline import STOP, Batch, FileEnd, FileStart, Message, read_file, worker_main
from gapbridge.projects.rows import Context
from gapbridge.projects.storage import Writer, column_limits

SUFFIXES = (".xml", ".xml.gz")
#: Activities per message from a worker process: small, so the writer can start at once and write while
#: the workers read (a full ``batch_size`` per message would leave it idle until the first one is done).
WORKER_BATCH = 50


class _Idle:
    """Yielded by :meth:`Importer.messages` when the workers have nothing ready: time to write."""


IDLE = _Idle()


class ImportInputError(Exception):
    """A path given to the importer does not exist or holds no IATI files."""


@dataclass(slots=True)
class ImportProgress:
    """Passed to progress callbacks: bytes read of all files so far, their total, activities done."""

    bytes_done: int
    bytes_total: int
    activities: int


@dataclass
class ImportSummary:
    """What an import did; ``as_dict()`` is the JSON printed by ``gapbridge import-iati --json``."""

    run_id: int = 0
    files: int = 0
    files_failed: int = 0
    activities: dict[str, int] = field(
        default_factory=lambda: {"new": 0, "updated": 0, "unchanged": 0, "skipped": 0}
    )
    organisations: dict[str, int] = field(default_factory=lambda: {"new": 0, "updated": 0, "unchanged": 0})
    findings: dict[str, int] = field(default_factory=lambda: {"error": 0, "warning": 0, "info": 0})
    errors: list[dict[str, Any]] = field(default_factory=list)
    #: paths given that do not exist (the command line imports the others, then exits with status 2)
    missing: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "files": self.files,
            "files_failed": self.files_failed,
            "activities": dict(self.activities),
            "organisations": dict(self.organisations),
            "findings": sum(self.findings.values()),
            "findings_by_severity": dict(self.findings),
            "errors": list(self.errors),
            "missing": list(self.missing),
            "seconds": round(self.seconds, 2),
        }


def file_key(path: str | os.PathLike[str]) -> str:
    """The name a file given on the command line is recorded by (its ``SourceFile``): its absolute path,
    so ``data.xml`` in two folders is two files, and the same file given relatively or absolutely is one."""
    return os.path.abspath(path)


def find(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[tuple[str, str]], list[str]]:
    """(path, name) of every file to import, and the given paths that do not exist. Files are taken as
    given, directories searched recursively for ``*.xml`` and ``*.xml.gz``; the name is the absolute path
    (:func:`file_key`)."""
    found: list[tuple[str, str]] = []
    missing: list[str] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(SUFFIXES))
            found.extend((str(p), file_key(p)) for p in files)
        elif path.is_file():
            found.append((str(path), file_key(path)))
        else:
            missing.append(str(given))
    return found, missing


def expand(paths: Iterable[str | os.PathLike[str]]) -> list[tuple[str, str]]:
    """:func:`find`, raising :class:`ImportInputError` for a path that does not exist."""
    found, missing = find(paths)
    if missing:
        raise ImportInputError(f"{missing[0]}: no such file or directory")
    return found


#: Files of at least this many bytes in all are read by worker processes unless told otherwise.
AUTO_WORKERS_FROM = 8 * 1024 * 1024
AUTO_WORKERS_MAX = 4


def auto_workers(files: list[tuple[str, str]], cpus: int | None = None) -> int:
    """Worker processes for an import when none were asked for: with two or more CPUs and 8 MB of files or
    more, one per CPU up to 4 (reading in workers while this process writes: +40 % on 2 CPUs); otherwise
    none, as starting workers costs more than it saves on a small run."""
    if cpus is None:
        cpus = os.cpu_count() or 1
    if cpus < 2 or sum(_size(path) for path, _name in files) < AUTO_WORKERS_FROM:
        return 0
    return min(cpus, AUTO_WORKERS_MAX)


def iso2_map() -> dict[str, str]:
    from gapbridge.countries.models import Economy

    return {iso2.upper(): iso3 for iso2, iso3 in Economy.objects.exclude(iso2="").values_list("iso2", "iso3")}


def context() -> Context:
    return Context(load_rates(), load_focus_map(), iso2_map(), column_limits())


class Importer:
    def __init__(
        self,
        run: ImportRun,
        organization_ids: Callable[[dict[str, tuple[str, str]]], dict[str, int]],
        save_organisations: Callable[[list[Any], int | None], dict[str, int]],
        progress: Callable[[ImportProgress], None] | None = None,
        batch_size: int = 500,
    ) -> None:
        self.run = run
        self.writer = Writer(run.pk, organization_ids)
        self.save_organisations = save_organisations
        self.progress = progress
        self.batch_size = batch_size
        self.summary = ImportSummary(run_id=run.pk)
        self.file_ids: dict[int, int] = {}
        self.file_bytes: dict[int, int] = {}
        self.bytes_total = 0
        self.done_bytes = 0
        self.activities = 0
        self._pending: list[Batch] = []
        self._pending_ends: list[FileEnd] = []
        self._pending_size = 0

    # -- the two ways of reading ---------------------------------------------------------------------------
    def messages(self, files: list[tuple[str, str]], workers: int) -> Iterator[Message | _Idle]:
        if workers <= 0 or not files:
            ctx = context()
            for index, (path, name) in enumerate(files):
                yield from read_file(index, path, name, ctx, self.batch_size)
            return
        # fork: workers start at once and need no main-module guard; they never touch the database and
        # leave through os._exit, so the parent's inherited connection is not disturbed.
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        mp: Any = multiprocessing.get_context(method)
        tasks: Any = mp.Queue()
        results: Any = mp.Queue(maxsize=4 * workers)
        iso = iso2_map()
        if method == "fork":  # read once here; the forked workers inherit the cached tables
            load_rates()
            load_focus_map()
        processes = [
            mp.Process(
                target=worker_main,
                args=(tasks, results, iso, column_limits(), min(WORKER_BATCH, self.batch_size), os.getpid()),
                daemon=True,
            )
            for _ in range(min(workers, len(files)))
        ]
        for process in processes:
            process.start()
        # Biggest files first: the run ends when the last file does.
        order = sorted(range(len(files)), key=lambda i: -_size(files[i][0]))
        for index in order:
            tasks.put((index, *files[index]))
        for _ in processes:
            tasks.put(STOP)
        running = len(processes)
        try:
            while running:
                try:
                    message = results.get_nowait()
                except queue.Empty:
                    yield IDLE  # write what has arrived while the workers go on reading
                    try:
                        message = results.get(timeout=5)
                    except queue.Empty:
                        message = IDLE
                if message is IDLE:
                    if not any(p.is_alive() for p in processes):
                        raise RuntimeError("the import worker processes died") from None
                    continue
                if message is STOP:
                    running -= 1
                    continue
                yield message
        finally:
            for process in processes:
                if process.is_alive():
                    process.terminate()
                process.join(timeout=10)

    # -- consuming messages ----------------------------------------------------------------------------------
    def run_files(self, files: list[tuple[str, str]], workers: int = 0) -> ImportSummary:
        started = time.perf_counter()
        self.bytes_total = sum(_size(path) for path, _name in files)
        RegistryState.objects.get_or_create(pk=1)
        for message in self.messages(files, workers):
            if isinstance(message, FileStart):
                self._start(message)
            elif isinstance(message, _Idle):
                # Workers busy: write now rather than wait, but not in tiny transactions (each commit
                # rewrites the index pages it touched, so 50-activity transactions cost 60% more).
                if self._pending_size >= max(1, self.batch_size // 2):
                    self._flush()
            elif isinstance(message, Batch):
                self._pending.append(message)
                self._pending_size += message.size
                if self._pending_size >= self.batch_size:
                    self._flush()
            elif self._pending:
                self._pending_ends.append(message)  # after its activities are written
            else:
                self._end(message)
        self._flush()
        self.writer.keep_statistics(0, final=True)
        self.summary.seconds = time.perf_counter() - started
        return self.summary

    def _start(self, message: FileStart) -> None:
        with transaction.atomic():
            source, _created = SourceFile.objects.update_or_create(
                name=message.name[:500],
                defaults={
                    "sha256": message.sha256,
                    "size": message.size,
                    "status": SourceFile.Status.PARTIAL,
                    "error": "",
                    "error_line": None,
                    "last_run": self.run,
                },
            )
            Finding.objects.filter(source_file=source, activity__isnull=True).delete()
        self.file_ids[message.index] = source.pk
        self.summary.files += 1

    def _flush(self) -> None:
        """Write the buffered batches (small files are gathered into one transaction), then finish the
        files whose last activities they held."""
        batches, ends = self._pending, self._pending_ends
        self._pending, self._pending_ends, self._pending_size = [], [], 0
        items = [item for batch in batches for item in batch.prepared()]
        skipped = [(batch.index, s) for batch in batches for s in batch.skipped]
        for item in items:
            for row in item.children.get("finding", ()):
                self.summary.findings[row[1]] = self.summary.findings.get(row[1], 0) + 1
        for _index, lost in skipped:
            for finding in lost.findings:
                self.summary.findings[finding.severity] += 1
        if items or skipped:
            with transaction.atomic():
                result = self.writer.write_batch(items, self.file_ids)
                if skipped:
                    Finding.objects.bulk_create(
                        Finding(
                            activity=None,
                            source_file_id=self.file_ids.get(index),
                            severity=f.severity,
                            code=str(f.code),
                            message=f.message,
                            path=f.path[:500],
                            line=f.line,
                        )
                        for index, lost in skipped
                        for f in lost.findings
                    )
            self.writer.keep_statistics(result.new + result.updated)
            counts = self.summary.activities
            counts["new"] += result.new
            counts["updated"] += result.updated
            counts["unchanged"] += result.unchanged
            counts["skipped"] += result.skipped + len(skipped)
            self.activities += len(items) + len(skipped)
        for batch in batches:
            self._advance(batch.index, batch.bytes_read)
        for end in ends:
            self._end(end)

    def _end(self, message: FileEnd) -> None:
        source_id = self.file_ids.get(message.index)
        error = message.error
        if message.organisations:
            counts = self.save_organisations(message.organisations, source_id)
            for key, value in counts.items():
                self.summary.organisations[key] = self.summary.organisations.get(key, 0) + value
        status = _status(message)
        if error is not None:
            self.summary.errors.append(
                {
                    "file": error.file,
                    "line": error.line,
                    "error": type(error).__name__,
                    "message": error.message,
                    "status": status,
                }
            )
        if status != SourceFile.Status.IMPORTED:
            self.summary.files_failed += 1
        if source_id is not None:
            SourceFile.objects.filter(pk=source_id).update(
                kind=message.kind,
                status=status,
                error=str(error.message) if error else "",
                error_line=error.line if error else None,
                items=message.items,
                skipped=message.skipped,
            )
        self._advance(message.index, message.bytes_read, final=True)

    def _advance(self, index: int, bytes_read: int, final: bool = False) -> None:
        previous = self.file_bytes.get(index, 0)
        if bytes_read > previous:
            self.done_bytes += bytes_read - previous
            self.file_bytes[index] = bytes_read
        if self.progress is not None:
            self.progress(ImportProgress(self.done_bytes, self.bytes_total, self.activities))
        if final:
            self.file_bytes.pop(index, None)


def _status(end: FileEnd) -> str:
    """A file's status: imported, partial (broke after some items, which were kept) or failed."""
    if end.error is None:
        return SourceFile.Status.IMPORTED
    return SourceFile.Status.PARTIAL if end.items else SourceFile.Status.FAILED


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def rebuild_cube() -> bool:
    """Recompute the funding cube from the facts of primary activities if it is stale; True if rebuilt."""
    with transaction.atomic():
        state, _created = RegistryState.objects.select_for_update().get_or_create(pk=1)
        if not state.cube_dirty:
            return False
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM projects_fundingcube")
            cursor.execute(
                """
                INSERT INTO projects_fundingcube (transaction_type, year, iso3, region, focus_area,
                    provider_key, provider_name, unconverted_currency, value_usd, unconverted_value,
                    transactions)
                SELECT f.transaction_type, f.year, f.iso3, f.region, f.focus_area, f.provider_key,
                    MAX(f.provider_name),
                    CASE WHEN f.value_usd IS NULL THEN f.currency ELSE '' END,
                    SUM(f.value_usd),
                    SUM(CASE WHEN f.value_usd IS NULL THEN f.value END),
                    SUM(f.transactions)
                FROM projects_fundingfact f
                JOIN projects_activity a ON a.id = f.activity_id AND a.is_primary
                GROUP BY f.transaction_type, f.year, f.iso3, f.region, f.focus_area, f.provider_key,
                    CASE WHEN f.value_usd IS NULL THEN f.currency ELSE '' END
                """
            )
        state.cube_dirty = False
        state.cube_built_at = timezone.now()
        state.save()
        return True


__all__ = [
    "IatiError",
    "ImportInputError",
    "ImportSummary",
    "Importer",
    "expand",
    "file_key",
    "find",
    "rebuild_cube",
]
