"""Role assignments on top of Django's users: secretariat, organization editor, country focal point."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", "Secretariat administrator"
    ORG_EDITOR = "org_editor", "Organization editor"
    FOCAL_POINT = "focal_point", "Country focal point"


class RoleAssignment(models.Model):
    """A user's role; editors are scoped to one organization, focal points to one economy.

    A user without any assignment is a public viewer.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="editors"
    )
    economy = models.ForeignKey(
        "countries.Economy", null=True, blank=True, on_delete=models.CASCADE, related_name="focal_points"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_role",
                condition=(
                    Q(role="secretariat", organization__isnull=True, economy__isnull=True)
                    | Q(role="org_editor", organization__isnull=False, economy__isnull=True)
                    | Q(role="focal_point", organization__isnull=True, economy__isnull=False)
                ),
            ),
            models.UniqueConstraint(fields=["user", "role", "organization", "economy"], name="unique_role"),
        ]

    def __str__(self) -> str:
        scope = self.organization or self.economy or "all"
        return f"{self.user} — {self.get_role_display()} ({scope})"


class ApiToken(models.Model):
    """An API bearer token: only its SHA-256 is stored; it has scopes, an expiry, and can be revoked."""

    class Scope(models.TextChoices):
        READ = "read", _("Read non-public data the user may see")
        WRITE = "write", _("Create and change what the user may change")
        IMPORT = "import", _("Import IATI files")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def owning_organization_id(self) -> int | None:
        return None

    def owning_country_id(self) -> int | None:
        return None
