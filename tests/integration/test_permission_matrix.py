"""The permission matrix (issue 8, security): every write, page and API, as every role, on an object of the
actor's own country or organisation and of someone else's. Only what the roles allow passes; everything
else is refused (403; 401 for the API without valid credentials; a redirect to the login page for anonymous
visitors of pages) and changes nothing: every row of every application table is compared before and after.

The table is in `tests/integration/permission_matrix/` (`api_writes.py`, `page_writes.py`); how to read it:
docs/accountability.md, "Permission matrix".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from tests.integration.permission_matrix import discovery, snapshot
from tests.integration.permission_matrix import world as roles
from tests.integration.permission_matrix.api_writes import API_WRITES
from tests.integration.permission_matrix.matrix import Write
from tests.integration.permission_matrix.page_writes import ADMIN_PREFIX, PAGE_EXEMPT, PAGE_WRITES
from tests.integration.permission_matrix.world import World

CSRF = "matrixcsrftoken0123456789abcdefg"  # a 32-character secret, sent as cookie and as form field
assert len(CSRF) == 32


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[tuple[World, snapshot.Plan]]:
    """Actors and tokens, made once per module in a transaction rolled back at its end; each test runs in a
    savepoint of its own (pytest-django), so cells cannot see each other's writes."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = roles.build()
        yield built, snapshot.plan()
        transaction.set_rollback(True)


# --- every write is in the table -----------------------------------------------------------------------


def test_every_api_write_is_in_the_matrix() -> None:
    declared = {w.key for w in API_WRITES}
    assert len({w.label for w in API_WRITES}) == len(API_WRITES), "an API write is declared twice"
    missing = sorted(discovery.api_writes() - declared)
    assert not missing, f"API writes with no entry in the permission matrix: {missing}"
    stale = sorted(declared - discovery.api_writes())
    assert not stale, f"matrix entries for API writes that no longer exist: {stale}"


def test_every_page_write_is_in_the_matrix() -> None:
    declared = {w.key for w in PAGE_WRITES} | {e.key for e in PAGE_EXEMPT}
    labels = [w.label for w in PAGE_WRITES] + [e.key for e in PAGE_EXEMPT]
    assert len(set(labels)) == len(labels), "a page write is declared twice"
    found = {k for k in discovery.page_writes() if not k.startswith(f"POST {ADMIN_PREFIX}")}
    missing = sorted(found - declared)
    assert not missing, (
        f"page writes (views accepting POST) with no entry in the permission matrix: {missing}"
    )
    stale = sorted(declared - found)
    assert not stale, f"matrix entries for page writes that no longer exist: {stale}"


def test_discovery_sees_post_only_and_get_only_views() -> None:
    # The enumeration must tell the two apart, or the checks above would prove nothing.
    pages = discovery.page_writes()
    assert "POST needs/<int:need_id>/status/" in pages  # require_POST
    assert "POST offers/new/" in pages  # require_http_methods(["GET", "POST"])
    assert "POST needs/<int:need_id>/" not in pages  # require_GET
    assert "POST /api/v1/needs/{need_id}/transitions" in discovery.api_writes()
    assert "GET /api/v1/needs/{need_id}" not in discovery.api_writes()


# --- the cells -----------------------------------------------------------------------------------------


def _cells(writes: tuple[Write, ...], actors: tuple[str, ...]) -> list[Any]:
    out = []
    for w in writes:
        for actor in actors:
            marks = []
            if actor in w.bugs:
                marks.append(pytest.mark.xfail(strict=True, reason=w.bugs[actor]))
            out.append(pytest.param(w, actor, id=f"{w.label} as {actor}", marks=marks))
    return out


def _expected(w: Write, actor: str, *, api: bool) -> int | None:
    """None: allowed (any 2xx, or 3xx on pages); otherwise the status code of the refusal."""
    if actor in roles.API_BAD_CREDENTIALS:
        return 401
    if actor == roles.SESSION_WITHOUT_CSRF:
        return 403
    if actor == roles.ANONYMOUS:
        return 401 if api else 302
    if actor == roles.SESSION_WITH_CSRF:
        actor = roles.SECRETARIAT
    if actor in w.status:
        return w.status[actor]
    if actor in w.allowed:
        return None
    return 403


def _judge(
    w: Write, actor: str, path: str, expected: int | None, response: Any, changed: list[str], *, api: bool
) -> None:
    code = response.status_code
    where = f"{w.label} as {actor} ({path})"
    if expected is None:
        ok = 200 <= code < (300 if api else 400)
        body = response.content[:300].decode(errors="replace")
        assert ok, f"{where} → expected success, got {code}: {body}"
        assert changed, f"{where} → answered {code} but changed nothing"
        return
    assert code == expected, f"{where} → expected {expected}, got {code}; changed: {changed or 'nothing'}"
    if expected == 302 and not api:
        assert response["Location"].startswith(settings.LOGIN_URL), f"{where} → redirected elsewhere"
    assert not changed, f"{where} → refused with {code} but changed {changed}"


@pytest.mark.django_db
@pytest.mark.parametrize(("w", "actor"), _cells(API_WRITES, roles.API_ACTORS))
def test_api_write(w: Write, actor: str, world: tuple[World, snapshot.Plan]) -> None:
    built, plan = world
    call = w.build(built)
    client = Client(enforce_csrf_checks=True)
    headers: dict[str, str] = {}
    if actor in (roles.SESSION_WITHOUT_CSRF, roles.SESSION_WITH_CSRF):
        client.force_login(built.users[roles.SECRETARIAT])
        if actor == roles.SESSION_WITH_CSRF:
            client.cookies[settings.CSRF_COOKIE_NAME] = CSRF
            headers["X-CSRFToken"] = CSRF
    elif actor != roles.ANONYMOUS:
        headers["Authorization"] = f"Bearer {built.secrets[actor]}"
    before = snapshot.take(plan)
    response = client.generic(
        w.method,
        call.path,
        data=json.dumps(call.body) if w.method != "DELETE" else "",
        content_type="application/json",
        headers=headers,
    )
    changed = snapshot.diff(before, snapshot.take(plan))
    _judge(w, actor, call.path, _expected(w, actor, api=True), response, changed, api=True)


@pytest.mark.django_db
@pytest.mark.parametrize(("w", "actor"), _cells(PAGE_WRITES, roles.PAGE_ACTORS))
def test_page_write(w: Write, actor: str, world: tuple[World, snapshot.Plan]) -> None:
    built, plan = world
    call = w.build(built)
    client = Client(enforce_csrf_checks=True)
    account = built.user(actor)
    if account is not None:
        client.force_login(account)
    body = dict(call.body)
    if actor != roles.SESSION_WITHOUT_CSRF:
        client.cookies[settings.CSRF_COOKIE_NAME] = CSRF
        body["csrfmiddlewaretoken"] = CSRF
    before = snapshot.take(plan)
    response = client.post(call.path, body)
    changed = snapshot.diff(before, snapshot.take(plan))
    _judge(w, actor, call.path, _expected(w, actor, api=False), response, changed, api=False)


# --- the Django admin ----------------------------------------------------------------------------------


def _admin_add_urls() -> list[str]:
    from django.contrib import admin
    from django.urls import reverse

    return sorted(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        for model in admin.site._registry
    )


@pytest.mark.django_db
@pytest.mark.parametrize("actor", roles.ROLES)
def test_admin_writes_are_for_staff_only(actor: str, world: tuple[World, snapshot.Plan]) -> None:
    """`admin/` is Django's admin: staff only (granted by `gapbridge add-user --role secretariat`). No role
    of the matrix is staff, so a POST to every model's add page redirects to the admin login and
    writes nothing."""
    built, plan = world
    client = Client(enforce_csrf_checks=True)
    account = built.user(actor)
    if account is not None:
        client.force_login(account)
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF
    before = snapshot.take(plan)
    for url in _admin_add_urls():
        response = client.post(url, {"csrfmiddlewaretoken": CSRF})
        assert response.status_code == 302, (
            f"POST {url} as {actor} → expected 302, got {response.status_code}"
        )
        assert response["Location"].startswith("/admin/login/"), (
            f"POST {url} as {actor} → {response['Location']}"
        )
    assert snapshot.diff(before, snapshot.take(plan)) == []
