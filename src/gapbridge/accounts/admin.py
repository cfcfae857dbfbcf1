from django.contrib import admin

from gapbridge.accounts.models import RoleAssignment
from gapbridge.audit.admin_mixins import AuditedAdmin


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    list_display = ("user", "role", "organization", "economy", "granted_at")
    list_filter = ("role",)
    autocomplete_fields = ("economy", "organization")
