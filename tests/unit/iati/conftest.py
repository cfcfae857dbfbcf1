"""Fixtures for the IATI adapter tests: the bundled real files under data/iati, never ../shared."""

from __future__ import annotations

import gzip
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from lxml import etree

from gapbridge.iati.codelists import Codelists, data_dir, load_codelists

DATA = data_dir()
ACTIVITIES = DATA / "activities"
#: Every bundled activity file that is XML (dportal_140.xml.gz is the JSON body kept on purpose).
ACTIVITY_FILES = sorted(p for p in ACTIVITIES.iterdir() if p.name != "dportal_140.xml.gz")
EXAMPLE_ACTIVITY = DATA / "examples" / "activity-standard-example-annotated-2.03.xml"
ORGANISATION_FILES = [
    DATA / "organisations" / "example_organisation_203.xml",
    DATA / "examples" / "organisation-standard-example-annotated-2.03.xml",
]


def read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


@dataclass
class PlainCounts:
    """Counts computed with a plain lxml pass, independent of the adapter."""

    activities: int = 0
    transactions: int = 0
    sums: Counter[str | None] = field(default_factory=Counter)


def plain_counts(path: Path) -> PlainCounts:
    counts = PlainCounts()
    root = etree.fromstring(read_bytes(path), etree.XMLParser(resolve_entities=False, huge_tree=False))
    for activity in root.iter("iati-activity"):
        identifier = (activity.findtext("iati-identifier") or "").strip()
        if not identifier:
            continue
        counts.activities += 1
        default_currency = (activity.get("default-currency") or "").strip() or None
        for transaction in activity.findall("transaction"):
            counts.transactions += 1
            value = transaction.find("value")
            if value is None:
                continue
            try:
                amount = Decimal((value.text or "").strip())
            except InvalidOperation:
                continue
            if not amount.is_finite():
                continue
            currency = (value.get("currency") or "").strip() or default_currency
            counts.sums[currency] += amount
    return counts


@pytest.fixture(scope="session")
def codelists() -> Codelists:
    return load_codelists()
