"""Opening an IATI file safely, before lxml sees a byte of it.

* gzip is detected by its magic bytes (``1f 8b``), not by the file name;
* the decompressed size is capped (``max_bytes``) so a gzip bomb cannot run for ever;
* the prolog (everything before the root element) is scanned first: an empty file, content that is
  not XML (a JSON error body, an HTML page) and any ``<!DOCTYPE`` — the carrier of entity-expansion
  ("billion laughs") and external-entity (XXE) attacks — are refused with the file name and line;
* the root element name is known before parsing starts, so a wrong root fails fast.

The reader also counts lines so stream errors (truncated gzip) can name the line where data stopped.
"""

from __future__ import annotations

import gzip
import os
import re
import zlib
from dataclasses import dataclass
from types import TracebackType
from typing import IO, Final

from gapbridge.iati.errors import (
    MalformedXmlError,
    NotXmlError,
    TooLargeError,
    TruncatedXmlError,
    UnreadableFileError,
    UnsafeXmlError,
)

Source = str | os.PathLike[str] | IO[bytes]

GZIP_MAGIC: Final = b"\x1f\x8b"
#: Decompressed bytes allowed per file (the largest IATI files are a few hundred MB).
DEFAULT_MAX_BYTES: Final = 1 << 30
#: A prolog longer than this (comments before the root) is refused rather than scanned for ever.
PROLOG_LIMIT: Final = 1 << 20
_CHUNK: Final = 1 << 16
_NAME = re.compile(r"[^\s/>]+")


def source_name(source: Source, name: str | None = None) -> str:
    if name is not None:
        return name
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return str(getattr(source, "name", "<stream>"))


@dataclass(frozen=True, slots=True)
class Prolog:
    """What precedes the data: the root element's name (``None`` if not seen) and its line."""

    root_tag: str | None
    root_line: int


class _Prefixed:
    """Serve ``prefix`` and then the rest of ``stream`` (used after peeking at the magic bytes)."""

    def __init__(self, prefix: bytes, stream: IO[bytes]) -> None:
        self._prefix = prefix
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if not self._prefix:
            return self._stream.read(size)
        prefix, self._prefix = self._prefix, b""
        if size is None or size < 0:
            return prefix + self._stream.read()
        if size <= len(prefix):
            self._prefix = prefix[size:]
            return prefix[:size]
        return prefix + self._stream.read(size - len(prefix))


def _decode_for_scan(head: bytes) -> str:
    """Text of the first bytes, good enough to find markup (all markup is ASCII)."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return head.decode("utf-32", errors="ignore")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    if head.startswith(b"<\x00"):
        return head.decode("utf-16-le", errors="ignore")
    if head.startswith(b"\x00<"):
        return head.decode("utf-16-be", errors="ignore")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.decode("latin-1")


def scan_prolog(head: bytes, eof: bool, name: str) -> Prolog | None:
    """Check the prolog in ``head``; ``None`` means "need more bytes". Raises for refused content."""
    text = _decode_for_scan(head)
    position = 0
    length = len(text)
    while True:
        while position < length and text[position] in " \t\r\n\ufeff":
            position += 1
        line = text.count("\n", 0, position) + 1
        if position >= length:
            if not eof:
                return None
            if not text.strip(" \t\r\n\ufeff"):
                raise NotXmlError(name, 1, "file is empty" if not head else "file contains only whitespace")
            raise NotXmlError(name, line, "no root element after the XML declaration")
        if text[position] != "<":
            snippet = text[position : position + 40]
            hint = " (looks like JSON)" if text[position] in "{[" else ""
            raise NotXmlError(name, line, f"content is not XML{hint}: starts with {snippet!r}")
        if text.startswith("<?", position):
            end = text.find("?>", position)
            if end < 0:
                _fail_at_eof(eof, name, line, "unterminated processing instruction")
                return None
            position = end + 2
        elif text.startswith("<!--", position):
            end = text.find("-->", position)
            if end < 0:
                _fail_at_eof(eof, name, line, "unterminated comment")
                return None
            position = end + 3
        elif text[position : position + 9].upper() == "<!DOCTYPE":
            _refuse_doctype(text, position, name, line)
        elif text.startswith("<!", position):
            return Prolog(None, line)  # e.g. CDATA before the root: lxml reports it
        else:
            match = _NAME.match(text, position + 1)
            if match is not None and match.end() >= length and not eof:
                return None  # the root's name may continue in the next chunk
            return Prolog(match.group() if match else None, line)


def _fail_at_eof(eof: bool, name: str, line: int, what: str) -> None:
    if eof:
        raise MalformedXmlError(name, line, what)


def _refuse_doctype(text: str, position: int, name: str, line: int) -> None:
    declaration = text[position : position + 4096]
    if "<!ENTITY" in declaration.upper():
        kind = (
            "SYSTEM/PUBLIC (external) " if re.search(r"SYSTEM|PUBLIC", declaration[9:].split("]")[0]) else ""
        )
        raise UnsafeXmlError(
            name,
            line,
            f"DOCTYPE declares {kind}entities (entity-expansion or external-entity attack); "
            "file refused unread",
        )
    if re.match(r"<!DOCTYPE\s+html\b", declaration, re.IGNORECASE):
        raise NotXmlError(name, line, "content is an HTML page, not IATI XML")
    raise UnsafeXmlError(
        name, line, "DOCTYPE declarations are not allowed in IATI files; file refused unread"
    )


class SafeReader:
    """The file-like object lxml reads: decompressed, size-capped, prolog already checked."""

    def __init__(self, source: Source, name: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.name = source_name(source, name)
        self.max_bytes = max_bytes
        self.bytes_read = 0
        self.newlines = 0
        self.eof = False
        self._owned: IO[bytes] | None = None
        raw: IO[bytes]
        try:
            if isinstance(source, str | os.PathLike):
                self._owned = raw = open(source, "rb")  # noqa: SIM115 - closed in close()
            else:
                raw = source
            magic = raw.read(2)
            stream: _Prefixed | gzip.GzipFile = _Prefixed(magic, raw)
            self.compressed = magic == GZIP_MAGIC
            if self.compressed:
                stream = gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[arg-type]
        except OSError as error:
            self.close()
            raise UnreadableFileError(
                self.name, None, f"cannot read file: {error.strerror or error}"
            ) from None
        # GzipFile.read1 hands out what is decompressed so far, so a truncated stream still delivers
        # everything before the cut (read() would drop the partial buffer with the EOFError).
        self._read_chunk = stream.read1 if isinstance(stream, gzip.GzipFile) else stream.read
        self._pending = b""
        try:
            self.prolog = self._read_prolog()
        except BaseException:
            self.close()
            raise

    # -- context manager ----------------------------------------------------------------------------
    def __enter__(self) -> SafeReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._owned is not None:
            self._owned.close()
            self._owned = None

    # -- reading ------------------------------------------------------------------------------------
    @property
    def line(self) -> int:
        """Line number of the last byte handed out so far (1-based)."""
        return self.newlines + 1

    def _raw_read(self, size: int) -> bytes:
        try:
            data = self._read_chunk(size)
        except EOFError:
            raise TruncatedXmlError(
                self.name, self.line, "gzip stream ends early: the file is truncated"
            ) from None
        except (zlib.error, gzip.BadGzipFile) as error:
            raise MalformedXmlError(self.name, self.line, f"corrupt gzip data: {error}") from None
        except OSError as error:
            raise UnreadableFileError(self.name, self.line, f"cannot read file: {error}") from None
        if not data:
            self.eof = True
        self.bytes_read += len(data)
        if self.bytes_read > self.max_bytes:
            raise TooLargeError(
                self.name, self.line, f"content exceeds {self.max_bytes} bytes (decompressed); refused"
            )
        return data

    def _read_prolog(self) -> Prolog:
        head = b""
        while True:
            chunk = self._raw_read(_CHUNK)
            head += chunk
            prolog = scan_prolog(head, self.eof, self.name)
            if prolog is not None:
                self._pending = head
                return prolog
            if len(head) > PROLOG_LIMIT:
                raise MalformedXmlError(self.name, None, f"no root element in the first {PROLOG_LIMIT} bytes")

    def read(self, size: int = -1) -> bytes:
        if self._pending:
            data, self._pending = self._pending, b""
        else:
            data = self._raw_read(size if size and size > 0 else _CHUNK)
        self.newlines += data.count(b"\n")
        return data
