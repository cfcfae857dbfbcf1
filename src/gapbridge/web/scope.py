"""Refusals on pages: `forbidden` (the one 403 answer of the views), and `names_other` for form posts.

Creation forms only offer the organizations or countries the actor may act for, so a post naming another
existing one is a refused write (403), not a typo to correct (which stays a 400 form error).
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse


def names_other(request: HttpRequest, field: str, allowed: QuerySet[Model], key: str = "pk") -> bool:
    """True when the POST names, in `field`, an existing object of `allowed`'s model not in `allowed`."""
    value = request.POST.get(field, "").strip()
    if request.method != "POST" or not value:
        return False
    if key == "pk" and not value.isdigit():
        return False
    lookup = {key: value}
    model = allowed.model
    return bool(model._default_manager.filter(**lookup).exists() and not allowed.filter(**lookup).exists())


def forbidden(message: str) -> HttpResponse:
    return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
