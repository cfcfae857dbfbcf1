"""API rate limits: only a valid token gets the token bucket, and anonymous clients are counted by their own
address (X-Forwarded-For only from trusted proxies), not all together by the proxy's."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from gapbridge.accounts import tokens
from gapbridge.accounts.models import ApiToken
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/groups"
ATTACKER = "203.0.113.1"
OTHER = "198.51.100.7"
PROXY = "127.0.0.1"
LIMITS = {"API_RATE_LIMIT_ANONYMOUS": 3, "API_RATE_LIMIT_TOKEN": 5}


def _get(client: Client, **extra: Any) -> Any:
    return client.get(URL, **extra)


def _bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@override_settings(**LIMITS)
@pytest.mark.parametrize(
    "secret",
    [secrets.token_hex(12), "gbt_" + secrets.token_urlsafe(32), "gbt_", ""],
    ids=["random", "made-up gbt_", "prefix only", "empty"],
)
def test_an_invented_bearer_counts_as_its_address(secret: str) -> None:
    client = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(3):
        assert _get(client).status_code == 200
    invented = _get(client, **_bearer(secret))
    assert invented.status_code == 429, "a made-up token must not open a fresh bucket"


@override_settings(**LIMITS)
def test_each_invented_bearer_shares_the_anonymous_bucket() -> None:
    client = Client(REMOTE_ADDR=ATTACKER)
    answers = [_get(client, **_bearer(secrets.token_hex(12))) for _ in range(5)]
    # counted in the address's bucket (3 here), and each refused as unknown (401) while the bucket lasts
    assert [r.status_code for r in answers] == [401, 401, 401, 429, 429]
    assert answers[0]["X-RateLimit-Limit"] == "3"


@override_settings(**LIMITS)
def test_a_valid_token_has_its_own_bucket_by_token() -> None:
    user = factories.user("ed")
    _, first = tokens.issue(user, user, "one", ["read"])
    _, second = tokens.issue(user, user, "two", ["read"])
    client = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(3):
        assert _get(client).status_code == 200
    assert _get(client).status_code == 429
    answers = [_get(client, **_bearer(first)) for _ in range(6)]
    assert [r.status_code for r in answers] == [200] * 5 + [429]
    assert answers[0]["X-RateLimit-Limit"] == "5"
    assert _get(client, **_bearer(second)).status_code == 200, "another token, another bucket"


@override_settings(**LIMITS)
def test_revoked_or_expired_tokens_count_as_their_address() -> None:
    user = factories.user("ed")
    revoked, revoked_secret = tokens.issue(user, user, "gone", ["read"])
    tokens.revoke(user, revoked.pk)
    expired, expired_secret = tokens.issue(user, user, "old", ["read"])
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    client = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(3):
        assert _get(client).status_code == 200
    assert _get(client, **_bearer(revoked_secret)).status_code == 429
    assert _get(client, **_bearer(expired_secret)).status_code == 429


@override_settings(**LIMITS)
def test_a_valid_token_is_looked_up_once_a_while(django_assert_max_num_queries: Any) -> None:
    user = factories.user("ed")
    _, secret = tokens.issue(user, user, "one", ["read"])
    client = Client(REMOTE_ADDR=ATTACKER)
    assert _get(client, **_bearer(secret)).status_code == 200
    from gapbridge.api import ratelimit

    assert ratelimit._token_id(secret) is not None
    with django_assert_max_num_queries(0):
        assert ratelimit._token_id(secret) is not None


@override_settings(**LIMITS)
def test_signed_in_session_has_the_user_bucket() -> None:
    client = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(3):
        assert _get(client).status_code == 200
    client.force_login(factories.user("ed"))
    response = _get(client)
    assert response.status_code == 200 and response["X-RateLimit-Limit"] == "5"


@override_settings(**LIMITS)
def test_forwarded_for_is_ignored_without_the_proxy_setting() -> None:
    for i in range(3):
        forged = Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
        assert _get(forged).status_code == 200
    assert _get(Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=OTHER)).status_code == 429
    assert _get(Client(REMOTE_ADDR=OTHER)).status_code == 200


@override_settings(TRUSTED_PROXIES=1, **LIMITS)
def test_behind_a_proxy_each_client_has_its_own_bucket() -> None:
    def via_proxy(forwarded: str) -> Client:
        return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)

    for _ in range(3):
        assert _get(via_proxy(ATTACKER)).status_code == 200
    assert _get(via_proxy(ATTACKER)).status_code == 429
    assert _get(via_proxy(f"{OTHER}, {ATTACKER}")).status_code == 429, "the client's own entry is ignored"
    assert _get(via_proxy(OTHER)).status_code == 200, "another client is not limited by the first"


@override_settings(**LIMITS)
def test_an_ipv6_64_is_one_client() -> None:
    for i in range(3):
        assert _get(Client(REMOTE_ADDR=f"2001:db8:1:2::{i + 1}")).status_code == 200
    assert _get(Client(REMOTE_ADDR="2001:db8:1:2::ff")).status_code == 429
    assert _get(Client(REMOTE_ADDR="2001:db8:1:3::1")).status_code == 200
