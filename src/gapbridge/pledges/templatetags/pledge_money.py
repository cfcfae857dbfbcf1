"""`{{ flow.fx_status|fx_reason }}`: why an amount has no dollar figure, in the reader's language."""

from __future__ import annotations

from django import template

from gapbridge.projects.detail import FX_STATUS_NAMES
from gapbridge.projects.fx import FxStatus

register = template.Library()


@register.filter
def fx_reason(code: str) -> str:
    try:
        return str(FX_STATUS_NAMES.get(FxStatus(code), code))
    except ValueError:
        return code
