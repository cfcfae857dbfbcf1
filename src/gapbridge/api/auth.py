"""API authentication: a bearer token with scopes (Authorization: Bearer gbt_...) or the browser session.

Write endpoints use `auth=WRITE_AUTH`; the token must carry the `write` scope. Session requests go through
Django's CSRF check as usual.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

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


READ_AUTH = [TokenAuth("read"), django_auth]
WRITE_AUTH = [TokenAuth("write"), django_auth]
IMPORT_AUTH = [TokenAuth("import"), django_auth]
