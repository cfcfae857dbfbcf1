"""Recipient countries' ISO3 codes are derived from the reference economies, not published content: an
import made before the reference data (or with other economies) is re-derived by the next import, whatever
the order, and the result is the database a fresh import gives."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from gapbridge.countries.models import Economy
from gapbridge.projects.models import Activity, RecipientCountry
from gapbridge.projects.rows import DERIVATION_VERSION, Prepared
from gapbridge.projects.storage import Existing, decide

from .test_projects_support import ACTIVITIES, run_import

pytestmark = pytest.mark.django_db


def _kenya() -> tuple[int, float]:
    rows = RecipientCountry.objects.filter(iso3="KEN", activity__is_primary=True)
    return rows.count(), float(rows.aggregate(s=Sum("percentage"))["s"] or 0)


def test_activities_imported_before_the_reference_economies_are_re_derived() -> None:
    fresh = run_import([ACTIVITIES]).as_dict()
    expected = _kenya()
    assert expected[0] > 10
    Activity.objects.all().delete()
    # as if the reference data were not loaded yet: Kenya has no ISO2 code, so KE maps to nothing
    Economy.objects.filter(iso3="KEN").update(iso2="")
    before = run_import([ACTIVITIES]).as_dict()
    assert before["activities"]["new"] == fresh["activities"]["new"]
    assert _kenya()[0] == 0 and RecipientCountry.objects.filter(code="KE", iso3="").exists()
    Economy.objects.filter(iso3="KEN").update(iso2="KE")
    again = run_import([ACTIVITIES]).as_dict()
    assert again["activities"]["skipped"] == fresh["activities"]["skipped"], "no version is lost to a tie"
    assert again["activities"]["updated"] > 0
    assert _kenya() == expected, "the same rows as a fresh import"
    third = run_import([ACTIVITIES]).as_dict()
    assert third["activities"]["updated"] == 0 and third["activities"]["new"] == 0


def test_a_stored_hash_of_an_older_definition_does_not_decide_a_tie() -> None:
    current = f"{DERIVATION_VERSION}:rates:focus:places"
    candidate = Prepared("XM-1", "XM", None, "0" * 64, current, None, ())

    def stored(derivation: str) -> Existing:
        return Existing(
            id=1, last_updated=None, content_hash="f" * 64, derivation=derivation, first_imported_at=None
        )

    assert decide(candidate, stored("1:rates:focus")) == "updated", "an older definition's hash is replaced"
    assert decide(candidate, stored(current)) == "skipped", "within one definition the larger hash wins"
