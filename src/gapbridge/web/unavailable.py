"""When the database is briefly unreachable (a restart, a failover), answer 503 with Retry-After, not 500.

Django reconnects by itself on the next request (persistent connections with health checks), so the right
message to a browser or an API client is "try again in a few seconds". Only connection-level errors count
(`OperationalError`, `InterfaceError`); anything else is a real server error and stays a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 5
UNAVAILABLE = (OperationalError, InterfaceError)
log = logging.getLogger("gapbridge.unavailable")


def unavailable_response(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.warning("database unavailable for %s %s: %s", request.method, request.path, exc)
    message = _("The service is briefly unavailable; please try again in a few seconds.")
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": {"code": "unavailable", "message": message}}, status=503)
    else:
        response = HttpResponse(
            f'<!doctype html><html><head><meta charset="utf-8"><title>503</title></head>'
            f"<body><h1>503</h1><p>{message}</p></body></html>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, UNAVAILABLE):
            return unavailable_response(request, exception)
        return None
