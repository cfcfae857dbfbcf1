"""The secretariat role in Django's admin.

The admin asks for model permissions (``projects.view_activity``...). Everywhere else the platform asks
the role (``accounts.permissions``), and the secretariat may see and change every object of the platform;
this backend gives the admin the same answer for the platform's apps, so a secretariat member made by
``gapbridge add-user --role secretariat`` can use ``/admin/`` (the audit log among it) without a superuser
flag or hand-made permission groups. Django's own apps (users, groups) are view-only to it. What a ModelAdmin
forbids (editing the append-only audit log, adding meetings behind the scheduler) stays forbidden.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from gapbridge.accounts.permissions import is_secretariat

#: The platform's own apps: the secretariat may add, change and delete there (each ModelAdmin still says what
#: it allows; the audit log and the registry are read-only). Everywhere else (Django's users and groups,
#: sessions, content types) it may only look, so no one makes themselves a superuser or resets passwords.
PLATFORM_APPS = frozenset(
    {
        "accounts",
        "analytics",
        "audit",
        "barriers",
        "countries",
        "events",
        "matches",
        "needs",
        "offers",
        "organizations",
        "pledges",
        "projects",
    }
)


class SecretariatBackend(BaseBackend):
    """Model permissions for active staff with the secretariat role; authenticates no one."""

    def _granted(self, user_obj: Any) -> bool:
        return bool(
            getattr(user_obj, "is_active", False) and getattr(user_obj, "is_staff", False)
        ) and is_secretariat(user_obj)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:  # noqa: ARG002 (Django's interface)
        app_label, _dot, codename = perm.partition(".")
        if app_label not in PLATFORM_APPS and not codename.startswith("view_"):
            return False
        return self._granted(user_obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:  # noqa: ARG002 (Django's interface)
        return self._granted(user_obj)
