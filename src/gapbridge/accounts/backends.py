"""The secretariat role in Django's admin.

The admin asks for model permissions (``projects.view_activity``...). Everywhere else the platform asks
the role (``accounts.permissions``), and the secretariat may see and change every object there; this backend
gives the admin the same answer, so a secretariat member made by ``gapbridge add-user --role secretariat``
can use ``/admin/`` (the audit log among it) without a superuser flag or hand-made permission groups.
What the admin itself forbids (editing the append-only audit log) stays forbidden by its ModelAdmin.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from gapbridge.accounts.permissions import is_secretariat


class SecretariatBackend(BaseBackend):
    """Every model permission for active staff with the secretariat role; authenticates no one."""

    def _granted(self, user_obj: Any) -> bool:
        return bool(
            getattr(user_obj, "is_active", False) and getattr(user_obj, "is_staff", False)
        ) and is_secretariat(user_obj)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:  # noqa: ARG002 (Django's interface)
        return self._granted(user_obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:  # noqa: ARG002 (Django's interface)
        return self._granted(user_obj)
