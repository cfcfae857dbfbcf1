"""Rate limits on /api/: a fixed window per client, answered with 429.

The client is a valid API token (its own bucket, at the token limit), else the signed-in session's user
(token limit), else the client address (anonymous limit; behind a reverse proxy the address comes from
`X-Forwarded-For` as `TRUSTED_PROXIES` says, see web/client.py). A bearer header that is not a valid token
counts as the address: inventing tokens does not buy new buckets.

Counters live in the default cache (per process with the local-memory cache; set GAPBRIDGE_REDIS_URL to
share them across workers in production).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from gapbridge.accounts import tokens
from gapbridge.web.client import client_bucket
from gapbridge.web.unavailable import UNAVAILABLE

# How long a valid token's lookup is remembered: a token revoked meanwhile keeps its bucket that long (the
# API's authentication still refuses it at once); unknown tokens are not remembered.
TOKEN_CACHE_SECONDS = 60


def _token_id(secret: str) -> int | None:
    """The id of the live API token `secret`, or None if it is not one."""
    if not secret.startswith(tokens.PREFIX):
        return None
    cache_key = "ratelimit-token:" + tokens.digest(secret)
    cached = cache.get(cache_key)
    if isinstance(cached, int):
        return cached
    try:
        token = tokens.authenticate(secret)
    except UNAVAILABLE:  # the database is down: the view answers 503; count the request as anonymous
        return None
    if token is None:
        return None
    cache.set(cache_key, token.pk, timeout=TOKEN_CACHE_SECONDS)
    return token.pk


def client_key(request: HttpRequest) -> tuple[str, int]:
    header = str(request.headers.get("Authorization", ""))
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() == "bearer":
        token_id = _token_id(secret)
        if token_id is not None:
            return f"t:{token_id}", settings.API_RATE_LIMIT_TOKEN
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return f"u:{request.user.pk}", settings.API_RATE_LIMIT_TOKEN
    return "a:" + client_bucket(request), settings.API_RATE_LIMIT_ANONYMOUS


class ApiRateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") or not settings.API_RATE_LIMIT_ENABLED:
            return self.get_response(request)
        who, limit = client_key(request)
        window = int(time.time() // 60)
        # Hashed: a client-chosen header must not reach the cache key as it is (any bytes, any length).
        key = f"ratelimit:{hashlib.sha256(who.encode()).hexdigest()[:32]}:{window}"
        count = cache.get_or_set(key, 0, timeout=90)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, timeout=90)
            count = 1
        if count > limit:
            limited = JsonResponse(
                {
                    "error": {
                        "code": "rate_limited",
                        "message": _("more than %(limit)s requests a minute; slow down") % {"limit": limit},
                    }
                },
                status=429,
            )
            limited["Retry-After"] = str(60 - int(time.time()) % 60)
            return limited
        response = self.get_response(request)
        response["X-RateLimit-Limit"] = str(limit)
        response["X-RateLimit-Remaining"] = str(max(0, limit - count))
        return response
