"""Security: headers, no inline script, sign-in throttling, API tokens and rate limits, deploy checks."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from gapbridge.accounts import tokens
from gapbridge.accounts.models import ApiToken, Role
from gapbridge.accounts.permissions import PermissionDenied
from tests import factories

pytestmark = pytest.mark.django_db
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()


@pytest.mark.parametrize(
    "url", ["/", "/countries/", "/countries/KEN/", "/compare/?c=KEN&c=NER", "/accounts/login/"]
)
def test_pages_have_csp_and_no_inline_script(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"
    assert not INLINE_SCRIPT.search(response.content.decode()), "inline <script> would be blocked by the CSP"


def test_forms_need_csrf() -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/accounts/login/", {"username": "x", "password": "y"}).status_code == 403


def test_sign_in_is_throttled_after_repeated_failures(client: Client) -> None:
    factories.user("amina")
    for _ in range(5):
        assert client.post("/accounts/login/", {"username": "amina", "password": "wrong"}).status_code == 200
    locked = client.post("/accounts/login/", {"username": "amina", "password": factories.PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    cache.clear()
    ok = client.post("/accounts/login/", {"username": "amina", "password": factories.PASSWORD})
    assert ok.status_code == 302


def test_token_with_scope_authenticates_and_hash_only_is_stored(client: Client) -> None:
    user = factories.user("ed", Role.FOCAL_POINT, iso3="KEN")
    token, secret = tokens.issue(user, user, "script", ["read"], days=30)
    assert secret not in token.digest and token.digest == tokens.digest(secret)
    body = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert body["username"] == "ed" and body["token_scopes"] == ["read"]
    assert body["roles"] == [{"role": "focal_point", "organization": None, "country": "KEN"}]


def test_missing_wrong_expired_or_revoked_tokens_are_refused(client: Client) -> None:
    user = factories.user("ed")
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer gbt_nope").status_code == 401
    _, write_only = tokens.issue(user, user, "w", ["write"])
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {write_only}").status_code == 401
    token, secret = tokens.issue(user, user, "r", ["read"])
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    token2, secret2 = tokens.issue(user, user, "r2", ["read"])
    tokens.revoke(user, token2.pk)
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret2}")
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"


def test_token_rules() -> None:
    user, other = factories.user("a"), factories.user("b")
    with pytest.raises(PermissionDenied):
        tokens.issue(user, other, "x", ["read"])
    with pytest.raises(tokens.TokenError):
        tokens.issue(user, user, "x", ["admin"])
    with pytest.raises(tokens.TokenError):
        tokens.issue(user, user, "x", ["read"], days=1000)
    secretariat = factories.user("sec", Role.SECRETARIAT)
    assert tokens.issue(secretariat, other, "for b", ["read"])[0].user == other


@override_settings(API_RATE_LIMIT_ANONYMOUS=3)
def test_api_rate_limit_answers_429_in_the_envelope(client: Client) -> None:
    for _ in range(3):
        assert client.get("/api/v1/groups").status_code == 200
    limited = client.get("/api/v1/groups")
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited" and int(limited["Retry-After"]) > 0
    assert client.get("/").status_code == 200, "pages are not rate limited by the API limiter"


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("GAPBRIDGE_")} | env
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = _manage(
        {
            "GAPBRIDGE_ENV": "production",
            "GAPBRIDGE_SECRET_KEY": "k" * 20 + "9Z!x" * 10 + "q" * 10,
            "GAPBRIDGE_ALLOWED_HOSTS": "gapbridge.example.org",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "secret", [None, "short", "dev-only-insecure-secret-key-never-used-in-production-0123456789"]
)
def test_production_refuses_to_start_without_a_real_secret(secret: str | None) -> None:
    env = {"GAPBRIDGE_ENV": "production", "GAPBRIDGE_ALLOWED_HOSTS": "gapbridge.example.org"}
    if secret is not None:
        env["GAPBRIDGE_SECRET_KEY"] = secret
    result = _manage(env, "check")
    assert result.returncode != 0
    assert "GAPBRIDGE_SECRET_KEY must be set" in result.stderr
