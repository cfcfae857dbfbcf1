"""Issuing, checking and revoking API tokens. The secret is shown once; only its hash is kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from gapbridge.accounts.models import ApiToken
from gapbridge.accounts.permissions import Actor, PermissionDenied, is_secretariat
from gapbridge.audit import services as audit

MAX_DAYS = 365
PREFIX = "gbt_"


class TokenError(Exception):
    """A token that cannot be issued, with the reason."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def issue(actor: Actor, user: User, name: str, scopes: list[str], days: int = 90) -> tuple[ApiToken, str]:
    """Create a token for `user` (themselves, or anyone by the secretariat); returns it and its secret."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("sign in to create API tokens")
    if actor.pk != user.pk and not is_secretariat(actor):
        raise PermissionDenied("only the secretariat may create tokens for other users")
    unknown = sorted(set(scopes) - set(ApiToken.Scope.values))
    if unknown or not scopes:
        raise TokenError(f"scopes must be among {', '.join(ApiToken.Scope.values)}; got {scopes!r}")
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(f"a token lives 1 to {MAX_DAYS} days; got {days}")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=secret[:12],
        digest=digest(secret),
        scopes=sorted(set(scopes)),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit.record(actor, "create", token, after={"name": token.name, "scopes": token.scopes, "user": user.pk})
    return token, secret


def authenticate(secret: str) -> ApiToken | None:
    """The live token behind `secret`, or None if unknown, revoked or expired."""
    if not secret.startswith(PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=digest(secret)).first()
    now = timezone.now()
    if token is None or token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def revoke(actor: Actor, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token_id)
    if (
        actor is None
        or not actor.is_authenticated
        or (actor.pk != token.user_id and not is_secretariat(actor))
    ):
        raise PermissionDenied("you may revoke only your own tokens")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor, "update", token, after={"revoked_at": token.revoked_at}, reason="revoke token")
    return token
