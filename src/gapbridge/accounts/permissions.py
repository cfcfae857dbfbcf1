"""Object-level permissions: who may change what. Services call these before every write.

An object takes part by offering `owning_organization_id()` and/or `owning_country_id()`.
Secretariat administrators may change anything; organization editors what their organization owns;
country focal points what belongs to their country; everyone else only reads.
"""

from __future__ import annotations

from typing import Protocol

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gapbridge.accounts.models import Role, RoleAssignment


class PermissionDenied(Exception):
    """The actor may not perform this write; nothing was changed."""


class Owned(Protocol):
    def owning_organization_id(self) -> int | None: ...

    def owning_country_id(self) -> int | None: ...


Actor = AbstractBaseUser | AnonymousUser | None


def _assignments(actor: Actor) -> list[RoleAssignment]:
    if actor is None or not actor.is_authenticated or not getattr(actor, "is_active", False):
        return []
    cached: list[RoleAssignment] | None = getattr(actor, "_gapbridge_roles", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user_id=actor.pk))
        setattr(actor, "_gapbridge_roles", cached)  # noqa: B010 (per-request cache on the user object)
    return cached


def is_secretariat(actor: Actor) -> bool:
    if actor is not None and getattr(actor, "is_superuser", False) and actor.is_authenticated:
        return True
    return any(a.role == Role.SECRETARIAT for a in _assignments(actor))


def organization_ids(actor: Actor) -> set[int]:
    return {a.organization_id for a in _assignments(actor) if a.role == Role.ORG_EDITOR and a.organization_id}


def country_ids(actor: Actor) -> set[int]:
    return {a.economy_id for a in _assignments(actor) if a.role == Role.FOCAL_POINT and a.economy_id}


def can_edit(actor: Actor, obj: Owned) -> bool:
    if is_secretariat(actor):
        return True
    org_id = obj.owning_organization_id()
    if org_id is not None and org_id in organization_ids(actor):
        return True
    country_id = obj.owning_country_id()
    return country_id is not None and country_id in country_ids(actor)


#: What a refusal calls the objects it guards, in the reader's language.
KINDS = {
    "offer": gettext_noop("offer"),
    "need": gettext_noop("need"),
    "pledge": gettext_noop("pledge"),
    "pledgeflow": gettext_noop("pledge"),
    "organization": gettext_noop("organization"),
    "barrier": gettext_noop("barrier"),
}


def require_edit(actor: Actor, obj: Owned) -> None:
    """Refuse, naming the kind of object and its number only: its title may be a draft's, which the refused
    actor must not read."""
    if not can_edit(actor, obj):
        name = type(obj).__name__.lower()
        kind = _(KINDS[name]) if name in KINDS else name
        raise PermissionDenied(
            _("%(actor)s may not change %(kind)s #%(id)s")
            % {"actor": _label(actor), "kind": kind, "id": getattr(obj, "pk", "?")}
        )


def require_secretariat(actor: Actor, what: str) -> None:
    if not is_secretariat(actor):
        raise PermissionDenied(f"only the secretariat may {what}")


def _label(actor: Actor) -> str:
    if actor is None or not actor.is_authenticated:
        return _("an anonymous visitor")
    return _("user %(name)s") % {"name": repr(actor.get_username())}
