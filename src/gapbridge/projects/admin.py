"""Admin for the registry: read-only. IATI data changes only by importing (services.import_files), so the
admin shows activities, files, runs, jobs and findings but does not edit them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gapbridge.projects.models import (
    Activity,
    Finding,
    IatiOrganisation,
    ImportJob,
    ImportRun,
    SourceFile,
)
from gapbridge.projects.models.imports import (
    OrganisationBudget,
    OrganisationDocumentLink,
    OrganisationExpenditure,
    OrganisationRecipientBudget,
)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = (
        "iati_identifier",
        "publisher_ref",
        "title",
        "activity_status",
        "last_updated_datetime",
        "is_primary",
    )
    search_fields = ("iati_identifier", "publisher_ref", "title")
    list_filter = ("activity_status", "is_primary")
    exclude = ("search_text",)


@admin.register(SourceFile)
class SourceFileAdmin(ReadOnlyAdmin):
    list_display = ("name", "status", "kind", "items", "skipped", "error_line", "updated_at")
    list_filter = ("status", "kind")
    search_fields = ("name",)


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "origin", "actor_label", "status", "started_at", "finished_at")
    list_filter = ("status", "origin")


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = (
        "original_name",
        "status",
        "size",
        "items_done",
        "created_by",
        "created_at",
        "finished_at",
    )
    list_filter = ("status",)


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("severity", "code", "message", "activity", "source_file", "line")
    list_filter = ("severity", "code")
    raw_id_fields = ("activity", "source_file")


class ReadOnlyInline(admin.TabularInline[Any, Any]):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


AMOUNT_FIELDS = ("period_start", "period_end", "value_text", "currency", "value_date")


class BudgetInline(ReadOnlyInline):
    model = OrganisationBudget
    fields = ("position", "status", *AMOUNT_FIELDS, "lines")


class RecipientBudgetInline(ReadOnlyInline):
    model = OrganisationRecipientBudget
    fields = ("position", "kind", "recipient_code", "status", *AMOUNT_FIELDS, "lines")


class ExpenditureInline(ReadOnlyInline):
    model = OrganisationExpenditure
    fields = ("position", *AMOUNT_FIELDS, "lines")


class DocumentLinkInline(ReadOnlyInline):
    model = OrganisationDocumentLink
    fields = ("position", "url", "format", "title", "categories", "document_date")


@admin.register(IatiOrganisation)
class IatiOrganisationAdmin(ReadOnlyAdmin):
    """An organisation file's organisation with its budgets, expenditure and documents, as imported."""

    list_display = ("organisation_identifier", "organization", "last_updated_datetime", "default_currency")
    search_fields = ("organisation_identifier",)
    raw_id_fields = ("organization", "source_file")
    inlines = (BudgetInline, RecipientBudgetInline, ExpenditureInline, DocumentLinkInline)
