"""Barrier and pledge focus areas are the registry's vocabulary (data/focus-areas/focus-areas.csv)."""

from __future__ import annotations

import pytest

from gapbridge.barriers import focus


def test_slugs_used_in_code_exist_in_the_data_file() -> None:
    slugs = set(focus.focus_slugs())
    assert {focus.ECOMMERCE, focus.DATA_REGULATION, focus.EMERGING_TECH} <= slugs
    assert len(slugs) == 9


def test_clean_orders_deduplicates_and_names_unknown_values() -> None:
    assert focus.clean_focus_areas(["digital-skills", "connectivity-infrastructure", "digital-skills"]) == [
        "connectivity-infrastructure",
        "digital-skills",
    ]
    assert focus.clean_focus_areas(None) == []
    with pytest.raises(ValueError, match=r"unknown focus area.*space-travel"):
        focus.clean_focus_areas(["space-travel"])
    assert focus.focus_labels(["digital-skills"]) == ["Digital skills"]
