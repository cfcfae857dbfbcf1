"""The secretariat's admin for analytics. Alerts are decided on the site (a reason is required and kept in
the history), so status and evidence are read-only here; derived tables are read-only (they are rebuilt
from the registry by `gapbridge analytics-refresh`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gapbridge.analytics.models import (
    AlertStatusChange,
    AnalyticsState,
    CoordinationAlert,
    DedupWeight,
    FundingFlow,
    OverlapRun,
)
from gapbridge.audit.admin_mixins import AuditedAdmin


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class HistoryInline(admin.TabularInline[AlertStatusChange, CoordinationAlert]):
    model = AlertStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "at", "actor_label", "reason")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CoordinationAlert)
class CoordinationAlertAdmin(AuditedAdmin):
    list_display = ("id", "tier", "score", "a_identifier", "b_identifier", "status", "still_detected")
    list_filter = ("tier", "status", "still_detected")
    search_fields = ("a_identifier", "b_identifier", "a_title", "b_title", "a_publisher", "b_publisher")
    readonly_fields = tuple(f.name for f in CoordinationAlert._meta.concrete_fields if f.name not in ("id",))
    exclude = ("countries",)
    inlines = (HistoryInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(OverlapRun)
class OverlapRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "started_at", "records", "comparisons", "candidates", "seconds", "actor_label")


@admin.register(AnalyticsState)
class AnalyticsStateAdmin(ReadOnlyAdmin):
    list_display = ("id", "refreshed_at", "seconds", "registry_fingerprint")


@admin.register(DedupWeight)
class DedupWeightAdmin(ReadOnlyAdmin):
    list_display = ("identifier", "publisher", "commitment", "disbursement", "reason")
    list_filter = ("reason",)
    search_fields = ("identifier", "publisher")


@admin.register(FundingFlow)
class FundingFlowAdmin(ReadOnlyAdmin):
    list_display = (
        "upstream",
        "downstream",
        "measure",
        "reported_by_upstream",
        "reported_by_downstream",
        "counted",
    )
    list_filter = ("measure",)
    search_fields = ("upstream", "downstream")
