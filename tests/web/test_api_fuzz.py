"""Schemathesis against /api/v1's own OpenAPI document: no server error, every documented response matches.

Runs in-process through the WSGI app on the test database (which holds the real reference data). Each
operation gets a bounded number of generated cases, so the suite stays quick; write operations are exercised
anonymously (they must answer 401/403/422, never 500).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from gapbridge.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def keep_test_connection() -> Iterator[None]:
    """Calling the WSGI app directly fires Django's end-of-request hook, which would close the connection
    holding the test's transaction (fatal on PostgreSQL); Django's test client disconnects it likewise."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_never_errors_and_matches_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
