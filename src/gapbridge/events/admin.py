"""The secretariat's admin for events: mostly read-only views of what the pages and services write.

Statuses, requests, meetings and schedule runs change through the site (they keep histories, check the
rules and notify people), so they are read-only here; every admin edit is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models

from gapbridge.audit.admin_mixins import AuditedAdmin
from gapbridge.events.models import (
    Event,
    EventStatusChange,
    Meeting,
    MeetingChange,
    MeetingOutcome,
    MeetingRequest,
    Notification,
    Participant,
    ParticipantMember,
    ScheduleRun,
    Session,
    Table,
)

# Links are entered without a scheme now and then; https is the only sensible default (and Django 6's).
URLS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


class ReadOnlyInline:
    extra = 0
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Seen, never added, changed or deleted here: the pages and services write these, with histories."""

    def has_add_permission(self, request: Any, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: object = None) -> bool:
        return False


class EventHistoryInline(ReadOnlyInline, admin.TabularInline[EventStatusChange, Event]):
    model = EventStatusChange
    fields = ("at", "from_status", "to_status", "actor_label", "reason")
    readonly_fields = fields


class SessionInline(admin.TabularInline[Session, Event]):
    model = Session
    extra = 0
    fields = ("title", "day", "start_time", "slot_minutes", "break_minutes", "slot_count")
    readonly_fields = fields
    can_delete = False


class TableInline(admin.TabularInline[Table, Event]):
    model = Table
    extra = 0
    formfield_overrides = URLS
    fields = ("name", "is_virtual", "online_url", "position", "is_open")


@admin.register(Event)
class EventAdmin(AuditedAdmin):
    list_display = ("title", "starts_on", "ends_on", "status", "registration")
    list_filter = ("status", "registration")
    search_fields = ("title",)
    readonly_fields = ("status", "status_changed_at", "created_by", "created_at", "updated_at")
    inlines = [SessionInline, TableInline, EventHistoryInline]
    formfield_overrides = URLS


class MemberInline(admin.TabularInline[ParticipantMember, Participant]):
    model = ParticipantMember
    extra = 0
    fields = ("name", "email", "role", "user")
    raw_id_fields = ("user",)


@admin.register(Participant)
class ParticipantAdmin(AuditedAdmin):
    list_display = ("__str__", "event", "kind", "status", "max_meetings")
    list_filter = ("kind", "status", "event")
    readonly_fields = (
        "event",
        "kind",
        "economy",
        "organization",
        "status",
        "status_changed_at",
        "created_by",
    )
    filter_horizontal = ()
    exclude = ("unavailable_slots",)
    inlines = [MemberInline]


@admin.register(MeetingRequest)
class MeetingRequestAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "event", "preference", "recipient_preference", "status", "source")
    list_filter = ("status", "preference", "source", "event")


class MeetingChangeInline(ReadOnlyInline, admin.TabularInline[MeetingChange, Meeting]):
    model = MeetingChange
    fk_name = "meeting"
    fields = (
        "at",
        "from_status",
        "to_status",
        "from_slot",
        "to_slot",
        "from_table",
        "to_table",
        "actor_label",
        "reason",
    )
    readonly_fields = fields


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("ref", "event", "status", "slot", "table", "sequence")
    list_filter = ("status", "event")
    inlines = [MeetingChangeInline]


@admin.register(ScheduleRun)
class ScheduleRunAdmin(ReadOnlyAdmin):
    list_display = (
        "event",
        "kind",
        "at",
        "status",
        "objective",
        "bound",
        "kept",
        "moved",
        "added",
        "dropped",
    )
    list_filter = ("kind", "status")


@admin.register(MeetingOutcome)
class MeetingOutcomeAdmin(AuditedAdmin):
    list_display = ("meeting", "kind", "link_kind", "link_id", "recorded_at")
    list_filter = ("kind", "link_kind")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("member", "subject", "created_at", "read_at", "emailed_at")
