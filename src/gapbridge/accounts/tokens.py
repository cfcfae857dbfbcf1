"""Issuing, checking and revoking API tokens. The secret is shown once; only its hash is kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
    """Create a token for `user` (themselves, or anyone by the secretariat; ``actor`` None = the operator's
    command line); returns it and its secret."""
    if actor is not None:
        if not actor.is_authenticated:
            raise PermissionDenied(_("sign in to create API tokens"))
        if actor.pk != user.pk and not is_secretariat(actor):
            raise PermissionDenied(_("only the secretariat may create tokens for other users"))
    if not user.is_active:
        raise TokenError(_("%(user)s is not an active user") % {"user": user.get_username()})
    if not name.strip():
        raise TokenError(_("a token needs a name, to recognise it in the list"))
    unknown = sorted(set(scopes) - set(ApiToken.Scope.values))
    if unknown or not scopes:
        raise TokenError(
            _("scopes must be among %(known)s; got %(scopes)s")
            % {"known": ", ".join(ApiToken.Scope.values), "scopes": ", ".join(scopes) or "—"}
        )
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(_("a token lives 1 to %(max)s days; got %(days)s") % {"max": MAX_DAYS, "days": days})
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
    """Revoke a token (its user's own, or any by the secretariat; ``actor`` None = the command line).
    Revoking twice changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token_id)
    if actor is not None and (
        not actor.is_authenticated or (actor.pk != token.user_id and not is_secretariat(actor))
    ):
        raise PermissionDenied(_("you may revoke only your own tokens"))
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor, "update", token, after={"revoked_at": token.revoked_at}, reason="revoke token")
    return token


def of_user(user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked and expired ones included (the list says which)."""
    return list(ApiToken.objects.filter(user=user).order_by("-created_at"))
