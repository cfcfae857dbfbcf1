"""API authentication: a bearer token with scopes (Authorization: Bearer gbt_...) or the browser session.

Write endpoints use `auth=WRITE_AUTH`; the token must carry the `write` scope. Session requests go through
Django's CSRF check as usual; a caller who is not signed in at all gets 401 (not a CSRF 403), so a client
without credentials learns that it must authenticate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from gapbridge.accounts import tokens
from gapbridge.web.unavailable import unavailable_response


class TokenAuth(HttpBearer):
    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # BearerReadMiddleware has already looked this request's token up on reads
        found = getattr(request, "api_token", None) or tokens.authenticate(token)
        if found is None or self.scope not in found.scopes:
            return None
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class SessionAuth(NinjaSessionAuth):
    """Django's session, CSRF-checked; without a signed-in session it simply does not apply (then 401)."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


session_auth = SessionAuth()

READ_AUTH = [TokenAuth("read"), session_auth]
WRITE_AUTH = [TokenAuth("write"), session_auth]
IMPORT_AUTH = [TokenAuth("import"), session_auth]


class BearerReadMiddleware:
    """Reads on /api/ with a bearer token act as the token's user, on every route.

    Public GET routes take no `auth` (anyone may read them), so without this a token holder reading its own
    draft got 404 there while the session user did not. A token that is unknown, expired or revoked is
    refused with 401 rather than silently answered as anonymous; one without the `read` scope reads what the
    public reads. Writes are left to the routes' own `auth` (and its CSRF rules for sessions).
    """

    SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if (
            request.path.startswith("/api/")
            and request.method in self.SAFE
            and header[:7].lower() == "bearer "
        ):
            try:
                found = tokens.authenticate(header[7:].strip())
            except (OperationalError, InterfaceError) as exc:  # the database is down: 503, as in the views
                return unavailable_response(request, exc)
            if found is None:
                return JsonResponse(
                    {
                        "error": {
                            "code": "unauthenticated",
                            "message": _("the bearer token is unknown, expired or revoked"),
                        }
                    },
                    status=401,
                    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
            if "read" in found.scopes:  # a token without it reads what the public reads
                request.user = found.user
                request.api_token = found  # type: ignore[attr-defined]
        return self.get_response(request)
