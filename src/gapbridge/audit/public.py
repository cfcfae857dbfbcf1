"""Who did something, as the public may see it: a role and what it speaks for, never an account's login name.

Histories store the acting account (``actor``) and its login name (``actor_label``, for the audit log);
pages, the API and exports show :func:`public_actor` instead, so sign-in names are not published (they would
help anyone guessing passwords) and a reporter who asked not to be named is not named through the history.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gapbridge.accounts.models import Role, RoleAssignment

#: Reasons the platform itself writes into histories (in English, as records); pages show them translated.
#: What people write as a reason is shown as written.
SYSTEM_REASONS = frozenset(
    {
        gettext_noop("created"),
        gettext_noop("reported"),
        gettext_noop("recorded"),
        gettext_noop("batch assignment"),
        gettext_noop("invited"),
        gettext_noop("registered by the secretariat"),
        gettext_noop("applied"),
        gettext_noop("mutual interest"),
        gettext_noop("asked"),
        gettext_noop("asked again"),
        gettext_noop("derived from the Gap Index pillar scores"),
        gettext_noop("again among the weakest pillars"),
        gettext_noop("no longer among the weakest pillars"),
        gettext_noop("raised as a need"),
    }
)

#: which role names an account that holds several
PRIORITY = {Role.SECRETARIAT: 0, Role.ORG_EDITOR: 1, Role.FOCAL_POINT: 2}


def public_actor(actor_id: int | None) -> str:
    """ "Secretariat", the organization an editor speaks for, "Focal point, Kenya", or "the platform" for work
    done by GapBridge itself (imports, derived data) and for accounts since deleted."""
    if actor_id is None:
        return _("the platform")
    roles = sorted(
        RoleAssignment.objects.filter(user_id=actor_id).select_related("organization", "economy"),
        key=lambda r: (PRIORITY.get(Role(r.role), 9), r.pk),
    )
    if not roles:
        return _("a registered user")
    role = roles[0]
    if role.role == Role.SECRETARIAT:
        return _("Secretariat")
    if role.role == Role.ORG_EDITOR and role.organization is not None:
        return role.organization.name
    if role.economy is not None:
        return _("Focal point, %(country)s") % {"country": role.economy.name}
    return _("a registered user")


def by(row: Any, hidden_actor_id: int | None = None) -> str:
    """The public "by" of a history row or an update (``actor_id`` or ``author_id``); the account
    `hidden_actor_id` (a reporter who is not to be named) is "the reporter"."""
    actor_id = getattr(row, "actor_id", None)
    if actor_id is None:
        actor_id = getattr(row, "author_id", None)
    if hidden_actor_id is not None and actor_id == hidden_actor_id:
        return _("the reporter")
    return public_actor(actor_id)


def reason(text: str) -> str:
    """A history row's reason: the platform's own words translated, a person's as written."""
    return _(text) if text in SYSTEM_REASONS else text
