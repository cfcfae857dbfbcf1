"""The secretariat's admin for offers. Status moves go through the site or the API (they need a reason and
alert saved searches), so the status is read-only here; every admin edit is audited."""

from __future__ import annotations

from django.contrib import admin

from gapbridge.audit.admin_mixins import AuditedAdmin
from gapbridge.offers.models import Offer, OfferStatusChange


class StatusChangeInline(admin.TabularInline[OfferStatusChange, Offer]):
    model = OfferStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "at", "actor_label", "reason")
    fields = readonly_fields

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Offer)
class OfferAdmin(AuditedAdmin):
    list_display = ("id", "title", "provider", "kind", "status", "origin", "capacity", "closes", "updated_at")
    list_filter = ("status", "kind", "origin")
    search_fields = ("title", "description", "provider__name", "source_key")
    readonly_fields = ("status", "status_changed_at", "origin", "source_key", "created_at", "updated_at")
    raw_id_fields = ("provider", "created_by")
    filter_horizontal = ("eligible_countries", "eligible_groups")
    inlines = [StatusChangeInline]
