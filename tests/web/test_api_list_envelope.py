"""Every paginated list of /api/v1 answers with the documented envelope: count, limit, offset, next and
results."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LISTS = (
    "/api/v1/countries",
    "/api/v1/offers",
    "/api/v1/needs",
    "/api/v1/events",
    "/api/v1/matches",
    "/api/v1/barriers",
    "/api/v1/analytics/alerts",
)


@pytest.mark.parametrize("path", LISTS)
def test_a_list_says_which_page_it_is(client: Client, path: str) -> None:
    response = client.get(path, {"limit": 2, "offset": 1})
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert {"count", "limit", "offset", "next", "results"} <= set(body)
    assert (body["limit"], body["offset"]) == (2, 1)
    assert len(body["results"]) <= 2


@pytest.mark.parametrize("path", ["/api/v1/offers", "/api/v1/needs", "/api/v1/events", "/api/v1/matches"])
def test_a_long_number_is_something_to_search_for(client: Client, path: str) -> None:
    response = client.get(path, {"q": "12345678901234567890123"})
    assert response.status_code == 200, response.content[:300]
