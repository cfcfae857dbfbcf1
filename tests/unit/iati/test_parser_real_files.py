"""The streaming parser on every bundled real file, checked against an independent plain lxml pass."""

from __future__ import annotations

import io
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from gapbridge.iati.dto import ActivityDTO
from gapbridge.iati.errors import IatiError, NotXmlError
from gapbridge.iati.parser import ParsedActivity, iter_file, iter_files, iter_organisation_file

from .conftest import ACTIVITIES, ACTIVITY_FILES, ORGANISATION_FILES, plain_counts, read_bytes

#: Activity counts stated in data/iati/PROVENANCE.md (a second, fixed reference).
EXPECTED_ACTIVITIES = {
    "ict-sector-activities_dportal-covid-2021_v2.01.xml": 13,
    "ict-sector-activities_dportal-covid-2021_v2.02.xml": 13,
    "ict-sector-activities_dportal-covid-2021_v2.03.xml": 167,
    "example_203_file.xml": 13,
    "legacy-v1_CD.xml.gz": 205,
    "legacy-v1_complex_example_dfid.xml": 57,
    "dportal_97.xml.gz": 100,
    "dportal-2023_covid-dportal.xml.gz": 401,
}


def activities(path: Path) -> list[ActivityDTO]:
    return [p.activity for p in iter_file(path) if p.activity is not None]


def test_every_bundled_file_is_covered() -> None:
    assert {p.name for p in ACTIVITY_FILES} == set(EXPECTED_ACTIVITIES)


@pytest.mark.parametrize("path", ACTIVITY_FILES, ids=lambda p: p.name)
def test_counts_and_currency_sums_match_plain_lxml(path: Path) -> None:
    expected = plain_counts(path)
    parsed = list(iter_file(path))
    found = [p.activity for p in parsed if p.activity is not None]
    assert len(found) == expected.activities == EXPECTED_ACTIVITIES[path.name]
    transactions = [t for a in found for t in a.transactions]
    assert len(transactions) == expected.transactions
    sums: Counter[str | None] = Counter()
    for transaction in transactions:
        if transaction.value is not None:
            sums[transaction.currency] += transaction.value  # type: ignore[assignment]
    assert sums == expected.sums
    assert all(p.file == str(path) and p.line is not None for p in parsed)


def test_gzip_is_detected_by_magic_bytes_not_name(tmp_path: Path) -> None:
    gz = ACTIVITIES / "legacy-v1_CD.xml.gz"
    renamed = tmp_path / "looks-plain.xml"
    renamed.write_bytes(gz.read_bytes())
    plain = tmp_path / "looks-compressed.xml.gz"
    plain.write_bytes(read_bytes(gz))
    assert activities(renamed) == activities(plain) == activities(gz)
    assert len(activities(renamed)) == 205


def test_streams_and_file_objects_are_accepted() -> None:
    data = (ACTIVITIES / "example_203_file.xml").read_bytes()
    parsed = list(iter_file(io.BytesIO(data), name="upload.xml"))
    assert len(parsed) == 13
    assert parsed[0].file == "upload.xml"


def test_dportal_activity_versions_come_from_foreign_namespace_attributes() -> None:
    # dportal_97: wrapper says 2.03, activities say 2.01 / 2.02 / 2.03 in iati-activities:version
    versions = Counter(a.version for a in activities(ACTIVITIES / "dportal_97.xml.gz"))
    assert versions == {"2.03": 37, "2.02": 62, "2.01": 1}
    # dportal-2023 uses generated prefixes (ns1:version)
    assert {a.version for a in activities(ACTIVITIES / "dportal-2023_covid-dportal.xml.gz")} <= {
        "2.02",
        "2.03",
    }


def test_v1_versions_come_from_root_or_activity() -> None:
    assert {a.version for a in activities(ACTIVITIES / "legacy-v1_CD.xml.gz")} == {"1.01"}
    # complex_example_dfid: root 1.00 and every activity @version="1.00"
    assert {a.version for a in activities(ACTIVITIES / "legacy-v1_complex_example_dfid.xml")} == {"1.00"}


def test_languages_are_lower_case_and_default_applies() -> None:
    found = activities(ACTIVITIES / "ict-sector-activities_dportal-covid-2021_v2.02.xml")
    unicef = next(a for a in found if a.iati_identifier == "XM-DAC-41122-Jordan-2340/A0/05/882/005")
    assert unicef.default_language == "en"  # xml:lang="EN" on the activity
    assert unicef.titles[0].text == "COVID RESPONSE - EDUCATION"
    assert unicef.titles[0].lang == "en"
    for activity in found:
        for narrative in activity.titles:
            assert narrative.lang is None or narrative.lang == narrative.lang.lower()


def test_narrative_without_lang_falls_back_to_default_language() -> None:
    xml = b"""<iati-activities version="2.03"><iati-activity xml:lang="FR">
      <iati-identifier>XX-1</iati-identifier>
      <title><narrative>Titre</narrative><narrative xml:lang="EN">Title</narrative></title>
    </iati-activity></iati-activities>"""
    (parsed,) = iter_file(io.BytesIO(xml))
    assert parsed.activity is not None
    assert [(n.text, n.lang) for n in parsed.activity.titles] == [("Titre", "fr"), ("Title", "en")]
    assert parsed.activity.title == "Titre"


def test_transaction_fields_of_a_real_activity() -> None:
    found = activities(ACTIVITIES / "example_203_file.xml")
    activity = found[0]
    assert activity.reporting_org is not None and activity.reporting_org.ref == "XM-DAC-7"
    transaction = activity.transactions[0]
    assert transaction.type in {"1", "2", "3", "4", "11"}
    assert transaction.currency == "EUR"
    assert isinstance(transaction.value, Decimal)
    assert transaction.date is not None


def test_results_locations_tags_and_documents_of_the_official_example() -> None:
    from .conftest import EXAMPLE_ACTIVITY

    (activity,) = activities(EXAMPLE_ACTIVITY)
    assert activity.iati_identifier == "AA-AAA-123456789-ABC123"
    assert activity.locations and activity.locations[0].point_pos == "31.616944 65.716944"
    assert activity.locations[0].latitude == pytest.approx(31.616944)
    assert {(t.vocabulary, t.code) for t in activity.tags} == {("1", "1"), ("99", "T1")}
    assert [(s.vocabulary, s.code, s.percentage) for s in activity.sectors] == [
        ("2", "111", Decimal(50)),
        ("2", "112", Decimal(50)),
        ("99", "A1", Decimal(100)),
    ]
    assert [(c.code, c.percentage) for c in activity.recipient_countries] == [("AF", 25), ("AG", 25)]
    indicator = activity.results[0].indicators[0]
    assert indicator.measure == "1"
    assert indicator.baselines[0].year == 2012
    assert indicator.periods[0].targets[0].value == "10"
    assert indicator.periods[0].actuals[0].value == "11"
    assert activity.document_links[0].categories == ("A01",)
    assert activity.related_activities[0].ref == "AA-AAA-123456789-6789"
    assert activity.other_identifiers[0].type == "A1"
    transaction = activity.transactions[-1]
    assert (
        transaction.provider_org is not None
        and transaction.provider_org.activity_id == "BB-BBB-123456789-1234AA"
    )
    assert transaction.sectors[0].code == "111" and transaction.sectors[0].vocabulary == "2"
    assert transaction.recipient_country is not None and transaction.recipient_country.code == "TM"
    assert activity.start_date is not None and activity.end_date is not None


def test_iter_files_continues_after_a_bad_file() -> None:
    paths = [
        ACTIVITIES / "example_203_file.xml",
        ACTIVITIES / "dportal_140.xml.gz",
        ACTIVITIES / "dportal_97.xml.gz",
    ]
    items = list(iter_files(paths))
    errors = [i for i in items if isinstance(i, IatiError)]
    parsed = [i for i in items if isinstance(i, ParsedActivity)]
    assert len(errors) == 1 and isinstance(errors[0], NotXmlError)
    assert errors[0].file.endswith("dportal_140.xml.gz") and errors[0].line == 1
    assert len(parsed) == 113


def test_memory_is_released_as_activities_stream() -> None:
    # The element of an activity is cleared (and removed from the tree) once the DTO is built.
    lines = [p.line for p in iter_file(ACTIVITIES / "ict-sector-activities_dportal-covid-2021_v2.03.xml")]
    assert len(lines) == 167 and lines == sorted(lines)


@pytest.mark.parametrize("path", ORGANISATION_FILES, ids=lambda p: p.name)
def test_organisation_files(path: Path) -> None:
    (parsed,) = iter_organisation_file(path)
    organisation = parsed.organisation
    assert organisation is not None
    assert organisation.reporting_org is not None and organisation.reporting_org.ref
    assert organisation.display_name
    assert organisation.total_budgets
    assert all(b.value is not None and b.currency for b in organisation.total_budgets)


def test_organisation_fields() -> None:
    (parsed,) = iter_organisation_file(ORGANISATION_FILES[0])
    organisation = parsed.organisation
    assert organisation is not None
    assert organisation.organisation_identifier == "XM-LMH-7"
    assert organisation.display_name == "Ministry of Magic"  # trailing whitespace stripped
    assert [b.value for b in organisation.total_budgets] == [
        Decimal("2912507000"),
        Decimal("2851959000"),
        Decimal("2950867000"),
    ]
    assert {b.currency for b in organisation.total_budgets} == {"EUR"}
