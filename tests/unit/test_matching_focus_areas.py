"""The focus-area vocabulary exists three times; this keeps them from drifting apart: the offers' Django
choices, the pure matcher's list and the data file the project registry maps DAC sectors with."""

from __future__ import annotations

import csv
from pathlib import Path

from gapbridge.domain.matching import FOCUS_AREAS
from gapbridge.offers.choices import FocusArea
from gapbridge.projects.focus import load_focus_map

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "focus-areas" / "focus-areas.csv"


def _csv_slugs() -> list[str]:
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        return [row["slug"] for row in csv.DictReader(handle)]


def test_offer_choices_carry_exactly_the_slugs_of_the_data_file() -> None:
    slugs = _csv_slugs()
    assert len(slugs) == len(set(slugs)) and slugs, "one row per focus area"
    assert sorted(FocusArea.values) == sorted(slugs)
    assert sorted(FOCUS_AREAS) == sorted(slugs)


def test_the_registry_reads_the_same_slugs_and_maps_sectors_only_to_them() -> None:
    focus_map = load_focus_map()
    assert sorted(focus_map.by_slug) == sorted(FocusArea.values)
    assert {rule.focus_area for rule in focus_map.rules} <= set(FocusArea.values)


def test_the_display_names_cover_every_slug_with_the_offers_wording() -> None:
    from gapbridge.countries.labels import FOCUS_AREA_NAMES

    assert sorted(FOCUS_AREA_NAMES) == sorted(_csv_slugs())
    assert {slug: str(name) for slug, name in FOCUS_AREA_NAMES.items()} == {
        choice.value: str(choice.label) for choice in FocusArea
    }
