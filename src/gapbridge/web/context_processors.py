"""Template context shared by every page: site name, text direction and the language switcher."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language, get_language_bidi


def site(request: HttpRequest) -> dict[str, Any]:  # noqa: ARG001 (context processor signature)
    return {
        "SITE_NAME": "GapBridge",
        "TEXT_DIR": "rtl" if get_language_bidi() else "ltr",
        "LANG": get_language() or settings.LANGUAGE_CODE,
    }
