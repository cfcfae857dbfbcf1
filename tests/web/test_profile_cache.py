"""Country profiles are cached, and the cache follows the data: an edit shows on the next request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gapbridge.countries.models import GroupMembership

pytestmark = pytest.mark.django_db


def _groups(client: Client, iso3: str) -> set[str]:
    response = client.get(f"/api/v1/countries/{iso3}")
    assert response.status_code == 200
    return {g["code"] for g in response.json()["groups"]}


def test_a_second_request_reads_the_cache_and_an_edit_of_the_groups_shows_at_once(client: Client) -> None:
    before = _groups(client, "KEN")
    assert "wto-member" in before
    with CaptureQueriesContext(connection) as cached:
        assert _groups(client, "KEN") == before
    assert len(cached.captured_queries) <= 2  # the version check (and nothing of the profile itself)

    # The secretariat ends Kenya's WTO membership yesterday (an edit, not a reload).
    membership = GroupMembership.objects.get(
        economy__iso3="KEN", group__code="wto-member", end_date__isnull=True
    )
    membership.end_date = dt.date.today() - dt.timedelta(days=1)
    membership.save()
    assert "wto-member" not in _groups(client, "KEN")

    # Deleting a membership shows too.
    GroupMembership.objects.filter(economy__iso3="KEN", group__code__startswith="income-").delete()
    assert not {g for g in _groups(client, "KEN") if g.startswith("income-")}


def test_the_page_and_the_api_agree_in_each_language(client: Client) -> None:
    english = client.get("/countries/CIV/").content.decode()
    french = client.get("/countries/CIV/", headers={"accept-language": "fr"}).content.decode()
    assert "Côte d’Ivoire" in english or "Côte d'Ivoire" in english
    api_fr = client.get("/api/v1/countries/CIV", headers={"accept-language": "fr"}).json()
    assert api_fr["name"] in french
    assert client.get("/countries/XXX/").status_code == 404
    assert client.get("/api/v1/countries/XXX").status_code == 404
