"""Refusals on pages: `forbidden` (the one 403 answer of the views), `ForbiddenPage` (which shows it in the
site's layout), and `names_other` for form posts.

Creation forms only offer the organizations or countries the actor may act for, so a post naming another
existing one is a refused write (403), not a typo to correct (which stays a 400 form error).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


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
    """403 with ``message``: plain text, which :class:`ForbiddenPage` turns into a page for browsers."""
    response = HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
    response.forbidden_message = message  # type: ignore[attr-defined]
    return response


class ForbiddenPage:
    """Middleware: a refusal from :func:`forbidden` becomes a page in the site's layout and language (with
    the way back), except for HTMX requests, which swap the text into the page they came from."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        message = getattr(response, "forbidden_message", None)
        if message is None or request.headers.get("HX-Request"):
            return response
        return render(request, "403.html", {"message": message}, status=403)
