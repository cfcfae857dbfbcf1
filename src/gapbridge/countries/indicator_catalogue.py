"""Which bundled file feeds which indicator, with its source, licence and unit; and the readers for each.

Pure Python: yields `ObservationRow`s keyed by ISO3 for economies only (aggregates such as WLD are dropped).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from gapbridge.countries.reference_files import (
    LegalRow,
    NameIndex,
    ObservationRow,
    ReferenceDataError,
    parse_float,
    parse_year,
    read_csv,
)

WB_URL = "https://data.worldbank.org/indicator/"
CC_BY = "CC BY 4.0"


@dataclass(frozen=True)
class IndicatorSource:
    code: str
    name: str
    unit: str
    source: str
    source_url: str
    licence: str
    description: str = ""


CATALOGUE: tuple[IndicatorSource, ...] = (
    IndicatorSource(
        "internet_users",
        "Individuals using the Internet",
        "% of population",
        "ITU via World Bank WDI (IT.NET.USER.ZS), Gapminder Systema Globalis",
        WB_URL + "IT.NET.USER.ZS",
        CC_BY,
    ),
    IndicatorSource(
        "mobile_subscriptions",
        "Mobile cellular subscriptions",
        "per 100 people",
        "ITU via World Bank WDI (IT.CEL.SETS.P2)",
        WB_URL + "IT.CEL.SETS.P2",
        CC_BY,
    ),
    IndicatorSource(
        "fixed_broadband",
        "Fixed broadband subscriptions",
        "per 100 people",
        "ITU via World Bank WDI (IT.NET.BBND.P2)",
        WB_URL + "IT.NET.BBND.P2",
        CC_BY,
    ),
    IndicatorSource(
        "electricity_access",
        "Access to electricity",
        "% of population",
        "World Bank WDI (EG.ELC.ACCS.ZS)",
        WB_URL + "EG.ELC.ACCS.ZS",
        CC_BY,
    ),
    IndicatorSource(
        "mobile_data_price",
        "Cost of 1 GB of mobile data",
        "% of monthly GNI per capita",
        "Alliance for Affordable Internet (A4AI), via Our World in Data",
        "https://a4ai.org/extra/mobile_broadband_pricing_gni",
        "A4AI terms (not stated)",
    ),
    IndicatorSource(
        "gni_per_capita",
        "GNI per capita, Atlas method",
        "current US$",
        "World Bank WDI (NY.GNP.PCAP.CD)",
        WB_URL + "NY.GNP.PCAP.CD",
        CC_BY,
    ),
    IndicatorSource(
        "adult_literacy",
        "Adult literacy rate",
        "% of people 15+",
        "UNESCO UIS via World Bank WDI (SE.ADT.LITR.ZS)",
        WB_URL + "SE.ADT.LITR.ZS",
        CC_BY,
    ),
    IndicatorSource(
        "gtmi_digitalskills",
        "GovTech: digital skills in the public sector",
        "GTMI score",
        "World Bank GovTech Maturity Index 2022",
        "https://www.worldbank.org/en/programs/govtech/gtmi",
        CC_BY,
    ),
    IndicatorSource(
        "account_ownership",
        "Account ownership (Global Findex)",
        "% of adults 15+",
        "World Bank Global Findex, via Our World in Data",
        "https://www.worldbank.org/en/publication/globalfindex",
        "World Bank data (licence not stated in the copy)",
    ),
    IndicatorSource(
        "gtmi_epayments",
        "GovTech: government e-payments",
        "GTMI score",
        "World Bank GovTech Maturity Index 2022",
        "https://www.worldbank.org/en/programs/govtech/gtmi",
        CC_BY,
    ),
    IndicatorSource(
        "law_etransactions",
        "Electronic transactions law",
        "1 = law, 0.5 = draft, 0 = none",
        "UNCTAD Global Cyberlaw Tracker",
        "https://unctad.org/page/global-cyberlaw-tracker",
        "UNCTAD (not stated)",
    ),
    IndicatorSource(
        "law_consumer_protection",
        "Online consumer protection law",
        "1 = law, 0.5 = draft, 0 = none",
        "UNCTAD Global Cyberlaw Tracker",
        "https://unctad.org/page/global-cyberlaw-tracker",
        "UNCTAD (not stated)",
    ),
    IndicatorSource(
        "law_data_protection",
        "Privacy and data protection law",
        "1 = law, 0.5 = draft, 0 = none",
        "UNCTAD Global Cyberlaw Tracker",
        "https://unctad.org/page/global-cyberlaw-tracker",
        "UNCTAD (not stated)",
    ),
    IndicatorSource(
        "law_cybercrime",
        "Cybercrime law",
        "1 = law, 0.5 = draft, 0 = none",
        "UNCTAD Global Cyberlaw Tracker",
        "https://unctad.org/page/global-cyberlaw-tracker",
        "UNCTAD (not stated)",
    ),
    IndicatorSource(
        "gci_overall",
        "Global Cybersecurity Index",
        "score 0–100",
        "ITU Global Cybersecurity Index 2020 (extracted by the Blavatnik School)",
        "https://www.itu.int/epublications/publication/D-STR-GCI.01-2021-HTM-E",
        "ITU: re-use for educational and non-commercial purposes",
    ),
    IndicatorSource(
        "secure_servers",
        "Secure Internet servers",
        "per 1 million people",
        "Netcraft via World Bank WDI (IT.NET.SECR.P6)",
        WB_URL + "IT.NET.SECR.P6",
        CC_BY,
    ),
    IndicatorSource(
        "digital_services_exports_pc",
        "Digitally-deliverable services exports per capita",
        "current US$ per person",
        "UNCTAD (via World Bank Data360) ÷ WDI population (SP.POP.TOTL), computed here",
        "https://unctadstat.unctad.org/",
        CC_BY,
    ),
    IndicatorSource(
        "ict_business_internet",
        "Businesses using the Internet",
        "% of businesses",
        "UNCTAD ICT use by businesses (via World Bank Data360)",
        "https://unctadstat.unctad.org/",
        CC_BY,
    ),
    IndicatorSource(
        "gtmi_eprocurement",
        "GovTech: e-procurement",
        "GTMI score",
        "World Bank GovTech Maturity Index 2022",
        "https://www.worldbank.org/en/programs/govtech/gtmi",
        CC_BY,
    ),
    IndicatorSource(
        "population",
        "Population, total",
        "persons",
        "World Bank WDI (SP.POP.TOTL)",
        WB_URL + "SP.POP.TOTL",
        CC_BY,
    ),
)
BY_CODE = {s.code: s for s in CATALOGUE}

LEGAL_VALUES = {"legislation": 1.0, "draft": 0.5, "none": 0.0}
LEGAL_YEAR = 2026  # the tracker snapshot bundled here is of April 2026 (data/PROVENANCE.md)
LEGAL_INDICATORS = {
    "etransactions": "law_etransactions",
    "consumer_protection": "law_consumer_protection",
    "data_protection": "law_data_protection",
    "cybercrime": "law_cybercrime",
}


def _wdi(root: Path, file: str, code: str, economies: set[str]) -> Iterator[ObservationRow]:
    path = root / "indicators" / "wdi" / f"{file}.csv.gz"
    for line, row in read_csv(path, ("Country Code", "Year", "Value")):
        iso3 = row["Country Code"].strip()
        if iso3 in economies and row["Value"].strip():
            year = parse_year(path, line, "Year", row["Year"])
            yield ObservationRow(code, iso3, year, parse_float(path, line, "Value", row["Value"]), "WDI")


def _gapminder_internet(root: Path, economies: set[str]) -> Iterator[ObservationRow]:
    path = root / "indicators" / "gapminder" / "internet_users.csv.gz"
    for line, row in read_csv(path, ("geo", "time", "internet_users")):
        iso3 = row["geo"].strip().upper()
        if iso3 in economies and row["internet_users"].strip():
            year = parse_year(path, line, "time", row["time"])
            value = parse_float(path, line, "internet_users", row["internet_users"])
            yield ObservationRow("internet_users", iso3, year, value, "ITU/WDI via Gapminder")


def _owid(
    root: Path, file: str, code: str, names: NameIndex, economies: set[str], unmatched: list[str]
) -> Iterator[ObservationRow]:
    path = root / "indicators" / "owid" / file
    for line, row in read_csv(path, ("Entity", "Year")):
        value_column = next(c for c in row if c not in {"Entity", "Year"})
        iso3 = names(row["Entity"])
        if iso3 is None or iso3 not in economies:
            unmatched.append(f"{path.name}:{line}: {row['Entity']!r} is not an economy here")
            continue
        if row[value_column].strip():
            year = parse_year(path, line, "Year", row["Year"])
            value = parse_float(path, line, value_column, row[value_column])
            yield ObservationRow(code, iso3, year, value, "OWID")


def _long_format(
    root: Path, relative: str, variables: dict[str, str], source: str, economies: set[str]
) -> Iterator[ObservationRow]:
    path = root / relative
    for line, row in read_csv(path, ("cc_iso3c", "ref_year", "variable", "value")):
        code = variables.get(row["variable"].strip())
        iso3 = row["cc_iso3c"].strip()
        if code and iso3 in economies and row["value"].strip() not in {"", "NA"}:
            year = parse_year(path, line, "ref_year", row["ref_year"])
            yield ObservationRow(code, iso3, year, parse_float(path, line, "value", row["value"]), source)


def _ict_business(root: Path, economies: set[str]) -> Iterator[ObservationRow]:
    path = root / "indicators" / "unctad" / "UNCTAD_DE_data360.csv.gz"
    for line, row in read_csv(path, ("REF_AREA", "INDICATOR", "TIME_PERIOD", "OBS_VALUE")):
        if row["INDICATOR"] == "UNCTAD_DE_ICT_CORE_UBS_ANN_ALL_B3" and row["REF_AREA"] in economies:
            year = parse_year(path, line, "TIME_PERIOD", row["TIME_PERIOD"])
            value = parse_float(path, line, "OBS_VALUE", row["OBS_VALUE"])
            yield ObservationRow("ict_business_internet", row["REF_AREA"], year, value, "UNCTAD")


def _digital_exports_pc(
    root: Path, population: dict[tuple[str, int], float], economies: set[str]
) -> Iterator[ObservationRow]:
    path = root / "indicators" / "unctad" / "digital_services_trade_panel.csv.gz"
    for line, row in read_csv(path, ("iso3", "year", "dig_services_exports_usd_millions")):
        iso3 = row["iso3"].strip()
        text = row["dig_services_exports_usd_millions"].strip()
        if iso3 not in economies or not text:
            continue
        year = parse_year(path, line, "year", row["year"])
        pop = population.get((iso3, year))
        if pop:  # without that year's population there is no per-capita value; nothing is imputed
            millions = parse_float(path, line, "dig_services_exports_usd_millions", text)
            yield ObservationRow(
                "digital_services_exports_pc", iso3, year, millions * 1e6 / pop, "UNCTAD÷WDI"
            )


def read_observations(
    root: Path,
    economies: set[str],
    names: NameIndex,
    legal: list[LegalRow],
    progress: Callable[[str], None] | None = None,
) -> tuple[list[ObservationRow], list[str]]:
    """All indicator observations for economies, and notes on rows that named no economy."""
    notes: list[str] = []
    out: list[ObservationRow] = []

    def step(label: str, rows: Iterator[ObservationRow]) -> None:
        out.extend(rows)
        if progress:
            progress(label)

    wdi = {
        "it.cel.sets.p2": "mobile_subscriptions",
        "it.net.bbnd.p2": "fixed_broadband",
        "eg.elc.accs.zs": "electricity_access",
        "ny.gnp.pcap.cd": "gni_per_capita",
        "se.adt.litr.zs": "adult_literacy",
        "it.net.secr.p6": "secure_servers",
        "sp.pop.totl": "population",
    }
    for file, code in wdi.items():
        step(f"WDI {file}", _wdi(root, file, code, economies))
    population = {(o.iso3, o.year): o.value for o in out if o.indicator == "population"}
    step("Gapminder internet users", _gapminder_internet(root, economies))
    step(
        "A4AI mobile data price",
        _owid(root, "price-of-mobile-data-a4ai-2019.csv", "mobile_data_price", names, economies, notes),
    )
    step(
        "Findex",
        _owid(root, "findex-account-ownership-2011-2014.csv", "account_ownership", names, economies, notes),
    )
    gtmi = {
        "gtmi_digitalskills": "gtmi_digitalskills",
        "gtmi_epayments": "gtmi_epayments",
        "gtmi_eprocurement": "gtmi_eprocurement",
    }
    step(
        "GovTech GTMI",
        _long_format(
            root,
            "legal/wb-govtech-gtmi-2022/gtmi_2022_metadata.csv.gz",
            gtmi,
            "World Bank GTMI 2022",
            economies,
        ),
    )
    step(
        "ITU GCI",
        _long_format(
            root, "legal/itu-gci-2020/gci_2020.csv", {"gci_overall": "gci_overall"}, "ITU GCI 2020", economies
        ),
    )
    step("UNCTAD ICT use", _ict_business(root, economies))
    step("UNCTAD digital services", _digital_exports_pc(root, population, economies))
    step(
        "UNCTAD cyberlaw",
        (
            ObservationRow(
                LEGAL_INDICATORS[r.area],
                r.iso3,
                LEGAL_YEAR,
                LEGAL_VALUES[r.status],
                "UNCTAD cyberlaw tracker",
            )
            for r in legal
            if r.area in LEGAL_INDICATORS and r.status in LEGAL_VALUES
        ),
    )
    _check_unique(out)
    # Every observation carries its indicator's full source statement, not a short label.
    return [replace(o, source=BY_CODE[o.indicator].source[:200]) for o in out], notes


def _check_unique(rows: list[ObservationRow]) -> None:
    seen: set[tuple[str, str, int]] = set()
    for row in rows:
        key = (row.indicator, row.iso3, row.year)
        if key in seen:
            raise ReferenceDataError(
                row.source, None, None, f"two values for {row.indicator} {row.iso3} {row.year}"
            )
        seen.add(key)
