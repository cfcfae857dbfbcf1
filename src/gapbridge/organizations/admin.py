from django.contrib import admin

from gapbridge.audit.admin_mixins import AuditedAdmin
from gapbridge.organizations.models import Organization


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    list_display = ("name", "iati_ref", "org_type", "country")
    search_fields = ("name", "iati_ref")
    list_filter = ("org_type",)
