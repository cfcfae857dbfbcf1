"""parse -> write -> validate against the official 2.03 XSD -> parse again -> the same DTOs."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from gapbridge.iati.dto import (
    ActivityDate,
    ActivityDTO,
    Narrative,
    OrganisationDTO,
    ParticipatingOrg,
    ReportingOrg,
    Transaction,
)
from gapbridge.iati.errors import UnwritableActivityError
from gapbridge.iati.findings import FindingCode
from gapbridge.iati.parser import iter_file, iter_organisation_file
from gapbridge.iati.schema import validate_file
from gapbridge.iati.writer import prepare_for_write, write_activities, write_organisations

from .conftest import ACTIVITIES, ACTIVITY_FILES, EXAMPLE_ACTIVITY, ORGANISATION_FILES

STAMP = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)

#: Activities per bundled file that the 2.03 schema cannot take (no activity-date at all).
UNWRITABLE = {"dportal_97.xml.gz": {"XM-DAC-2-10-3015", "XM-DAC-2-10-3052"}}


def write(activities: list[ActivityDTO], **options: object) -> bytes:
    out = io.BytesIO()
    write_activities(activities, out, generated_datetime=STAMP, **options)  # type: ignore[arg-type]
    return out.getvalue()


@pytest.mark.parametrize("path", [*ACTIVITY_FILES, EXAMPLE_ACTIVITY], ids=lambda p: p.name)
def test_round_trip_validates_and_preserves_every_modelled_field(path: Path) -> None:
    original = [p.activity for p in iter_file(path) if p.activity is not None]
    skipped: list[UnwritableActivityError] = []
    data = write(original, on_unwritable=skipped.append)

    assert validate_file(io.BytesIO(data), "2.03", name="out.xml") == []

    expected_unwritable = UNWRITABLE.get(path.name, set())
    assert {e.message.split("'")[1] for e in skipped} == expected_unwritable
    writable = [a for a in original if a.iati_identifier not in expected_unwritable]
    again = [p.activity for p in iter_file(io.BytesIO(data), name="out.xml")]
    assert len(again) == len(writable)
    for before, after in zip(writable, again, strict=True):
        prepared, _dropped = prepare_for_write(before)
        assert after == prepared
        # Beyond the documented normalisations, nothing changed:
        assert after == dataclasses.replace(
            before,
            version="2.03",
            participating_orgs=after.participating_orgs,
            other_identifiers=after.other_identifiers,
            budgets=after.budgets,
            planned_disbursements=after.planned_disbursements,
            transactions=after.transactions,
            document_links=after.document_links,
            related_activities=after.related_activities,
            results=after.results,
        )


def test_round_trip_is_lossless_for_complete_2_03_data() -> None:
    for path in (EXAMPLE_ACTIVITY, ACTIVITIES / "example_203_file.xml"):
        original = [p.activity for p in iter_file(path) if p.activity is not None]
        again = [p.activity for p in iter_file(io.BytesIO(write(original)))]
        assert again == [dataclasses.replace(a, version="2.03") for a in original]


def test_second_round_trip_is_identical_bytes() -> None:
    original = [p.activity for p in iter_file(ACTIVITIES / "dportal_97.xml.gz") if p.activity]
    original = [a for a in original if a.activity_dates]  # the two without dates are unwritable
    first = write(original)
    second = write([p.activity for p in iter_file(io.BytesIO(first)) if p.activity])
    assert first == second


def test_what_the_serializer_leaves_out_is_reported() -> None:
    activities = [p.activity for p in iter_file(ACTIVITIES / "legacy-v1_CD.xml.gz") if p.activity]
    notes = [n for a in activities for n in prepare_for_write(a)[1]]
    assert {n.code for n in notes} == {FindingCode.NOT_WRITTEN}
    messages = {n.message for n in notes}
    assert "no @type (1.x data)" in messages  # 1.x other-identifier has no @type


def test_missing_value_dates_default_to_the_transaction_date() -> None:
    activity = minimal(
        transactions=(Transaction("3", date(2020, 5, 1), Decimal("1.5"), "EUR", None),),
    )
    prepared, notes = prepare_for_write(activity)
    assert notes == []
    assert prepared.transactions[0].value_date == date(2020, 5, 1)
    (again,) = iter_file(io.BytesIO(write([activity])))
    assert again.activity == prepared


def minimal(**fields: object) -> ActivityDTO:
    base = ActivityDTO(
        iati_identifier="XX-1",
        reporting_org=ReportingOrg("XX", "10", (Narrative("Org", "en"),)),
        titles=(Narrative("Title", "en"),),
        participating_orgs=(ParticipatingOrg("1", "XX"),),
        activity_status="2",
        activity_dates=(ActivityDate("1", date(2020, 1, 1)),),
    )
    return dataclasses.replace(base, **fields)  # type: ignore[arg-type]


def test_minimal_activity_validates_with_an_empty_description() -> None:
    data = write([minimal()])
    assert validate_file(io.BytesIO(data)) == []
    root = etree.fromstring(data)
    assert root.get("version") == "2.03" and root.get("generated-datetime") == "2024-01-02T03:04:05+00:00"
    (again,) = iter_file(io.BytesIO(data))
    assert again.activity == dataclasses.replace(minimal(), version="2.03")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"reporting_org": None}, "reporting-org"),
        ({"reporting_org": ReportingOrg("XX", None)}, "reporting-org"),
        ({"activity_status": None}, "activity-status"),
        ({"activity_dates": ()}, "activity-date"),
        ({"participating_orgs": (ParticipatingOrg(None, "XX"),)}, "participating-org"),
    ],
)
def test_unwritable_activities(change: dict[str, object], reason: str) -> None:
    activity = minimal(**change)
    with pytest.raises(UnwritableActivityError) as caught:
        write([activity])
    assert reason in caught.value.message and "XX-1" in caught.value.message
    skipped: list[UnwritableActivityError] = []
    write([activity, minimal()], on_unwritable=skipped.append)
    assert len(skipped) == 1


def test_control_characters_in_hand_built_dtos_do_not_break_the_xml() -> None:
    data = write([minimal(titles=(Narrative("bad\x00\x1f text", "en"),))])
    (again,) = iter_file(io.BytesIO(data))
    assert again.activity is not None and again.activity.titles == (Narrative("bad text", "en"),)


def test_write_to_a_path(tmp_path: Path) -> None:
    target = tmp_path / "out.xml"
    write_activities([minimal()], target, generated_datetime=STAMP)
    assert validate_file(target) == []


@pytest.mark.parametrize("path", ORGANISATION_FILES, ids=lambda p: p.name)
def test_organisation_round_trip(path: Path) -> None:
    original = [p.organisation for p in iter_organisation_file(path) if p.organisation]
    out = io.BytesIO()
    write_organisations(original, out, generated_datetime=STAMP)
    assert validate_file(io.BytesIO(out.getvalue())) == []
    again = [p.organisation for p in iter_organisation_file(io.BytesIO(out.getvalue()))]
    assert again == [dataclasses.replace(o, version="2.03") for o in original]


def test_unwritable_organisation() -> None:
    organisation = OrganisationDTO("XX", reporting_org=None)
    with pytest.raises(UnwritableActivityError):
        write_organisations([organisation], io.BytesIO())
