"""The secretariat's admin for the register. Status moves go through the site (they need a reason and
notify followers), so the status is read-only here; every admin edit is audited."""

from __future__ import annotations

from django.contrib import admin

from gapbridge.audit.admin_mixins import AuditedAdmin
from gapbridge.barriers.models import (
    Barrier,
    BarrierLink,
    BarrierNotification,
    BarrierStatusChange,
    BarrierSubscription,
    BarrierUpdate,
)


class StatusChangeInline(admin.TabularInline[BarrierStatusChange, Barrier]):
    model = BarrierStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "at", "actor_label", "reason")
    fields = readonly_fields

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


class UpdateInline(admin.TabularInline[BarrierUpdate, Barrier]):
    model = BarrierUpdate
    extra = 0
    readonly_fields = ("at", "author_label")
    fields = ("at", "author_label", "text", "is_public")


class LinkInline(admin.TabularInline[BarrierLink, Barrier]):
    model = BarrierLink
    extra = 0
    readonly_fields = ("kind", "object_id", "label", "created_at")
    fields = ("kind", "object_id", "label", "note", "created_at")


@admin.register(Barrier)
class BarrierAdmin(AuditedAdmin):
    list_display = (
        "id",
        "title",
        "country",
        "group",
        "category",
        "status",
        "priority",
        "origin",
        "created_at",
    )
    list_filter = ("status", "category", "origin", "priority")
    search_fields = ("title", "description", "country__iso3", "country__name_en")
    readonly_fields = ("status", "status_changed_at", "merged_into", "source_key", "created_at", "updated_at")
    raw_id_fields = ("country", "group", "reporter_organization", "reported_by")
    inlines = [StatusChangeInline, UpdateInline, LinkInline]


@admin.register(BarrierSubscription)
class BarrierSubscriptionAdmin(AuditedAdmin):
    list_display = ("user", "country", "category", "email", "created_at")
    raw_id_fields = ("user", "country")


@admin.register(BarrierNotification)
class BarrierNotificationAdmin(admin.ModelAdmin[BarrierNotification]):
    list_display = ("user", "event_key", "created_at", "read_at", "emailed_at")
    readonly_fields = ("user", "barrier", "event", "status_change", "event_key", "message", "created_at")
