"""The reference loader on the real bundled files: content, dated groups, idempotence, bad files refused."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import shutil
from pathlib import Path

import pytest

from gapbridge.accounts.models import Role
from gapbridge.countries import services as country_services
from gapbridge.countries.loading import load_reference
from gapbridge.countries.models import (
    CountryGroup,
    Economy,
    GroupMembership,
    LegalStatus,
    Observation,
    ReferenceLoad,
)
from gapbridge.countries.reference_files import ReferenceDataError
from tests import factories

pytestmark = pytest.mark.django_db


def is_member(iso3: str, group: str, on: str) -> bool:
    return Economy.objects.in_group_on(group, dt.date.fromisoformat(on)).filter(iso3=iso3).exists()


def test_all_world_bank_economies_and_no_aggregates() -> None:
    assert Economy.objects.count() == 218
    assert not Economy.objects.filter(iso3__in=["WLD", "LIC", "SSF", "EUU", "IDA"]).exists()
    kenya = Economy.objects.get(iso3="KEN")
    assert (kenya.iso2, kenya.m49, kenya.income_group, kenya.region) == ("KE", "404", "LM", "Africa")
    assert kenya.name_ar == "كينيا"
    assert kenya.latest_population is not None and kenya.latest_population > 40_000_000


@pytest.mark.parametrize(
    ("iso3", "on", "expected"),
    [
        ("NER", "2026-11-23", True),
        ("BTN", "2026-11-23", False),
        ("BTN", "2023-12-12", True),  # the day before graduation
        ("BTN", "2023-12-13", False),  # graduation day: no longer an LDC
        ("STP", "2026-11-23", False),
        ("STP", "2024-12-12", True),
        ("BGD", "2026-11-23", True),
        ("BGD", "2026-11-25", False),
        ("LAO", "2026-11-25", False),
        ("NPL", "2026-11-23", True),
        ("VUT", "2020-12-03", True),
        ("VUT", "2020-12-04", False),
        ("KEN", "2026-11-23", False),
    ],
)
def test_ldc_status_on_a_date(iso3: str, on: str, expected: bool) -> None:
    assert is_member(iso3, "ldc", on) is expected


def test_ldc_counts_follow_graduations() -> None:
    ldc = CountryGroup.objects.get(code="ldc")
    assert ldc.members_on(dt.date(2026, 11, 23)).count() == 44
    assert ldc.members_on(dt.date(2026, 11, 25)).count() == 41


def test_other_groups_have_dates_and_sources() -> None:
    assert is_member("KEN", "wto-member", "2026-01-01")
    assert not is_member("AFG", "wto-member", "2016-07-28")  # accession 2016-07-29
    assert is_member("AFG", "wto-member", "2016-07-29")
    assert is_member("GRC", "dco", "2024-02-01")
    assert not is_member("GRC", "dco", "2023-01-01")
    assert is_member("MLI", "lldc", "2026-11-23")
    assert is_member("FJI", "sids", "2026-11-23")
    assert is_member("NER", "income-l", "2026-11-23")
    assert all(m.source for m in GroupMembership.objects.all())


def test_observations_keep_indicator_country_year_value_source(reference_dir: Path) -> None:
    wdi = gzip.decompress((reference_dir / "indicators/wdi/it.cel.sets.p2.csv.gz").read_bytes()).decode()
    row = next(
        r for r in csv.DictReader(io.StringIO(wdi)) if r["Country Code"] == "KEN" and r["Year"] == "2020"
    )
    obs = Observation.objects.get(indicator__code="mobile_subscriptions", economy__iso3="KEN", year=2020)
    assert obs.value == float(row["Value"])
    assert "IT.CEL.SETS.P2" in obs.source
    assert LegalStatus.objects.filter(economy__iso3="KEN").count() == 5


def test_second_load_is_a_no_op_and_forced_reload_is_identical(reference_dir: Path) -> None:
    before = (Observation.objects.count(), GroupMembership.objects.count(), Economy.objects.count())
    assert load_reference(reference_dir).status == "unchanged"
    summary = load_reference(reference_dir, force=True)
    assert summary.status == "loaded"
    assert (Observation.objects.count(), GroupMembership.objects.count(), Economy.objects.count()) == before


def _copy(reference_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "reference"
    shutil.copytree(reference_dir, target)
    return target


def test_bad_value_names_file_line_column_and_loads_nothing(reference_dir: Path, tmp_path: Path) -> None:
    root = _copy(reference_dir, tmp_path)
    wdi = root / "indicators" / "wdi" / "it.cel.sets.p2.csv.gz"
    lines = gzip.decompress(wdi.read_bytes()).decode().splitlines()
    lines[4] = ",".join([*lines[4].split(",")[:-1], "lots"])
    wdi.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    counts = (Observation.objects.count(), ReferenceLoad.objects.count())
    with pytest.raises(ReferenceDataError) as raised:
        load_reference(root, force=True)
    assert raised.value.path.endswith("it.cel.sets.p2.csv.gz")
    assert (raised.value.line, raised.value.column) == (5, "Value")
    assert "not a number: 'lots'" in str(raised.value)
    assert (Observation.objects.count(), ReferenceLoad.objects.count()) == counts


def test_missing_column_is_refused(reference_dir: Path, tmp_path: Path) -> None:
    root = _copy(reference_dir, tmp_path)
    groups = root / "groups.csv"
    groups.write_text(groups.read_text().replace("source_url", "url", 1))
    with pytest.raises(ReferenceDataError, match=r"groups\.csv:1 column 'source_url': missing column"):
        load_reference(root, force=True)


def test_a_short_row_names_file_line_and_column_and_loads_nothing(
    reference_dir: Path, tmp_path: Path
) -> None:
    root = _copy(reference_dir, tmp_path)
    economies = next((root / "classifications").glob("*economies.csv"))
    lines = economies.read_text().splitlines()
    lines[5] = ",".join(lines[5].split(",")[:2])
    economies.write_text("\n".join(lines) + "\n")
    counts = (Economy.objects.count(), ReferenceLoad.objects.count())
    short = r"economies\.csv:6 column '\w+': fewer fields than the header"
    with pytest.raises(ReferenceDataError, match=short):
        load_reference(root, force=True)
    assert (Economy.objects.count(), ReferenceLoad.objects.count()) == counts


def test_secretariat_edit_survives_reload(reference_dir: Path) -> None:
    admin = factories.user("sec", Role.SECRETARIAT)
    country_services.set_membership(
        admin, "dco", "KEN", start_date=dt.date(2026, 1, 1), end_date=None, source="test: council decision"
    )
    load_reference(reference_dir, force=True)
    assert is_member("KEN", "dco", "2026-11-23")


def test_every_economy_has_a_name_in_every_language() -> None:
    missing = [
        (e.iso3, lang)
        for e in Economy.objects.all()
        for lang in ("fr", "es", "ar")
        if not getattr(e, f"name_{lang}")
    ]
    assert not missing
    assert Economy.objects.get(iso3="CHI").name_ar == "جزر القنال"
