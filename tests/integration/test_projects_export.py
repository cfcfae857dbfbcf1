"""Export: IATI 2.03 output valid against the official XSD, and the round trip import -> export ->
re-import gives the same normalised content for every modelled field."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from gapbridge.iati.parser import iter_file, iter_organisation_file
from gapbridge.iati.schema import validate_file
from gapbridge.iati.writer import prepare_for_write, prepare_organisation
from gapbridge.projects import services
from gapbridge.projects.export import (
    activity_dtos,
    export_activities,
    export_organisations,
    organisation_dtos,
)
from gapbridge.projects.models import Activity, IatiOrganisation

from .test_projects_support import IATI, ICT_202, LEGACY, NL_203, ORGANISATION, run_import

pytestmark = pytest.mark.django_db
UNSEEN = IATI / "examples" / "activity-standard-example-annotated-2.03.xml"


def _key(identifier: str, reporting_ref: str | None) -> tuple[str, str]:
    return identifier, reporting_ref or ""


def test_export_of_the_bundled_sample_is_schema_valid_and_round_trips(tmp_path: Path) -> None:
    services.load_bundled_sample()
    stored = {(a.iati_identifier, a.publisher_ref): a for a in Activity.objects.all()}
    expected = {}
    for dto in activity_dtos(Activity.objects.all()):
        try:
            prepared, _notes = prepare_for_write(dto)
        except Exception:  # noqa: S112 - unwritable ones are counted below
            continue
        expected[_key(dto.iati_identifier, dto.reporting_org.ref if dto.reporting_org else None)] = prepared
    out = tmp_path / "export.xml"
    result = export_activities(Activity.objects.all(), str(out))
    assert result.written == len(expected) == len(stored) - len(result.unwritable)
    assert len(result.unwritable) == 2 and all("activity-date" in m for m in result.unwritable)
    assert validate_file(out) == []

    exported = {}
    for parsed in iter_file(out):
        assert parsed.activity is not None
        a = parsed.activity
        exported[_key(a.iati_identifier, a.reporting_org.ref if a.reporting_org else None)] = a
    assert exported.keys() == expected.keys()
    mismatched = [k for k in expected if exported[k] != expected[k]]
    assert not mismatched, mismatched[:3]

    # re-import the export into an empty registry: the same normalised content for every activity
    Activity.objects.all().delete()
    summary = run_import([out]).as_dict()
    assert summary["activities"]["new"] == len(expected) and not summary["errors"]
    again = {}
    for dto in activity_dtos(Activity.objects.all()):
        again[_key(dto.iati_identifier, dto.reporting_org.ref if dto.reporting_org else None)] = dto
    assert again.keys() == expected.keys()
    assert all(again[k] == expected[k] for k in expected)


def _transactions(path: Path) -> tuple[int, int, Counter[str], dict[str, Decimal]]:
    """Activities, transactions, transactions per currency and per-currency sums, read with plain lxml."""
    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    activities = root.findall("iati-activity")
    per_currency: Counter[str] = Counter()
    sums: dict[str, Decimal] = {}
    count = 0
    for activity in activities:
        default = activity.get("default-currency") or ""
        for transaction in activity.findall("transaction"):
            value = transaction.find("value")
            if value is None or not (value.text or "").strip():
                continue
            count += 1
            currency = value.get("currency") or default
            per_currency[currency] += 1
            sums[currency] = sums.get(currency, Decimal(0)) + Decimal(value.text.strip())
    return len(activities), count, per_currency, sums


def test_files_never_seen_keep_their_counts_and_sums_through_import_and_export(tmp_path: Path) -> None:
    sources = [UNSEEN, NL_203, ICT_202, LEGACY]
    run_import(sources)
    out = tmp_path / "export.xml"
    result = export_activities(Activity.objects.all(), str(out))
    assert validate_file(out) == []
    total_activities = total_transactions = 0
    per_currency: Counter[str] = Counter()
    sums: dict[str, Decimal] = {}
    for source in sources:
        n_act, n_tx, currencies, money = _transactions(source)
        total_activities += n_act
        total_transactions += n_tx
        per_currency.update(currencies)
        for currency, value in money.items():
            sums[currency] = sums.get(currency, Decimal(0)) + value
    n_act, n_tx, currencies, money = _transactions(out)
    assert n_act + len(result.unwritable) == total_activities
    assert n_tx == total_transactions
    assert currencies == per_currency
    assert money == sums


def test_organisation_file_export_is_schema_valid_and_round_trips(tmp_path: Path) -> None:
    run_import([ORGANISATION])
    out = tmp_path / "organisations.xml"
    result = export_organisations(IatiOrganisation.objects.all(), str(out))
    assert result.written == 1
    assert validate_file(out) == []
    expected = [prepare_organisation(o)[0] for o in organisation_dtos(IatiOrganisation.objects.all())]
    again = [p.organisation for p in iter_organisation_file(out)]
    assert again == expected
    source = [p.organisation for p in iter_organisation_file(ORGANISATION)]
    assert [prepare_organisation(o)[0] for o in source if o is not None] == expected
