"""Exceptions raised by the chart renderers and the world-geometry loader.

Everything the package raises derives from `ChartError`, so a view can catch one type and show a fallback
instead of a broken chart. Messages name the offending input (argument, series, file).
"""

from __future__ import annotations


class ChartError(ValueError):
    """Base exception of `gapbridge.charts`."""


class ChartInputError(ChartError):
    """A chart was asked for with inconsistent input; `where` names the argument, e.g. `series[1].values`."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


class GeometryError(ChartError):
    """The bundled world geometry is missing or malformed; the message names the file."""
