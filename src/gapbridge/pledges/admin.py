"""The secretariat's admin for pledges; status moves go through the site (they need a reason)."""

from __future__ import annotations

from django.contrib import admin

from gapbridge.audit.admin_mixins import AuditedAdmin
from gapbridge.pledges.models import Pledge, PledgeActivity, PledgeFlow, PledgeStatusChange


class FlowInline(admin.TabularInline[PledgeFlow, Pledge]):
    model = PledgeFlow
    extra = 0
    fields = ("kind", "date", "amount", "currency", "amount_usd", "fx_rate", "fx_year", "origin", "note")
    readonly_fields = ("amount_usd", "fx_rate", "fx_year", "origin")


class HistoryInline(admin.TabularInline[PledgeStatusChange, Pledge]):
    model = PledgeStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "at", "actor_label", "reason")
    fields = readonly_fields

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Pledge)
class PledgeAdmin(AuditedAdmin):
    list_display = (
        "title",
        "provider",
        "amount",
        "currency",
        "amount_usd",
        "period_start",
        "period_end",
        "status",
    )
    list_filter = ("status", "currency")
    search_fields = ("title", "provider__name")
    readonly_fields = (
        "status",
        "status_changed_at",
        "amount_usd",
        "fx_rate",
        "fx_year",
        "fx_status",
        "fx_source",
    )
    raw_id_fields = ("provider",)
    filter_horizontal = ("target_countries", "target_groups")
    inlines = [FlowInline, HistoryInline]


@admin.register(PledgeActivity)
class PledgeActivityAdmin(AuditedAdmin):
    list_display = ("pledge", "activity", "linked_at", "synced_at")
    raw_id_fields = ("pledge", "activity")
