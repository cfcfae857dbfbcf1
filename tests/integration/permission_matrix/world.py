"""The actors of the matrix and the two sides of every object: "own" is country A / organisation P,
"other" is country B / organisation Q.

Each write's builder makes its objects belong to A or P; the actors then differ in whose side they are on:
a focal point of A (own) or B (other), an editor of P (own) or Q (other), the secretariat, a signed-in user
with no role, an anonymous visitor. API writes are also tried with tokens that must not work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.auth.models import User
from django.utils import timezone

from gapbridge.accounts.models import ApiToken, Role
from gapbridge.accounts.tokens import digest
from gapbridge.countries.models import Economy
from gapbridge.organizations.models import Organization
from tests import factories

OWN_COUNTRY = "KEN"
OTHER_COUNTRY = "NER"

ANONYMOUS = "anonymous"
USER = "user(no role)"
FOCAL_OWN = "focal_point(own)"
FOCAL_OTHER = "focal_point(other)"
PROVIDER_OWN = "provider(own)"
PROVIDER_OTHER = "provider(other)"
SECRETARIAT = "secretariat"

#: Signed-in and anonymous roles, for pages and the API alike.
ROLES: tuple[str, ...] = (ANONYMOUS, USER, FOCAL_OWN, FOCAL_OTHER, PROVIDER_OWN, PROVIDER_OTHER, SECRETARIAT)
SIGNED_IN = frozenset(ROLES) - {ANONYMOUS}

#: Credentials that must never write, whoever they belong to (all belong to the secretariat here).
TOKEN_WITHOUT_WRITE = "token(read+import, no write)"
TOKEN_EXPIRED = "token(expired)"
TOKEN_REVOKED = "token(revoked)"
SESSION_WITHOUT_CSRF = "secretariat(session, no CSRF token)"
#: The API through the browser session (with the CSRF token) instead of a token: judged as the secretariat.
SESSION_WITH_CSRF = "secretariat(session + CSRF token)"
API_BAD_CREDENTIALS: tuple[str, ...] = (TOKEN_WITHOUT_WRITE, TOKEN_EXPIRED, TOKEN_REVOKED)
API_ACTORS: tuple[str, ...] = (*ROLES, *API_BAD_CREDENTIALS, SESSION_WITH_CSRF, SESSION_WITHOUT_CSRF)
PAGE_ACTORS: tuple[str, ...] = (*ROLES, SESSION_WITHOUT_CSRF)


@dataclass
class World:
    country: Economy
    other_country: Economy
    org: Organization
    other_org: Organization
    users: dict[str, User]
    secrets: dict[str, str] = field(default_factory=dict)

    def user(self, actor: str) -> User | None:
        if actor in (SESSION_WITHOUT_CSRF, SESSION_WITH_CSRF):
            return self.users[SECRETARIAT]
        return self.users.get(actor)


def _token(user: User, name: str, scopes: list[str], *, expired: bool = False, revoked: bool = False) -> str:
    # Made directly (not through tokens.issue) so the matrix controls expiry; last_used_at is set so that
    # authenticating does not touch the row during a request, and the snapshot measures only the write.
    secret = f"gbt_matrix-{name}-{user.pk}-0123456789abcdef"
    now = timezone.now()
    ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:12],
        digest=digest(secret),
        scopes=scopes,
        expires_at=now - dt.timedelta(days=1) if expired else now + dt.timedelta(days=30),
        revoked_at=now - dt.timedelta(hours=1) if revoked else None,
        last_used_at=now,
    )
    return secret


def _user(username: str, role: str | None = None, **scope: Any) -> User:
    return cast(User, factories.user(username, role, **scope))


def build() -> World:
    org = factories.organization("Matrix Own Provider", "XM-MATRIX-P")
    other_org = factories.organization("Matrix Other Provider", "XM-MATRIX-Q")
    users: dict[str, User] = {
        USER: _user("m-user"),
        FOCAL_OWN: _user("m-focal-own", Role.FOCAL_POINT, iso3=OWN_COUNTRY),
        FOCAL_OTHER: _user("m-focal-other", Role.FOCAL_POINT, iso3=OTHER_COUNTRY),
        PROVIDER_OWN: _user("m-provider-own", Role.ORG_EDITOR, organization=org),
        PROVIDER_OTHER: _user("m-provider-other", Role.ORG_EDITOR, organization=other_org),
        SECRETARIAT: _user("m-secretariat", Role.SECRETARIAT),
    }
    world = World(
        country=Economy.objects.get(iso3=OWN_COUNTRY),
        other_country=Economy.objects.get(iso3=OTHER_COUNTRY),
        org=org,
        other_org=other_org,
        users=users,
    )
    for actor, account in users.items():
        world.secrets[actor] = _token(account, f"write-{account.pk}", ["read", "write"])
    sec = users[SECRETARIAT]
    world.secrets[TOKEN_WITHOUT_WRITE] = _token(sec, "readonly", ["read", "import"])
    world.secrets[TOKEN_EXPIRED] = _token(sec, "expired", ["read", "write"], expired=True)
    world.secrets[TOKEN_REVOKED] = _token(sec, "revoked", ["read", "write"], revoked=True)
    return world
