"""Readers for the bundled reference files (data/reference): economies, groups, indicators, legal status.

Pure Python, no Django: each reader yields plain dataclasses and raises `ReferenceDataError` naming the file,
line and column of the first bad value, so a bad file can be refused before anything is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import html
import io
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO


class ReferenceDataError(Exception):
    """A reference file that cannot be loaded; says where."""

    def __init__(self, path: Path | str, line: int | None, column: str | None, message: str) -> None:
        self.path, self.line, self.column, self.message = str(path), line, column, message
        where = (
            self.path + (f":{line}" if line is not None else "") + (f" column {column!r}" if column else "")
        )
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class EconomyRow:
    iso3: str
    iso2: str
    m49: str
    name_en: str
    name_fr: str
    name_es: str
    name_ar: str
    region: str
    sub_region: str
    wb_region: str
    income_group: str
    lending_category: str


@dataclass(frozen=True)
class GroupRow:
    code: str
    name: str
    kind: str
    source: str
    source_url: str
    as_of: dt.date | None
    description: str


@dataclass(frozen=True)
class MembershipRow:
    group: str
    iso3: str
    start_date: dt.date | None
    end_date: dt.date | None
    status: str
    source: str
    note: str = ""


@dataclass(frozen=True)
class ObservationRow:
    indicator: str
    iso3: str
    year: int
    value: float
    source: str


@dataclass(frozen=True)
class LegalRow:
    iso3: str
    area: str
    status: str
    laws: list[list[str]] = field(default_factory=list)


INCOME_CODES = {
    "Low income": "L",
    "Lower middle income": "LM",
    "Upper middle income": "UM",
    "High income": "H",
}


def open_text(path: Path) -> IO[str]:
    """Open a CSV/JSON file, transparently un-gzipping by magic bytes; BOMs are dropped."""
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def read_csv(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) after checking the header has the required columns."""
    if not path.exists():
        raise ReferenceDataError(path, None, None, "file not found")
    try:
        with open_text(path) as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            if missing:
                raise ReferenceDataError(path, 1, missing[0], f"missing column(s): {', '.join(missing)}")
            for row in reader:
                if None in row:
                    raise ReferenceDataError(path, reader.line_num, None, "more fields than the header names")
                short = [name for name, value in row.items() if value is None]
                if short:
                    raise ReferenceDataError(
                        path,
                        reader.line_num,
                        short[0],
                        f"fewer fields than the header names ({len(header) - len(short)} of {len(header)})",
                    )
                yield reader.line_num, row
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError, csv.Error) as exc:
        raise ReferenceDataError(path, None, None, f"unreadable: {exc}") from exc


def parse_float(path: Path, line: int, column: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ReferenceDataError(path, line, column, f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise ReferenceDataError(path, line, column, f"not a finite number: {text!r}")
    return value


def parse_year(path: Path, line: int, column: str, text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise ReferenceDataError(path, line, column, f"not a year: {text!r}") from None
    if not 1900 <= year <= 2100:
        raise ReferenceDataError(path, line, column, f"year out of range: {year}")
    return year


def parse_date(path: Path, line: int, column: str, text: str) -> dt.date | None:
    """ISO dates; 'YYYY-MM' means the first of that month; empty means unknown."""
    text = text.strip()
    if not text:
        return None
    try:
        if len(text) == 7:
            return dt.date.fromisoformat(text + "-01")
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ReferenceDataError(path, line, column, f"not a date (YYYY-MM-DD): {text!r}") from None


def read_economies(root: Path) -> list[EconomyRow]:
    """The World Bank's 218 economies, with ISO and UN M49 codes and names in four languages."""
    codes_path = root / "classifications" / "country-codes.csv"
    by_iso3: dict[str, dict[str, str]] = {}
    for _, row in read_csv(codes_path, ("ISO3166-1-Alpha-3", "ISO3166-1-Alpha-2", "M49", "official_name_en")):
        iso3 = row["ISO3166-1-Alpha-3"].strip()
        if iso3:
            by_iso3[iso3] = row
    # economies without an ISO 3166 entry (Channel Islands, Kosovo) get their names from a small supplement
    supplement: dict[str, dict[str, str]] = {}
    supplement_path = root / "classifications" / "names-supplement.csv"
    if supplement_path.exists():
        for _line, row in read_csv(supplement_path, ("iso3", "name_fr", "name_es", "name_ar", "source")):
            supplement[row["iso3"].strip().upper()] = row
    wb_path = root / "classifications" / "wb-CLASS-FY2025-economies.csv"
    economies: list[EconomyRow] = []
    for line, row in read_csv(wb_path, ("Economy", "Code", "Region", "Income group", "Lending category")):
        if not row["Region"].strip():
            continue  # aggregates (WLD, LIC, SSF, ...) have no region: they are not economies
        iso3 = row["Code"].strip()
        if len(iso3) != 3 or not iso3.isalpha():
            raise ReferenceDataError(wb_path, line, "Code", f"not an ISO3-style code: {iso3!r}")
        income_text = row["Income group"].strip()
        if income_text and income_text not in INCOME_CODES:
            raise ReferenceDataError(wb_path, line, "Income group", f"unknown income group {income_text!r}")
        iso = by_iso3.get(iso3, {})
        extra = supplement.get(iso3, {})
        m49 = iso.get("M49", "").strip()
        economies.append(
            EconomyRow(
                iso3=iso3,
                iso2=iso.get("ISO3166-1-Alpha-2", "").strip(),
                m49=m49.zfill(3) if m49 else "",
                name_en=iso.get("CLDR display name", "").strip() or row["Economy"].strip(),
                name_fr=iso.get("official_name_fr", "").strip() or extra.get("name_fr", "").strip(),
                name_es=iso.get("official_name_es", "").strip() or extra.get("name_es", "").strip(),
                name_ar=iso.get("official_name_ar", "").strip() or extra.get("name_ar", "").strip(),
                region=iso.get("Region Name", "").strip(),
                sub_region=iso.get("Sub-region Name", "").strip(),
                wb_region=row["Region"].strip(),
                income_group=INCOME_CODES.get(income_text, ""),
                lending_category=row["Lending category"].strip(),
            )
        )
    return economies


def read_groups(root: Path) -> list[GroupRow]:
    path = root / "groups.csv"
    groups = []
    for line, row in read_csv(path, ("code", "name", "kind", "source", "source_url", "as_of", "description")):
        if row["kind"] not in {"un", "income", "membership", "region"}:
            raise ReferenceDataError(path, line, "kind", f"unknown kind {row['kind']!r}")
        groups.append(
            GroupRow(
                code=row["code"].strip(),
                name=row["name"].strip(),
                kind=row["kind"],
                source=row["source"].strip(),
                source_url=row["source_url"].strip(),
                as_of=parse_date(path, line, "as_of", row["as_of"]),
                description=row["description"].strip(),
            )
        )
    return groups


def read_memberships(root: Path, economies: set[str]) -> tuple[list[MembershipRow], list[str]]:
    """Every dated group membership, and notes about rows skipped (non-economies such as the EU)."""
    rows: list[MembershipRow] = []
    skipped: list[str] = []
    codes_path = root / "classifications" / "country-codes.csv"
    graduations = _read_graduations(root)
    un_columns = {
        "ldc": "Least Developed Countries (LDC)",
        "lldc": "Land Locked Developing Countries (LLDC)",
        "sids": "Small Island Developing States (SIDS)",
    }
    listed_ldcs: set[str] = set()
    for _, row in read_csv(codes_path, ("ISO3166-1-Alpha-3", *un_columns.values())):
        iso3 = row["ISO3166-1-Alpha-3"].strip()
        if iso3 not in economies:
            continue
        for group, column in un_columns.items():
            if row[column].strip().lower() == "x":
                end = graduations[iso3][0] if group == "ldc" and iso3 in graduations else None
                note = graduations[iso3][1] if group == "ldc" and iso3 in graduations else ""
                rows.append(
                    MembershipRow(group, iso3, None, end, "member", "UNSD M49 / country-codes.csv", note)
                )
                if group == "ldc":
                    listed_ldcs.add(iso3)
    for iso3, (end, note) in graduations.items():
        if iso3 not in listed_ldcs and iso3 in economies:
            rows.append(MembershipRow("ldc", iso3, None, end, "member", "UN DESA / OHRLLS graduations", note))
    rows.extend(_income_memberships(root, economies))
    wto_rows, wto_skipped = _wto_memberships(root, economies)
    rows.extend(wto_rows)
    skipped.extend(wto_skipped)
    rows.extend(_dco_memberships(root, economies))
    return rows, skipped


def _read_graduations(root: Path) -> dict[str, tuple[dt.date, str]]:
    path = root / "ldc-graduations.csv"
    result: dict[str, tuple[dt.date, str]] = {}
    for line, row in read_csv(path, ("iso3", "graduation_date", "status", "source_url", "note")):
        date = parse_date(path, line, "graduation_date", row["graduation_date"])
        if date is None:
            raise ReferenceDataError(path, line, "graduation_date", "a graduation needs a date")
        note = f"{row['status']} graduation on {date.isoformat()} ({row['source_url']}) {row['note']}".strip()
        result[row["iso3"].strip()] = (date, note)
    return result


def _income_memberships(root: Path, economies: set[str]) -> Iterator[MembershipRow]:
    path = root / "classifications" / "wb-CLASS-FY2025-economies.csv"
    fy2025_start = dt.date(2024, 7, 1)
    for _, row in read_csv(path, ("Code", "Income group")):
        code = INCOME_CODES.get(row["Income group"].strip())
        iso3 = row["Code"].strip()
        if code and iso3 in economies:
            yield MembershipRow(
                f"income-{code.lower()}", iso3, fy2025_start, None, "member", "World Bank CLASS FY2025"
            )


def _wto_memberships(root: Path, economies: set[str]) -> tuple[list[MembershipRow], list[str]]:
    path = root / "classifications" / "wto-members.csv"
    rows: list[MembershipRow] = []
    skipped: list[str] = []
    for line, row in read_csv(path, ("name", "iso3", "accession_date", "status", "source")):
        iso3 = row["iso3"].strip()
        status = row["status"].strip()
        if iso3 not in economies:
            skipped.append(f"{path.name}:{line}: {row['name']} ({iso3 or 'no ISO3'}) is not an economy here")
            continue
        if status == "member":
            start = parse_date(path, line, "accession_date", row["accession_date"])
            rows.append(MembershipRow("wto-member", iso3, start, None, "member", row["source"].strip()))
        elif status in {"observer", "accession_candidate"}:
            rows.append(MembershipRow("wto-observer", iso3, None, None, status, row["source"].strip()))
        else:
            raise ReferenceDataError(path, line, "status", f"unknown status {status!r}")
    return rows, skipped


def _dco_memberships(root: Path, economies: set[str]) -> Iterator[MembershipRow]:
    """One membership per country from the earliest joining date any cited page states."""
    path = root / "classifications" / "dco-members.csv"
    earliest: dict[str, tuple[dt.date | None, list[str]]] = {}
    for line, row in read_csv(path, ("iso3", "joined", "source_url")):
        iso3 = row["iso3"].strip()
        joined = parse_date(path, line, "joined", row["joined"])
        current, sources = earliest.get(iso3, (None, []))
        if joined is not None and (current is None or joined < current):
            current = joined
        earliest[iso3] = (current, [*sources, row["source_url"].strip()])
    for iso3, (joined, sources) in sorted(earliest.items()):
        if iso3 in economies:
            yield MembershipRow(
                "dco", iso3, joined, None, "member", sources[0], "; ".join(sorted(set(sources)))
            )


NameIndex = Callable[[str], str | None]


def name_index(root: Path, economies: list[EconomyRow]) -> NameIndex:
    """Map a country name (OWID spelling and others) to ISO3 via bundled names and an alias file."""
    names: dict[str, str] = {}

    def key(text: str) -> str:
        return "".join(ch for ch in text.casefold() if ch.isalnum())

    for _, row in read_csv(root / "classifications" / "country-codes.csv", ("ISO3166-1-Alpha-3",)):
        iso3 = row["ISO3166-1-Alpha-3"].strip()
        for column in (
            "official_name_en",
            "UNTERM English Short",
            "CLDR display name",
            "UNTERM English Formal",
        ):
            if row.get(column, "").strip():
                names.setdefault(key(row[column]), iso3)
    for economy in economies:
        names.setdefault(key(economy.name_en), economy.iso3)
    for _, row in read_csv(root / "name-aliases.csv", ("name", "iso3")):
        names[key(row["name"])] = row["iso3"].strip()

    def lookup(name: str) -> str | None:
        return names.get(key(name))

    return lookup


# An HTML tag: "<" then a name (or "/" and a name), e.g. <br>, <br/>, <br />, </p>, <span class="x">. A
# "<" followed by a space or a digit ("< 5 years") is text, not a tag.
_TAG = re.compile(r"<\s*/?\s*[A-Za-z][^<>]*>")
# Only entities closed by ";": html.unescape alone also decodes legacy names without one, which turns a query
# string's "&sect=1" into "§=1" and "&not=2" into "¬=2".
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _unescape(text: str) -> str:
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)


def clean_title(text: str) -> str:
    """A law's title as plain text: the tracker's HTML line breaks and other tags become spaces, character
    references are decoded (&#39; -> '), and runs of whitespace (including no-break spaces) become one."""
    text = _TAG.sub(" ", _unescape(text))
    return " ".join(text.split())


def clean_url(text: str) -> str:
    """A law's link with its HTML character references decoded ("?a=1&amp;b=2" -> "?a=1&b=2"): the tracker
    stores some links HTML-escaped, and a page escapes them again, so the query string would break."""
    return _unescape(text).strip()


def read_legal(root: Path, m49_to_iso3: dict[str, str]) -> list[LegalRow]:
    """UNCTAD Global Cyberlaw Tracker: status per legislation area, with the laws' titles and links."""
    folder = root / "legal" / "unctad-cyberlaw-tracker"
    areas = {
        "Electronic Transactions": "etransactions",
        "Consumer Protection": "consumer_protection",
        "Privacy and Data Protection": "data_protection",
        "Cybercrime": "cybercrime",
        "Indirect Taxation": "indirect_taxation",
    }
    statuses = {
        "Legislation": "legislation",
        "Draft Legislation": "draft",
        "No Legislation": "none",
        "No Data": "no_data",
    }
    links_path = folder / "document_links.json.gz"
    try:
        with open_text(links_path) as handle:
            links = json.load(handle)
    except (OSError, ValueError) as exc:
        raise ReferenceDataError(links_path, None, None, f"unreadable JSON: {exc}") from exc
    path = folder / "data.csv"
    rows: list[LegalRow] = []
    for line, row in read_csv(path, ("code", "country", *areas)):
        code = row["code"].strip().zfill(3)
        iso3 = m49_to_iso3.get(code)
        if iso3 is None:
            continue
        for column, area in areas.items():
            status = statuses.get(row[column].strip())
            if status is None:
                raise ReferenceDataError(path, line, column, f"unknown status {row[column]!r}")
            entry = links.get(code, {}).get(column) or []
            laws = [
                [clean_url(str(item[0])), clean_title(str(item[1]))]
                for item in entry
                if isinstance(item, list) and len(item) >= 2
            ]
            rows.append(LegalRow(iso3, area, status, laws))
    return rows
