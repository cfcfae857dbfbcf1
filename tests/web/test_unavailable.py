"""A database that is briefly unreachable gives 503 + Retry-After (page or API envelope), never a bare 500."""

from __future__ import annotations

import json
import sqlite3

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory

from gapbridge.accounts import tokens
from gapbridge.api.auth import BearerReadMiddleware
from gapbridge.api.v1 import api
from gapbridge.web.unavailable import DatabaseUnavailableMiddleware


def _real_operational_error() -> OperationalError:
    """The error Django raises when it cannot open its database (made by really failing to open one)."""
    try:
        sqlite3.connect("file:/nonexistent-dir/gapbridge.sqlite3?mode=ro", uri=True).execute("select 1")
    except sqlite3.OperationalError as exc:
        return OperationalError(*exc.args)
    raise AssertionError("opening a database in a missing folder should fail")


def _middleware() -> DatabaseUnavailableMiddleware:
    return DatabaseUnavailableMiddleware(lambda _request: HttpResponse("ok"))


def test_a_page_gets_503_with_retry_after() -> None:
    request = RequestFactory().get("/countries/KEN/")
    response = _middleware().process_exception(request, _real_operational_error())
    assert response is not None and response.status_code == 503
    assert response["Retry-After"] == "5" and response["Cache-Control"] == "no-store"
    assert "try again in a few seconds" in response.content.decode()


@pytest.mark.django_db
def test_the_api_answers_with_its_error_envelope() -> None:
    request = RequestFactory().get("/api/v1/countries/KEN")
    handler = api._lookup_exception_handler(_real_operational_error())
    assert handler is not None
    response = handler(request, _real_operational_error())
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert json.loads(response.content)["error"]["code"] == "unavailable"


def test_other_errors_stay_server_errors() -> None:
    request = RequestFactory().get("/countries/KEN/")
    assert _middleware().process_exception(request, ValueError("a bug")) is None


def test_a_bearer_read_while_the_database_is_down_is_503_not_500(monkeypatch: pytest.MonkeyPatch) -> None:
    def down(_secret: str) -> None:
        raise _real_operational_error()

    monkeypatch.setattr(tokens, "authenticate", down)
    request = RequestFactory().get("/api/v1/offers", HTTP_AUTHORIZATION="Bearer gbt_x")
    response = BearerReadMiddleware(lambda _request: HttpResponse("ok"))(request)
    assert response.status_code == 503 and json.loads(response.content)["error"]["code"] == "unavailable"
