"""Errors of the IATI adapter: one base class, one subclass per way a whole file can be refused.

Every error names the input (``file``) and the place (``line``, 1-based, ``None`` when unknown) so an
import log can point a publisher at the exact spot. Problems *inside* an activity are not errors but
:class:`gapbridge.iati.findings.Finding` values; an error means the file (or the rest of it) cannot be read.
"""

from __future__ import annotations

from typing import Any


class IatiError(Exception):
    """Base class of every error raised by :mod:`gapbridge.iati`."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file = file
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (type(self), (self.file, self.line, self.message))


class UnreadableFileError(IatiError):
    """The file cannot be opened or read (missing, permissions, I/O error)."""


class NotXmlError(IatiError):
    """The file is empty or is not XML at all (e.g. a JSON error body saved under a .xml name)."""


class UnsafeXmlError(IatiError):
    """The file declares a DOCTYPE (entity expansion / external entity attacks) and is refused unread."""


class MalformedXmlError(IatiError):
    """The XML is not well-formed; activities before ``line`` were delivered, the rest is lost."""


class TruncatedXmlError(MalformedXmlError):
    """The XML (or its gzip stream) ends before the document is complete."""


class TooLargeError(IatiError):
    """The decompressed content is larger than the configured limit (a gzip bomb guard)."""


class WrongRootError(IatiError):
    """The root element is not the one expected (``iati-activities`` or ``iati-organisations``)."""

    def __init__(self, file: str, line: int | None, message: str, root_tag: str = "") -> None:
        self.root_tag = root_tag
        super().__init__(file, line, message)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (type(self), (self.file, self.line, self.message, self.root_tag))


class SchemaUnavailableError(IatiError):
    """No bundled XSD for the requested IATI version."""


class UnwritableActivityError(IatiError):
    """An activity lacks data the 2.03 schema requires and that cannot be made up (see docs/iati.md)."""
