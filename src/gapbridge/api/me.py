"""/api/v1/me: who the caller is (token or session), with roles and, for a token, its scopes and expiry."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from gapbridge.accounts.models import RoleAssignment
from gapbridge.api.auth import READ_AUTH

router = Router()


class RoleOut(Schema):
    role: str
    organization: str | None
    country: str | None


class MeOut(Schema):
    username: str
    roles: list[RoleOut]
    token_scopes: list[str] | None
    token_expires_at: dt.datetime | None


@router.get("/me", response=MeOut, auth=READ_AUTH, summary="The authenticated caller")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    token = getattr(request, "api_token", None)
    roles = [
        RoleOut(
            role=r.role,
            organization=r.organization.name if r.organization else None,
            country=r.economy.iso3 if r.economy else None,
        )
        for r in RoleAssignment.objects.filter(user__pk=user.pk or 0).select_related(
            "organization", "economy"
        )
    ]
    return MeOut(
        username=user.get_username(),
        roles=roles,
        token_scopes=list(token.scopes) if token else None,
        token_expires_at=token.expires_at if token else None,
    )
