"""Who did something, as the public may see it: a role and what it speaks for, never an account's login name.

Histories store the acting account (``actor``) and its login name (``actor_label``, for the audit log);
pages, the API and exports show :func:`public_actor` instead, so sign-in names are not published (they would
help anyone guessing passwords) and a reporter who asked not to be named is not named through the history.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

from django.core.cache import cache
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

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
    """The public name of an account: "Secretariat", the organization an editor speaks for, "Focal point,
    Kenya"; "the platform" for work done by GapBridge itself (imports, derived data) and deleted accounts."""
    if actor_id is None:
        return _("the platform")
    # Histories repeat a few actors many times (a list of 500 matches): one lookup per actor and language a
    # minute, not one per row. A role change shows within that minute.
    key = f"gapbridge:public-actor:{actor_id}:{get_language()}"
    name: str | None = cache.get(key)
    if name is None:
        name = _describe(actor_id)
        cache.set(key, name, 60)
    return name


def _describe(actor_id: int) -> str:
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


def by(row: Any, hidden: Collection[int] = ()) -> str:
    """The public "by" of a history row or an update (``actor_id`` or ``author_id``); the accounts in `hidden`
    (a reporter who is not to be named, and the other editors of its organization, whose name would give it
    away) are "the reporter"."""
    actor_id = getattr(row, "actor_id", None)
    if actor_id is None:
        actor_id = getattr(row, "author_id", None)
    if actor_id is not None and actor_id in hidden:
        return _("the reporter")
    return public_actor(actor_id)


#: Reasons the platform writes with figures in them (barriers derived from the UNCTAD Cyberlaw Tracker):
#: the English pattern and its translatable template.
SYSTEM_PATTERNS = (
    (
        re.compile(r"^derived from the (?P<source>.+) \(snapshot of (?P<date>[0-9-]+)\): no legislation$"),
        gettext_noop("derived from the %(source)s (snapshot of %(date)s): no legislation"),
    ),
    (
        re.compile(r"^the (?P<source>.+) \((?P<date>[^()]+)\) now records legislation in this area$"),
        gettext_noop("the %(source)s (%(date)s) now records legislation in this area"),
    ),
    (
        re.compile(r"^the (?P<source>.+) \((?P<date>[^()]+)\) now records draft legislation in this area$"),
        gettext_noop("the %(source)s (%(date)s) now records draft legislation in this area"),
    ),
    (
        # offers seeded from a registry; the origin is one of OfferOrigin's labels (translated on its own)
        re.compile(r"^seeded from (?P<origin>[^:]+): (?P<url>\S*)$"),
        gettext_noop("seeded from %(origin)s: %(url)s"),
    ),
    (
        # a match suggested; the origin is one of MatchOrigin's labels
        re.compile(r"^suggested \((?P<origin>[^()]+)\)$"),
        gettext_noop("suggested (%(origin)s)"),
    ),
    (
        # a need moved by one of its matches (matches.services): the match's new status, then the reason
        re.compile(r"^match #(?P<match>\d+) (?P<match_status>[a-z_]+): (?P<said>.*)$", re.DOTALL),
        gettext_noop("match #%(match)s %(match_status)s: %(said)s"),
    ),
)


def _match_status(code: str) -> str:
    from gapbridge.matches.models import MatchStatus

    return str(MatchStatus(code).label).lower() if code in MatchStatus.values else code


#: groups of SYSTEM_PATTERNS that are platform words, not data: how each is put in the reader's language
TRANSLATED_GROUPS: dict[str, Callable[[str], str]] = {"origin": _, "match_status": _match_status}


def reason(text: str) -> str:
    """A history row's reason: the platform's own words translated, a person's as written."""
    if text in SYSTEM_REASONS:
        return _(text)
    for pattern, template in SYSTEM_PATTERNS:
        found = pattern.match(text)
        if found:
            parts = {k: TRANSLATED_GROUPS.get(k, str)(v) for k, v in found.groupdict().items()}
            return _(template) % parts
    return text
