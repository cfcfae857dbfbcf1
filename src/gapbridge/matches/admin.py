"""The secretariat's admin for matches, saved searches and notifications (read-mostly; audited)."""

from __future__ import annotations

from django.contrib import admin

from gapbridge.audit.admin_mixins import AuditedAdmin
from gapbridge.matches.models import Match, MatchStatusChange, Notification, SavedSearch


class StatusChangeInline(admin.TabularInline[MatchStatusChange, Match]):
    model = MatchStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "at", "actor_label", "reason")
    fields = readonly_fields

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Match)
class MatchAdmin(AuditedAdmin):
    list_display = ("id", "need", "offer", "score", "status", "origin", "updated_at")
    list_filter = ("status", "origin")
    readonly_fields = (
        "need",
        "offer",
        "score",
        "explanation",
        "status",
        "status_changed_at",
        "origin",
        "created_at",
    )
    inlines = [StatusChangeInline]


@admin.register(SavedSearch)
class SavedSearchAdmin(AuditedAdmin):
    list_display = ("name", "user", "country", "focus_area", "kind", "target", "frequency", "threshold")
    raw_id_fields = ("user", "country")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ("user", "subject", "object_id", "title", "score", "created_at", "emailed_at", "read_at")
    readonly_fields = (
        "search",
        "user",
        "subject",
        "object_id",
        "title",
        "url",
        "score",
        "reasons",
        "created_at",
    )
