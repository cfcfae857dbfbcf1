"""API authentication: a bearer token with scopes (Authorization: Bearer gbt_...) or the browser session.

Write endpoints use `auth=WRITE_AUTH`; the token must carry the `write` scope. Session requests go through
Django's CSRF check as usual; a caller who is not signed in at all gets 401 (not a CSRF 403), so a client
without credentials learns that it must authenticate.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from gapbridge.accounts import tokens


class TokenAuth(HttpBearer):
    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = tokens.authenticate(token)
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
