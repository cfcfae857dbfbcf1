"""The API's error envelope: every error is `{"error": {"code": ..., "message": ..., "details": ...}}`."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from gapbridge.accounts.permissions import PermissionDenied
from gapbridge.countries.queries import QueryError
from gapbridge.iati.errors import UnwritableActivityError
from gapbridge.web.unavailable import unavailable_response

#: What the API's 404s name, in the reader's language (the ORM's own text is English and names classes).
KINDS = {
    "offers.offer": gettext_lazy("Offer"),
    "needs.need": gettext_lazy("Need"),
    "matches.match": gettext_lazy("Match"),
    "events.event": gettext_lazy("Event"),
    "events.participant": gettext_lazy("Participant"),
    "events.meetingrequest": gettext_lazy("Meeting request"),
    "events.meeting": gettext_lazy("Meeting"),
    "events.session": gettext_lazy("Session"),
    "events.slot": gettext_lazy("Slot"),
    "events.table": gettext_lazy("Table"),
    "events.schedulerun": gettext_lazy("Schedule run"),
    "analytics.coordinationalert": gettext_lazy("Coordination alert"),
    "projects.activity": gettext_lazy("Activity"),
    "barriers.barrier": gettext_lazy("Barrier"),
    "pledges.pledge": gettext_lazy("Pledge"),
    "organizations.organization": gettext_lazy("Organization"),
    "countries.economy": gettext_lazy("Economy"),
    "countries.indicator": gettext_lazy("Indicator"),
    "accounts.apitoken": gettext_lazy("API token"),
}

#: Envelope codes of the HTTP errors django-ninja raises itself (an unreadable body is a 400).
HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    429: "rate_limited",
}


def not_found_message(exc: ObjectDoesNotExist) -> str:
    """The service's own message when it gave one; else "Offer not found." for ``Offer.DoesNotExist``, in the
    reader's language (the ORM's text is English and names classes)."""
    message = str(exc)
    if message and not message.endswith("matching query does not exist."):
        return message
    for model in apps.get_models():
        if type(exc) is getattr(model, "DoesNotExist", None):
            kind = KINDS.get(model._meta.label_lower)
            if kind is not None:
                return _("%(kind)s not found.") % {"kind": kind}
            break
    return _("Not found.")


def envelope(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, details: Any = None
) -> HttpResponse:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if details is not None:
        body["error"]["details"] = details
    return api.create_response(request, body, status=status)


def install(api: NinjaAPI) -> None:
    @api.exception_handler(QueryError)
    def bad_query(request: HttpRequest, exc: QueryError) -> HttpResponse:
        return envelope(api, request, 400, "bad_request", str(exc))

    @api.exception_handler(ObjectDoesNotExist)
    def not_found(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
        return envelope(api, request, 404, "not_found", not_found_message(exc))

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return envelope(api, request, 403, "forbidden", str(exc))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return envelope(api, request, 401, "unauthenticated", _("authentication required"))

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return envelope(api, request, 422, "invalid", _("the request is not valid"), details=exc.errors)

    @api.exception_handler(UnwritableActivityError)
    def not_writable(request: HttpRequest, exc: UnwritableActivityError) -> HttpResponse:
        # The stored activity lacks what the IATI 2.03 schema requires: it exists, as JSON, not as XML.
        return envelope(api, request, 422, "not_writable", exc.message)

    @api.exception_handler(OperationalError)
    @api.exception_handler(InterfaceError)
    def unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
        return unavailable_response(request, exc)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = HTTP_CODES.get(exc.status_code, "error")
        message = str(exc)
        if message.startswith("Cannot parse request body"):
            message = _("the request body is not valid JSON %(reason)s") % {
                "reason": message.removeprefix("Cannot parse request body").strip()
            }
        return envelope(api, request, exc.status_code, code, message)
