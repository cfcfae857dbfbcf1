from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gapbridge.accounts import tokens
from gapbridge.accounts.models import ApiToken, Role, RoleAssignment
from gapbridge.accounts.permissions import PermissionDenied
from gapbridge.accounts.services import make_staff
from gapbridge.audit.admin_mixins import AuditedAdmin


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    list_display = ("user", "role", "organization", "economy", "granted_at")
    list_filter = ("role",)
    autocomplete_fields = ("economy", "organization")

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if isinstance(obj, RoleAssignment) and obj.role == Role.SECRETARIAT:
            make_staff(obj.user)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Tokens are read-only here (their secret is never stored): the secretariat sees them and revokes."""

    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    exclude = ("digest",)
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created on the user's API tokens page or with `gapbridge issue-token`

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False  # revoked, never deleted: the audit log keeps its whole life

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        done = 0
        for token in queryset:
            try:
                tokens.revoke(request.user, token.pk)
            except PermissionDenied as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return
            done += 1
        self.message_user(
            request, ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", done) % {"n": done}
        )
