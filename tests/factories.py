"""Small factories for users, organizations and roles (deterministic, no randomness)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser

from gapbridge.accounts.models import Role, RoleAssignment
from gapbridge.countries.models import Economy
from gapbridge.organizations.models import Organization

PASSWORD = "correct-horse-battery-staple"


def user(
    username: str,
    role: str | None = None,
    *,
    organization: Organization | None = None,
    iso3: str | None = None,
) -> AbstractUser:
    account = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password=PASSWORD
    )
    if role:
        RoleAssignment.objects.create(
            user=account,
            role=role,
            organization=organization if role == Role.ORG_EDITOR else None,
            economy=Economy.objects.get(iso3=iso3) if role == Role.FOCAL_POINT and iso3 else None,
        )
    assert isinstance(account, AbstractUser)
    return account


def organization(name: str, iati_ref: str | None = None) -> Organization:
    return Organization.objects.create(name=name, iati_ref=iati_ref)
