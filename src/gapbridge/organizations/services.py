"""Writes on organizations: checked against the actor's roles, done in one transaction, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gapbridge.accounts.permissions import Actor, require_edit, require_secretariat
from gapbridge.audit import services as audit
from gapbridge.organizations.models import Organization

EDITABLE_FIELDS = frozenset({"name", "iati_ref", "org_type", "country", "website", "description"})


class OrganizationError(Exception):
    """An organization change that cannot be made, with the reason."""


@transaction.atomic
def create_organization(actor: Actor, **fields: Any) -> Organization:
    require_secretariat(actor, "create organizations")
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise OrganizationError(
            _("unknown organization fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    if fields.get("iati_ref") and Organization.objects.filter(iati_ref=fields["iati_ref"]).exists():
        raise OrganizationError(
            _("an organization with IATI identifier %(ref)s exists") % {"ref": repr(fields["iati_ref"])}
        )
    org = Organization(**fields)
    org.full_clean()
    org.save()
    audit.record(actor, "create", org, after=audit.snapshot(org))
    return org


@transaction.atomic
def update_organization(actor: Actor, org_id: int, **changes: Any) -> Organization:
    org = Organization.objects.select_for_update().get(pk=org_id)
    require_edit(actor, org)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise OrganizationError(
            _("unknown organization fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    before = audit.snapshot(org)
    for name, value in changes.items():
        setattr(org, name, value)
    org.full_clean()
    org.save()
    audit.record(actor, "update", org, before=before, after=audit.snapshot(org))
    return org
