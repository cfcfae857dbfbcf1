"""Template context shared by every page: site name, text direction, the language switcher, and which
role-specific links the navigation shows."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language, get_language_bidi

from gapbridge.accounts.permissions import country_ids, is_secretariat, organization_ids


def nav_links(user: Any) -> dict[str, bool]:
    """Which dashboards the navigation offers: the provider dashboard to organization editors, the focal
    point dashboard to focal points and the secretariat (who may open any country's), alerts (saved
    searches) to every signed-in user. Anonymous visitors get none of them."""
    if user is None or not user.is_authenticated:
        return {"provider": False, "focal_point": False, "alerts": False}
    return {
        "provider": bool(organization_ids(user)),
        "focal_point": is_secretariat(user) or bool(country_ids(user)),
        "alerts": True,
    }


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "SITE_NAME": "GapBridge",
        "TEXT_DIR": "rtl" if get_language_bidi() else "ltr",
        "LANG": get_language() or settings.LANGUAGE_CODE,
        "NAV": nav_links(getattr(request, "user", None)),
        # each language named in itself ("English", "Français"...), as language switchers do
        "LANGUAGE_NAMES": settings.LANGUAGES,
    }
