"""The reading half of an import: files -> messages of prepared activities (pure; no Django, no database).

:func:`read_file` streams one file through the IATI adapter and :func:`gapbridge.projects.rows.prepare`
and yields :class:`FileStart`, then :class:`Batch` messages, then one :class:`FileEnd` (which carries
the error if the file was refused or broke midway). The importer consumes the same messages whether
they are produced in its own process or, for large runs, by worker processes (:func:`worker_main`),
so the writing half never needs to know. Memory stays flat: a batch holds at most ``batch_size``
activities and the parser clears elements as it goes.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import queue
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.queues import Queue
from typing import IO, Any

from gapbridge.iati.dto import OrganisationDTO
from gapbridge.iati.errors import IatiError, WrongRootError
from gapbridge.iati.findings import Finding
from gapbridge.iati.parser import iter_file, iter_organisation_file
from gapbridge.projects.focus import load_focus_map
from gapbridge.projects.fx import load_rates
from gapbridge.projects.rows import ACTIVITY_COLUMNS, Context, Prepared, prepare

ACTIVITIES = "iati-activities"
ORGANISATIONS = "iati-organisations"


@dataclass(slots=True)
class FileStart:
    index: int
    name: str
    sha256: str
    size: int


@dataclass(slots=True)
class Skipped:
    """An item without an identifier: not stored, its findings kept on the file."""

    line: int | None
    findings: tuple[Finding, ...]


@dataclass(slots=True)
class Batch:
    """Activities of one file; from a worker process they travel as ``packed`` bytes (see :func:`pack`)."""

    index: int
    items: list[Prepared]
    skipped: list[Skipped]
    bytes_read: int
    packed: bytes | None = None
    count: int = 0  # items in ``packed``

    @property
    def size(self) -> int:
        """Activities in the batch (stored or skipped)."""
        return (self.count if self.packed is not None else len(self.items)) + len(self.skipped)

    def prepared(self) -> list[Prepared]:
        return self.items if self.packed is None else unpack(self.packed)


@dataclass(slots=True)
class FileEnd:
    index: int
    kind: str
    items: int
    skipped: int
    error: IatiError | None
    organisations: list[tuple[OrganisationDTO, tuple[Finding, ...]]] = field(default_factory=list)
    bytes_read: int = 0


Message = FileStart | Batch | FileEnd

_LAST_UPDATED = ACTIVITY_COLUMNS.index("last_updated_datetime")


# -- batches between processes ---------------------------------------------------------------------------
# A batch is ~40 rows of plain str/int/float/None per activity. ``marshal`` reads such data back four
# times faster than ``pickle`` reads the same data as dataclasses, and unpacking happens in the writing
# process, which is the bottleneck of a parallel import. Both ends are the same interpreter (forked
# workers), so the marshal format always matches; the data never leaves the machine.
def pack(batch: Batch) -> Batch:
    """``batch`` with its items packed into bytes (unchanged if an item holds an unexpected type)."""
    plain = [
        (
            item.identifier,
            item.publisher_ref,
            None if item.last_updated is None else item.last_updated.isoformat(),
            item.content_hash,
            item.derivation,
            item.reporting_org,
            (*item.activity[:_LAST_UPDATED], None, *item.activity[_LAST_UPDATED + 1 :]),
            item.children,
            item.line,
            item.file_index,
        )
        for item in batch.items
    ]
    try:
        packed = marshal.dumps(plain)
    except ValueError:  # e.g. a str subclass slipped into a row: pickle the dataclasses instead
        return batch
    return Batch(batch.index, [], batch.skipped, batch.bytes_read, packed, len(plain))


def unpack(packed: bytes) -> list[Prepared]:
    items = []
    for identifier, publisher, updated, digest, derivation, reporting, row, children, line, index in (
        marshal.loads(packed)  # noqa: S302 - bytes made by pack() in a worker of this very import
    ):
        moment = None if updated is None else datetime.fromisoformat(updated)
        items.append(
            Prepared(
                identifier,
                publisher,
                moment,
                digest,
                derivation,
                reporting,
                (*row[:_LAST_UPDATED], moment, *row[_LAST_UPDATED + 1 :]),
                children,
                line,
                index,
            )
        )
    return items


class CountingReader:
    """A binary file that counts the bytes read from disk (compressed bytes for gzip): progress."""

    def __init__(self, path: str) -> None:
        self._file: IO[bytes] = open(path, "rb")  # noqa: SIM115 - closed in close()
        self.name = path
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        self.count += len(data)
        return data

    def close(self) -> None:
        self._file.close()


def file_digest(path: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def read_file(index: int, path: str, name: str, ctx: Context, batch_size: int = 500) -> Iterator[Message]:
    """Messages for one file (see module docstring). Never raises for bad content."""
    try:
        sha256, size = file_digest(path)
    except OSError as error:
        yield FileStart(index, name, "", 0)
        yield FileEnd(index, "", 0, 0, IatiError(name, None, f"cannot read file: {error.strerror or error}"))
        return
    yield FileStart(index, name, sha256, size)
    items: list[Prepared] = []
    skipped: list[Skipped] = []
    total = total_skipped = 0
    reader = CountingReader(path)
    try:
        for parsed in iter_file(reader, name=name):  # type: ignore[arg-type]
            if parsed.activity is None:
                skipped.append(Skipped(parsed.line, parsed.findings))
                total_skipped += 1
            else:
                items.append(prepare(parsed.activity, parsed.findings, ctx, parsed.line, index))
                total += 1
            if len(items) + len(skipped) >= batch_size:
                yield Batch(index, items, skipped, reader.count)
                items, skipped = [], []
    except WrongRootError as error:
        reader.close()
        if error.root_tag == ORGANISATIONS:
            yield from _organisation_file(index, path, name)
            return
        yield FileEnd(index, "", 0, 0, error, bytes_read=size)
        return
    except IatiError as error:
        if items or skipped:
            yield Batch(index, items, skipped, reader.count)
        yield FileEnd(index, ACTIVITIES, total, total_skipped, error, bytes_read=size)
        return
    finally:
        reader.close()
    if items or skipped:
        yield Batch(index, items, skipped, reader.count)
    yield FileEnd(index, ACTIVITIES, total, total_skipped, None, bytes_read=size)


def _organisation_file(index: int, path: str, name: str) -> Iterator[Message]:
    organisations: list[tuple[OrganisationDTO, tuple[Finding, ...]]] = []
    skipped = 0
    error: IatiError | None = None
    try:
        for parsed in iter_organisation_file(path, name=name):
            if parsed.organisation is None:
                skipped += 1
            else:
                organisations.append((parsed.organisation, parsed.findings))
    except IatiError as exc:
        error = exc
    yield FileEnd(
        index, ORGANISATIONS, len(organisations), skipped, error, organisations, os.path.getsize(path)
    )


# -- worker processes ------------------------------------------------------------------------------------
STOP = None


def worker_main(
    tasks: Queue[tuple[int, str, str] | None],
    results: Queue[Any],
    iso2_to_iso3: Mapping[str, str],
    limits: Mapping[str, tuple[tuple[int, int], ...]],
    batch_size: int,
    parent: int,
) -> None:
    """Read files named on ``tasks`` until ``STOP``; put their messages on ``results``, then ``STOP``.
    Exits by itself when the parent process (``parent``) is gone, e.g. killed mid-import."""
    ctx = Context(load_rates(), load_focus_map(), iso2_to_iso3, limits)

    def put(message: Any) -> None:
        while True:
            try:
                results.put(message, timeout=1)
                return
            except queue.Full:
                if os.getppid() != parent:
                    os._exit(1)

    while True:
        try:
            task = tasks.get(timeout=1)
        except queue.Empty:
            if os.getppid() != parent:
                return
            continue
        if task is STOP:
            break
        index, path, name = task
        try:
            for message in read_file(index, path, name, ctx, batch_size):
                put(pack(message) if isinstance(message, Batch) else message)
        except Exception as exc:  # a bug, not bad data: report it on the file, keep the run going
            put(FileEnd(index, "", 0, 0, IatiError(name, None, f"internal error: {exc!r}")))
    put(STOP)
