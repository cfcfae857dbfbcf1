"""Health checks and link checkers send HEAD: every page that answers GET answers HEAD too, without a body."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/healthz",
        "/",
        "/countries/",
        "/offers/",
        "/needs/",
        "/barriers/",
        "/projects/",
        "/events/",
        "/api/v1/countries",
        "/api/v1/offers",
    ],
)
def test_head_answers_like_get(client: Client, path: str) -> None:
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == get.status_code == 200, path
    assert head["Content-Type"] == get["Content-Type"]
