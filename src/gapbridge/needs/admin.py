"""The secretariat's admin for needs. Status moves go through the site or the API (they need a reason),
so the status is read-only here; every admin edit is audited."""

from __future__ import annotations

from django.contrib import admin

from gapbridge.audit.admin_mixins import AuditedAdmin
from gapbridge.needs.models import Need, NeedStatusChange


class StatusChangeInline(admin.TabularInline[NeedStatusChange, Need]):
    model = NeedStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "at", "actor_label", "reason")
    fields = readonly_fields

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Need)
class NeedAdmin(AuditedAdmin):
    list_display = ("id", "title", "country", "status", "origin", "priority", "updated_at")
    list_filter = ("status", "origin", "priority")
    search_fields = ("title", "description", "country__iso3", "country__name_en", "source_key")
    readonly_fields = (
        "status",
        "status_changed_at",
        "origin",
        "source_key",
        "derived_from",
        "created_at",
        "updated_at",
    )
    raw_id_fields = ("country", "requesting_organization", "created_by")
    inlines = [StatusChangeInline]
