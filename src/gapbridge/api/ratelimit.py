"""Rate limits on /api/: a fixed window per client (token prefix, else address), answered with 429.

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


def client_key(request: HttpRequest) -> tuple[str, int]:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer ") and len(header) > 19:
        return "t:" + header[7:19], settings.API_RATE_LIMIT_TOKEN
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return f"u:{request.user.pk}", settings.API_RATE_LIMIT_TOKEN
    return "a:" + str(request.META.get("REMOTE_ADDR", "?")), settings.API_RATE_LIMIT_ANONYMOUS


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
