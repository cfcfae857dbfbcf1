"""Build ``data/fx/usd-rates-annual.csv`` (currency, year -> units per US dollar) from the public sources.

Run: ``python -m gapbridge.projects.fx_build /path/to/shared/data/fx`` (writes into ``data/fx/``). The
output is committed; the product reads only that file (see :mod:`gapbridge.projects.fx`). Rules, in order
(each row keeps its source; data/fx/PROVENANCE.md explains them):

1. **IMF IFS** annual averages (``imf_exchangerates_A_ENDA_USD.csv``), with the scraper's currency labels
   corrected where its README shows them wrong: a row labelled ``USD`` whose rate is not 1 is dropped
   (Haiti's gourdes, pre-dollarisation sucres/colones), San Marino (``ITL`` after 1999) and the Netherlands
   Antilles (``NLG``) are dropped, Venezuela is dropped (its units change between bolívar generations), the
   kuna label ``HRD`` is read as ``HRK``. When several areas give a currency, the issuing area wins
   (``U2`` EUR, ``7A`` XOF, ``5X`` XAF, ``5Y`` XCD), else the country whose ISO 4217 currency it is, else the
   lowest area code.
2. **World Bank WDI** ``PA.NUS.FCRF`` fills currency-years the IMF file lacks (e.g. 2025, Haiti), mapping
   each economy to its ISO 4217 currency with the bundled country-codes table; ``EMU`` is the euro.
   Euro-area members (their rows change unit in the adoption year), Venezuela and Zimbabwe (unit changes)
   are not used.
3. **FRED** annual (Federal Reserve) fills what is still missing for its 21 currencies.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

#: FRED names its series by country; this maps the 21 annual series to ISO 4217 (FRED's own labels).
FRED_CURRENCIES = {
    "Australia": "AUD",
    "Brazil": "BRL",
    "Canada": "CAD",
    "China": "CNY",
    "Denmark": "DKK",
    "Euro": "EUR",
    "Hong Kong": "HKD",
    "India": "INR",
    "Japan": "JPY",
    "Malaysia": "MYR",
    "Mexico": "MXN",
    "New Zealand": "NZD",
    "Norway": "NOK",
    "Singapore": "SGD",
    "South Africa": "ZAR",
    "South Korea": "KRW",
    "Sweden": "SEK",
    "Switzerland": "CHF",
    "Taiwan": "TWD",
    "Thailand": "THB",
}
ISSUING_AREA = {"EUR": "U2", "XOF": "7A", "XAF": "5X", "XCD": "5Y"}
IMF_DROPPED_AREAS = {"SM", "AN", "VE"}
IMF_RELABEL = {"HRD": "HRK"}
WDI_SKIPPED = {"VEN", "ZWE"}
FIRST_YEAR = 1960
HEADER = ["currency", "year", "units_per_usd", "source"]


def _country_currencies(country_codes: Path) -> tuple[dict[str, str], dict[str, str]]:
    """ISO2 -> currency and ISO3 -> currency from the datasets/country-codes table."""
    by_iso2: dict[str, str] = {}
    by_iso3: dict[str, str] = {}
    with open(country_codes, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = (row.get("ISO4217-currency_alphabetic_code") or "").split(",")[0].strip()
            if not code:
                continue
            if row.get("ISO3166-1-Alpha-2"):
                by_iso2[row["ISO3166-1-Alpha-2"]] = code
            if row.get("ISO3166-1-Alpha-3"):
                by_iso3[row["ISO3166-1-Alpha-3"]] = code
    return by_iso2, by_iso3


def _imf(path: Path, home: dict[str, str]) -> dict[tuple[str, int], tuple[str, str]]:
    candidates: dict[tuple[str, int], list[tuple[int, str, str]]] = defaultdict(list)
    with open(path, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            area, label, rate = row["Country code"], row["Currency"], row["Rate"]
            if not rate or area in IMF_DROPPED_AREAS:
                continue
            label = IMF_RELABEL.get(label, label)
            if label == "USD" and Decimal(rate) != 1:
                continue
            year = int(row["Date"][:4])
            if year < FIRST_YEAR:
                continue
            if ISSUING_AREA.get(label) == area:
                rank = 0
            elif home.get(area) == label:
                rank = 1
            else:
                rank = 2
            candidates[label, year].append((rank, area, rate))
    chosen: dict[tuple[str, int], tuple[str, str]] = {}
    for key, options in candidates.items():
        _rank, area, rate = min(options)
        chosen[key] = (rate, f"imf-ifs:{area}")
    return chosen


def build(fx_dir: Path, country_codes: Path) -> list[list[str]]:
    """All rows of the bundled table, sorted by currency and year."""
    by_iso2, by_iso3 = _country_currencies(country_codes)
    rates = _imf(fx_dir / "imf-ifs" / "imf_exchangerates_A_ENDA_USD.csv", by_iso2)
    with open(fx_dir / "wdi-pa.nus.fcrf.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            iso3, year = row["Country Code"], int(row["Year"])
            if iso3 in WDI_SKIPPED or year < FIRST_YEAR or not row["Value"]:
                continue
            currency = "EUR" if iso3 == "EMU" else by_iso3.get(iso3)
            if currency is None or (currency == "EUR" and iso3 != "EMU"):
                continue
            rates.setdefault((currency, year), (row["Value"], f"wdi:{iso3}"))
    with open(fx_dir / "fred" / "annual.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            fred_currency = FRED_CURRENCIES.get(row["Country"])
            if fred_currency is None or not row["Exchange rate"]:
                continue
            key = (fred_currency, int(row["Date"][:4]))
            rates.setdefault(key, (row["Exchange rate"], f"fred:{row['Country']}"))
    rows = []
    for (currency, year), (rate, source) in sorted(rates.items()):
        value = Decimal(rate)
        if value <= 0 or currency == "USD":  # the dollar is 1 by definition (gapbridge.projects.fx)
            continue
        rows.append([currency, str(year), format(value.normalize(), "f"), source])
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m gapbridge.projects.fx_build SHARED_FX_DIR", file=sys.stderr)
        return 2
    root = Path(__file__).resolve().parents[3]
    rows = build(Path(argv[0]), root / "data" / "reference" / "classifications" / "country-codes.csv")
    out = root / "data" / "fx" / "usd-rates-annual.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    print(f"wrote {len(rows)} rates to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
