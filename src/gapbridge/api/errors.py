"""The API's error envelope: every error is `{"error": {"code": ..., "message": ..., "details": ...}}`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from gapbridge.accounts.permissions import PermissionDenied
from gapbridge.countries.queries import QueryError
from gapbridge.iati.errors import UnwritableActivityError
from gapbridge.web.unavailable import unavailable_response


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
        return envelope(api, request, 404, "not_found", str(exc) or "not found")

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return envelope(api, request, 403, "forbidden", str(exc))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return envelope(api, request, 401, "unauthenticated", "authentication required")

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return envelope(api, request, 422, "invalid", "the request is not valid", details=exc.errors)

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
        return envelope(api, request, exc.status_code, "error", str(exc))
