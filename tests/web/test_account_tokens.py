"""Users get and revoke their own API tokens on a page or at the command line; the secretariat uses the
admin."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from typer.testing import CliRunner

from gapbridge.accounts import services as accounts
from gapbridge.accounts.models import ApiToken, Role
from gapbridge.audit.models import AuditEntry
from gapbridge.cli import app
from tests import factories

pytestmark = pytest.mark.django_db
SECRET = re.compile(r'id="token-secret">(gbt_[A-Za-z0-9_\-]+)<')


def _bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_user_creates_sees_once_uses_and_revokes_a_token() -> None:
    user = factories.user("fp", Role.FOCAL_POINT, iso3="KEN")
    client = Client()
    assert client.get("/account/tokens/").status_code == 302, "sign in first"
    client.force_login(user)
    page = client.get("/account/tokens/")
    assert page.status_code == 200 and "No token yet." in page.content.decode()
    created = client.post(
        "/account/tokens/", {"name": "nightly sync", "scopes": ["read", "write"], "days": "30"}
    )
    assert created.status_code == 200 and "no-store" in created["Cache-Control"]
    found = SECRET.search(created.content.decode())
    assert found is not None
    secret = found.group(1)
    token = ApiToken.objects.get(user=user)
    assert token.scopes == ["read", "write"] and secret not in (token.digest, token.prefix)
    assert secret not in client.get("/account/tokens/").content.decode(), "shown once"
    # the token works on the API as this user: a write needing the "write" scope
    need = {
        "country": "KEN",
        "title": "Token need",
        "description": "Made by a script.",
        "focus_areas": ["digital-skills"],
    }
    api = Client()
    assert (
        api.post("/api/v1/needs", need, content_type="application/json", **_bearer(secret)).status_code == 201
    )
    # revoked, it no longer does
    revoked = client.post(f"/account/tokens/{token.pk}/revoke/")
    assert revoked.status_code == 302
    assert (
        api.post("/api/v1/needs", need, content_type="application/json", **_bearer(secret)).status_code == 401
    )
    assert "revoked" in client.get("/account/tokens/").content.decode()


def test_a_token_form_with_bad_input_says_why_and_creates_nothing() -> None:
    user = factories.user("ed")
    client = Client()
    client.force_login(user)
    for form, reason in (
        ({"name": "x", "days": "30"}, "scopes must be among"),
        ({"name": "x", "scopes": ["admin"], "days": "30"}, "scopes must be among"),
        ({"name": "x", "scopes": ["read"], "days": "9999"}, "1 to 365 days"),
        ({"name": "x", "scopes": ["read"], "days": "soon"}, "1 to 365 days"),
        ({"name": "  ", "scopes": ["read"], "days": "30"}, "needs a name"),
    ):
        response = client.post("/account/tokens/", form)
        assert response.status_code == 400 and reason in response.content.decode()
    assert not ApiToken.objects.exists()


def test_nobody_revokes_someone_elses_token() -> None:
    owner, other = factories.user("owner"), factories.user("other")
    client = Client()
    client.force_login(owner)
    client.post("/account/tokens/", {"name": "mine", "scopes": ["read"], "days": "30"})
    token = ApiToken.objects.get(user=owner)
    client.force_login(other)
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 403
    assert client.post("/account/tokens/999999/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_command_line_issues_and_revokes_tokens() -> None:
    factories.user("script-owner")
    runner = CliRunner()
    result = runner.invoke(
        app, ["issue-token", "script-owner", "--name", "ci", "--scope", "read", "--days", "7", "--json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["user"] == "script-owner" and body["scopes"] == ["read"] and body["secret"].startswith("gbt_")
    assert Client().get("/api/v1/offers", **_bearer(body["secret"])).status_code == 200
    bad = runner.invoke(app, ["issue-token", "nobody", "--name", "ci"])
    assert bad.exit_code == 2 and "no user 'nobody'" in bad.stderr
    wrong = runner.invoke(app, ["issue-token", "script-owner", "--name", "ci", "--scope", "root"])
    assert wrong.exit_code == 2 and "scopes must be among" in wrong.stderr
    assert runner.invoke(app, ["revoke-token", str(body["id"])]).exit_code == 0
    assert ApiToken.objects.get(pk=body["id"]).revoked_at is not None
    assert runner.invoke(app, ["revoke-token", "999999"]).exit_code == 2


def test_the_secretariat_reads_the_audit_log_and_revokes_tokens_in_the_admin() -> None:
    sec = accounts.add_user(
        None, "sec", "sec@example.org", factories.PASSWORD, role=Role.SECRETARIAT, bootstrap=True
    )
    owner = factories.user("owner")
    client = Client()
    client.force_login(owner)
    client.post("/account/tokens/", {"name": "theirs", "scopes": ["read"], "days": "30"})
    token = ApiToken.objects.get(user=owner)
    admin = Client()
    admin.force_login(sec)
    assert admin.get("/admin/").status_code == 200
    log = admin.get("/admin/audit/auditentry/")
    assert log.status_code == 200 and AuditEntry.objects.exists()
    assert admin.get(f"/admin/audit/auditentry/{AuditEntry.objects.first().pk}/change/").status_code == 200
    listed = admin.get("/admin/accounts/apitoken/").content.decode()
    assert "theirs" in listed and token.digest not in listed
    revoke = admin.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [str(token.pk)]}
    )
    assert revoke.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    # the audit log stays append-only, for the secretariat too
    assert admin.post(f"/admin/audit/auditentry/{AuditEntry.objects.first().pk}/delete/").status_code == 403
    # other roles get no admin at all
    focal = factories.user("fp", Role.FOCAL_POINT, iso3="KEN")
    other = Client()
    other.force_login(focal)
    assert other.get("/admin/").status_code == 302


def test_the_secretariat_cannot_raise_itself_or_write_behind_the_services_in_the_admin() -> None:
    sec = accounts.add_user(
        None, "sec", "sec@example.org", factories.PASSWORD, role=Role.SECRETARIAT, bootstrap=True
    )
    admin = Client()
    admin.force_login(sec)
    assert admin.get("/admin/auth/user/").status_code == 200, "it may look at accounts"
    change = admin.post(
        f"/admin/auth/user/{sec.pk}/change/",
        {"username": "sec", "is_active": "on", "is_staff": "on", "is_superuser": "on"},
    )
    assert change.status_code == 403
    sec.refresh_from_db()
    assert not sec.is_superuser
    assert admin.get("/admin/auth/user/add/").status_code == 403
    assert admin.get("/admin/events/meeting/add/").status_code == 403, "meetings come from the scheduler"
    assert admin.get("/admin/accounts/apitoken/").status_code == 200
    owner = factories.user("owner")
    _token, _secret = tokens_issue(owner)
    listed = admin.get("/admin/accounts/apitoken/").content.decode()
    assert "delete_selected" not in listed, "tokens are revoked, never deleted"


def test_a_secretariat_role_granted_in_the_admin_opens_the_admin() -> None:
    sec = accounts.add_user(
        None, "sec", "sec@example.org", factories.PASSWORD, role=Role.SECRETARIAT, bootstrap=True
    )
    colleague = factories.user("colleague")
    admin = Client()
    admin.force_login(sec)
    response = admin.post(
        "/admin/accounts/roleassignment/add/", {"user": colleague.pk, "role": Role.SECRETARIAT}
    )
    assert response.status_code == 302, response.content[:500]
    colleague.refresh_from_db()
    assert colleague.is_staff
    other = Client()
    other.force_login(colleague)
    assert other.get("/admin/audit/auditentry/").status_code == 200


def tokens_issue(user: object) -> tuple[ApiToken, str]:
    from gapbridge.accounts import tokens

    return tokens.issue(None, user, "listed", ["read"])  # type: ignore[arg-type]
