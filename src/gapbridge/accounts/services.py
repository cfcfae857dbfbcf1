"""Writes on users and roles. Each runs in one transaction and is audited."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from gapbridge.accounts.models import Role, RoleAssignment
from gapbridge.accounts.permissions import Actor, require_secretariat
from gapbridge.audit import services as audit
from gapbridge.countries.models import Economy
from gapbridge.organizations.models import Organization


class AccountError(Exception):
    """A user or role request that cannot be carried out, with the reason."""


@transaction.atomic
def add_user(
    actor: Actor,
    username: str,
    email: str,
    password: str,
    *,
    role: str | None = None,
    organization: Organization | None = None,
    economy: Economy | None = None,
    bootstrap: bool = False,
) -> User:
    """Create a user (and optionally a role). `bootstrap` is for the CLI run by the operator."""
    if not bootstrap:
        require_secretariat(actor, "add users")
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise AccountError(f"a user named {username!r} already exists")
    user = user_model(username=username, email=email)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    audit.record(actor, "create", user, after={"username": username, "email": email}, reason="add user")
    if role:
        grant_role(actor, user, role, organization=organization, economy=economy, bootstrap=bootstrap)
    assert isinstance(user, User)
    return user


@transaction.atomic
def grant_role(
    actor: Actor,
    user: User,
    role: str,
    *,
    organization: Organization | None = None,
    economy: Economy | None = None,
    bootstrap: bool = False,
) -> RoleAssignment:
    if not bootstrap:
        require_secretariat(actor, "grant roles")
    if role not in Role.values:
        raise AccountError(f"unknown role {role!r}; choose one of {', '.join(Role.values)}")
    if role == Role.ORG_EDITOR and organization is None:
        raise AccountError("an organization editor needs an organization")
    if role == Role.FOCAL_POINT and economy is None:
        raise AccountError("a country focal point needs a country")
    assignment = RoleAssignment.objects.create(
        user=user,
        role=role,
        organization=organization if role == Role.ORG_EDITOR else None,
        economy=economy if role == Role.FOCAL_POINT else None,
    )
    audit.record(actor, "create", assignment, after=audit.snapshot(assignment), reason="grant role")
    if role == Role.SECRETARIAT:
        make_staff(user)
    return assignment


def make_staff(user: User) -> None:
    """The secretariat works in the admin too (its model permissions come from accounts.backends)."""
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
