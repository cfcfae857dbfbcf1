"""Makes the secretariat's admin edits go into the audit log like every other write."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from gapbridge.audit import services as audit


class AuditedAdmin(admin.ModelAdmin[Any]):
    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = None
            if change and obj.pk is not None:
                previous = type(obj)._default_manager.filter(pk=obj.pk).first()
                before = audit.snapshot(previous) if previous else None
            super().save_model(request, obj, form, change)
            audit.record(
                request.user,
                "update" if change else "create",
                obj,
                before=before,
                after=audit.snapshot(obj),
                reason="admin",
            )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            audit.record(request.user, "delete", obj, before=audit.snapshot(obj), reason="admin")
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit.record(request.user, "delete", obj, before=audit.snapshot(obj), reason="admin")
            super().delete_queryset(request, queryset)
