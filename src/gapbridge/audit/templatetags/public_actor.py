"""``{{ row|public_by }}``: who made a history row or an update, as the public may see it (audit.public)."""

from __future__ import annotations

from typing import Any

from django import template

from gapbridge.audit import public

register = template.Library()


@register.filter
def public_by(row: Any, hidden: Any = ()) -> str:
    return public.by(row, hidden or ())


@register.filter
def history_reason(text: str) -> str:
    return public.reason(text or "")
