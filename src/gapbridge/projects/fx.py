"""Converting IATI money to US dollars with annual average exchange rates (pure; no Django).

Rates come from the bundled ``data/fx/usd-rates-annual.csv`` (built by :mod:`gapbridge.projects.fx_build`
from IMF IFS, World Bank WDI and FRED; provenance in ``data/fx/PROVENANCE.md``). Every source gives
*units of the currency per US dollar*, so ``usd = value / rate(currency, year of the value-date)``.

A value that cannot be converted is never treated as dollars and never dropped: :func:`convert` returns
``usd=None`` with a status that says why (no currency, no date, no rate for that currency and year), and
callers count and show those values in their original currency.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

DEFAULT_RATES = Path(__file__).resolve().parents[3] / "data" / "fx" / "usd-rates-annual.csv"
USD = "USD"
ONE = Decimal(1)


class FxStatus(StrEnum):
    """How a money value was (or was not) converted to US dollars."""

    USD = "usd"  # already dollars
    CONVERTED = "converted"
    NO_VALUE = "no-value"
    NO_CURRENCY = "no-currency"
    NO_DATE = "no-date"
    NO_RATE = "no-rate"


CONVERTIBLE = frozenset({FxStatus.USD, FxStatus.CONVERTED})


@dataclass(frozen=True, slots=True)
class Conversion:
    usd: Decimal | None
    rate: Decimal | None
    year: int | None
    status: FxStatus

    @property
    def ok(self) -> bool:
        return self.status in CONVERTIBLE


class Rates:
    """Annual average units-per-USD by (currency, year), with the source of each rate."""

    def __init__(self, rates: dict[tuple[str, int], tuple[Decimal, str]], fingerprint: str = "") -> None:
        self._rates = rates
        self.fingerprint = fingerprint

    def __len__(self) -> int:
        return len(self._rates)

    def rate(self, currency: str, year: int) -> Decimal | None:
        if currency == USD:
            return ONE
        found = self._rates.get((currency, year))
        return found[0] if found is not None else None

    def source(self, currency: str, year: int) -> str | None:
        found = self._rates.get((currency, year))
        return found[1] if found is not None else None

    def currencies(self) -> set[str]:
        return {currency for currency, _year in self._rates} | {USD}

    def convert(self, value: Decimal | None, currency: str | None, value_date: date | None) -> Conversion:
        """``value`` in ``currency`` at ``value_date`` -> US dollars (see module docstring)."""
        if value is None:
            return Conversion(None, None, None, FxStatus.NO_VALUE)
        if not currency:
            return Conversion(None, None, None, FxStatus.NO_CURRENCY)
        if currency == USD:
            return Conversion(value, ONE, value_date.year if value_date else None, FxStatus.USD)
        if value_date is None:
            return Conversion(None, None, None, FxStatus.NO_DATE)
        year = value_date.year
        rate = self.rate(currency, year)
        if rate is None:
            return Conversion(None, None, year, FxStatus.NO_RATE)
        return Conversion(value / rate, rate, year, FxStatus.CONVERTED)


_HEADER = "currency,year,units_per_usd,source"


def parse_rates(lines: list[str], fingerprint: str = "") -> Rates:
    rates: dict[tuple[str, int], tuple[Decimal, str]] = {}
    if lines and lines[0] == _HEADER and not any('"' in line for line in lines):
        # the bundled layout, no quoting: plain splits, five times faster than csv.DictReader (every
        # import process reads the ~10,000 rates once)
        for line in lines[1:]:
            if line:
                currency, year, units, source = line.split(",", 3)
                rates[currency, int(year)] = (Decimal(units), source)
        return Rates(rates, fingerprint)
    for row in csv.DictReader(lines):
        rates[row["currency"], int(row["year"])] = (Decimal(row["units_per_usd"]), row["source"])
    return Rates(rates, fingerprint)


@lru_cache(maxsize=4)
def load_rates(path: Path = DEFAULT_RATES) -> Rates:
    """The bundled rates (read once per process)."""
    data = path.read_bytes()
    return parse_rates(data.decode("utf-8").splitlines(), hashlib.sha256(data).hexdigest()[:16])
