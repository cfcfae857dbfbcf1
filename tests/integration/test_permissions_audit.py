"""Object-level permissions in services, and the append-only audit log (code and database level)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from gapbridge.accounts.models import Role
from gapbridge.accounts.permissions import PermissionDenied
from gapbridge.audit.models import AppendOnlyError, AuditEntry
from gapbridge.countries import services as country_services
from gapbridge.organizations import services as org_services
from gapbridge.organizations.models import Organization
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs() -> tuple[Organization, Organization]:
    return factories.organization("ITU", "XM-DAC-41116"), factories.organization("UNCTAD", "XM-DAC-41111")


def test_org_editor_edits_own_organization_and_it_is_audited(orgs: tuple[Organization, Organization]) -> None:
    own, _ = orgs
    editor = factories.user("ed", Role.ORG_EDITOR, organization=own)
    org_services.update_organization(editor, own.pk, website="https://www.itu.int/")
    own.refresh_from_db()
    assert own.website == "https://www.itu.int/"
    entry = AuditEntry.objects.filter(object_type="organizations.organization", object_id=str(own.pk)).latest(
        "id"
    )
    assert (entry.actor_label, entry.action) == ("ed", "update")
    assert entry.before is not None and entry.before["website"] == ""
    assert entry.after is not None and entry.after["website"] == "https://www.itu.int/"


@pytest.mark.parametrize("role", [None, Role.ORG_EDITOR, Role.FOCAL_POINT])
def test_others_cannot_edit_and_nothing_changes(
    orgs: tuple[Organization, Organization], role: str | None
) -> None:
    own, other = orgs
    actor = factories.user("x", role, organization=own, iso3="KEN")
    audit_count = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        org_services.update_organization(actor, other.pk, name="Hijacked")
    other.refresh_from_db()
    assert other.name == "UNCTAD"
    assert AuditEntry.objects.count() == audit_count


def test_anonymous_cannot_edit(orgs: tuple[Organization, Organization]) -> None:
    with pytest.raises(PermissionDenied):
        org_services.update_organization(None, orgs[0].pk, name="x")


def test_only_secretariat_creates_organizations_and_edits_groups() -> None:
    editor = factories.user("ed2", Role.FOCAL_POINT, iso3="NER")
    with pytest.raises(PermissionDenied):
        org_services.create_organization(editor, name="New body")
    with pytest.raises(PermissionDenied):
        country_services.set_membership(editor, "ldc", "KEN", start_date=None, end_date=None, source="x")
    admin = factories.user("sec", Role.SECRETARIAT)
    created = org_services.create_organization(admin, name="New body")
    assert AuditEntry.objects.filter(object_id=str(created.pk), action="create").exists()


def test_membership_dates_are_validated() -> None:
    admin = factories.user("sec", Role.SECRETARIAT)
    with pytest.raises(country_services.MembershipError, match="must be after"):
        country_services.set_membership(
            admin, "dco", "KEN", start_date=dt.date(2026, 1, 2), end_date=dt.date(2026, 1, 1), source="x"
        )
    with pytest.raises(country_services.MembershipError, match="unknown economy"):
        country_services.set_membership(admin, "dco", "ZZZ", start_date=None, end_date=None, source="x")


def test_audit_entries_cannot_be_changed_or_deleted_by_code() -> None:
    admin = factories.user("sec", Role.SECRETARIAT)
    org = org_services.create_organization(admin, name="Audited")
    entry = AuditEntry.objects.filter(object_id=str(org.pk)).latest("id")
    entry.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_audit_entries_cannot_be_changed_in_the_database() -> None:
    admin = factories.user("sec", Role.SECRETARIAT)
    org = org_services.create_organization(admin, name="Audited")
    entry = AuditEntry.objects.filter(object_id=str(org.pk)).latest("id")
    for sql in (
        "UPDATE audit_auditentry SET reason = 'x' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, reason="").exists()
