"""Sign-in throttling that holds behind a reverse proxy, at /accounts/login/ and /admin/login/ alike, the
client address it counts against, and the cap on password-reset e-mails."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.core import mail
from django.http import HttpRequest
from django.test import Client, RequestFactory, override_settings

from gapbridge.web.client import client_address, client_bucket
from tests import factories

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.1"
VICTIM = "198.51.100.7"
PROXY = "127.0.0.1"
LOCKED = "Too many failed sign-ins"


def _sign_in(client: Client, username: str, password: str, url: str = "/accounts/login/") -> Any:
    return client.post(url, {"username": username, "password": password})


def _staff(username: str) -> AbstractUser:
    account = factories.user(username)
    account.is_staff = True
    account.save(update_fields=["is_staff"])
    return account


# --- the admin's sign-in is the throttled one (H1) -----------------------------------------------------


def test_admin_sign_in_is_throttled() -> None:
    _staff("sec")
    client = Client()
    answers = [_sign_in(client, "sec", "wrong", "/admin/login/").status_code for _ in range(20)]
    assert answers == [200] * 5 + [429] * 15
    locked = _sign_in(client, "sec", factories.PASSWORD, "/admin/login/")
    assert locked.status_code == 429 and LOCKED in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_sign_in_is_refused_while_accounts_login_is_locked() -> None:
    _staff("sec")
    client = Client()
    for _ in range(5):
        assert _sign_in(client, "sec", "wrong").status_code == 200
    assert _sign_in(client, "sec", factories.PASSWORD).status_code == 429
    admin = _sign_in(client, "sec", factories.PASSWORD, "/admin/login/")
    assert admin.status_code == 429, "the admin's sign-in shares the counters of /accounts/login/"
    assert "_auth_user_id" not in client.session


def test_admin_failures_count_on_accounts_login_too() -> None:
    _staff("sec")
    client = Client()
    for _ in range(5):
        assert _sign_in(client, "sec", "wrong", "/admin/login/").status_code == 200
    assert _sign_in(client, "sec", factories.PASSWORD).status_code == 429


def test_admin_sign_in_page_signs_in_and_goes_on_to_the_admin() -> None:
    _staff("sec")
    client = Client()
    bounced = client.get("/admin/")
    assert bounced.status_code == 302 and bounced["Location"].startswith("/admin/login/")
    page = client.get("/admin/login/")
    assert page.status_code == 200
    assert 'name="next" value="/admin/"' in page.content.decode(), "the form comes back to the admin"
    signed_in = _sign_in(client, "sec", factories.PASSWORD, "/admin/login/")
    assert signed_in.status_code == 302 and signed_in["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/?next=/admin/auth/").headers["Location"] == "/admin/auth/"


# --- per (name, address) pair, per address, per name (H2) ----------------------------------------------


def test_made_up_names_from_one_client_do_not_lock_out_others() -> None:
    factories.user("orgB")
    _staff("sec")
    attacker, victim = Client(REMOTE_ADDR=ATTACKER), Client(REMOTE_ADDR=VICTIM)
    for i in range(5):
        assert _sign_in(attacker, f"nobody{i}", "wrong").status_code == 200
    assert _sign_in(victim, "orgB", factories.PASSWORD).status_code == 302
    assert _sign_in(victim, "sec", factories.PASSWORD, "/admin/login/").status_code == 302
    # five failures over five names are below the per-address limit: the attacker's client still may try
    assert _sign_in(Client(REMOTE_ADDR=ATTACKER), "orgB", factories.PASSWORD).status_code == 302


def test_one_client_cannot_lock_a_chosen_account() -> None:
    factories.user("amina")
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(5):
        assert _sign_in(attacker, "amina", "wrong").status_code == 200
    assert _sign_in(attacker, "amina", factories.PASSWORD).status_code == 429
    assert _sign_in(attacker, "Amina ", factories.PASSWORD).status_code == 429, "same name, other spelling"
    # the attacker keeps failing, but is refused unread and cannot add to the account's count
    for _ in range(20):
        assert _sign_in(attacker, "amina", "wrong").status_code == 429
    assert _sign_in(Client(REMOTE_ADDR=VICTIM), "amina", factories.PASSWORD).status_code == 302


@override_settings(LOGIN_MAX_FAILURES_PER_ADDRESS=8)
def test_one_client_trying_many_names_is_throttled() -> None:
    factories.user("amina")
    attacker = Client(REMOTE_ADDR=ATTACKER)
    answers = [_sign_in(attacker, f"user{i}", "Spring2026!").status_code for i in range(12)]
    assert answers == [200] * 8 + [429] * 4
    assert _sign_in(attacker, "amina", factories.PASSWORD).status_code == 429
    assert _sign_in(Client(REMOTE_ADDR=VICTIM), "amina", factories.PASSWORD).status_code == 302


@override_settings(LOGIN_MAX_FAILURES_PER_USERNAME=10)
def test_one_name_tried_from_many_clients_is_throttled() -> None:
    factories.user("amina")
    for address in ("192.0.2.1", "192.0.2.2"):
        for _ in range(5):
            assert _sign_in(Client(REMOTE_ADDR=address), "amina", "wrong").status_code == 200
    assert _sign_in(Client(REMOTE_ADDR=VICTIM), "amina", factories.PASSWORD).status_code == 429
    assert _sign_in(Client(REMOTE_ADDR=VICTIM), "someone-else", "wrong").status_code == 200


@override_settings(LOGIN_MAX_FAILURES_PER_USERNAME=10)
def test_a_browser_that_signed_in_before_is_not_shut_out_by_the_per_name_limit() -> None:
    factories.user("amina")
    mine = Client(REMOTE_ADDR=VICTIM)
    assert _sign_in(mine, "amina", factories.PASSWORD).status_code == 302  # a known browser from now on
    known = mine.cookies["gb_known"].value
    mine.logout()  # (the test client's logout forgets every cookie; a browser keeps this one)
    mine.cookies["gb_known"] = known
    for address in ("192.0.2.1", "192.0.2.2"):
        for _ in range(5):
            _sign_in(Client(REMOTE_ADDR=address), "amina", "wrong")
    assert _sign_in(Client(REMOTE_ADDR=VICTIM), "amina", factories.PASSWORD).status_code == 429
    assert _sign_in(mine, "amina", factories.PASSWORD).status_code == 302, "its own browser still signs in"
    # a forged cookie does not count
    forged = Client(REMOTE_ADDR=VICTIM)
    forged.cookies["gb_known"] = "amina"
    assert _sign_in(forged, "amina", factories.PASSWORD).status_code == 429


def test_look_alike_spellings_of_a_name_share_its_counters() -> None:
    factories.user("amina")
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for name in ("amina", "AMINA", "ａmina", "𝐚mina", "amina "):
        _sign_in(attacker, name, "wrong")
    assert _sign_in(attacker, "ａｍｉｎａ", factories.PASSWORD).status_code == 429


def test_default_thresholds_are_ordered() -> None:
    from django.conf import settings

    assert settings.LOGIN_MAX_FAILURES == 5
    assert settings.LOGIN_MAX_FAILURES < settings.LOGIN_MAX_FAILURES_PER_ADDRESS
    assert settings.LOGIN_MAX_FAILURES_PER_ADDRESS <= settings.LOGIN_MAX_FAILURES_PER_USERNAME


def test_success_clears_the_pair_only() -> None:
    factories.user("amina")
    client = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(4):
        assert _sign_in(client, "amina", "wrong").status_code == 200
    assert _sign_in(client, "amina", factories.PASSWORD).status_code == 302
    client = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(5):
        assert _sign_in(client, "amina", "wrong").status_code == 200
    assert _sign_in(client, "amina", factories.PASSWORD).status_code == 429


def test_a_signed_in_session_guessing_another_password_is_counted() -> None:
    factories.user("amina")
    client = Client(REMOTE_ADDR=ATTACKER)
    client.force_login(factories.user("mallory"))
    for _ in range(5):
        assert _sign_in(client, "amina", "wrong").status_code == 200
    assert _sign_in(client, "amina", factories.PASSWORD).status_code == 429


# --- the client address: X-Forwarded-For only from trusted proxies -------------------------------------


def test_forwarded_for_is_ignored_without_the_proxy_setting() -> None:
    factories.user("amina")
    for i in range(5):
        forged = Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
        assert _sign_in(forged, "amina", "wrong").status_code == 200
    other_header = Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=VICTIM)
    assert _sign_in(other_header, "amina", factories.PASSWORD).status_code == 429, "header not trusted"


@override_settings(TRUSTED_PROXIES=1)
def test_forwarded_for_gives_the_client_behind_one_proxy() -> None:
    factories.user("amina")
    factories.user("orgB")

    def via_proxy(forwarded: str) -> Client:
        return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)

    for i in range(5):
        assert _sign_in(via_proxy(ATTACKER), f"nobody{i}", "wrong").status_code == 200
    for _ in range(5):
        assert _sign_in(via_proxy(ATTACKER), "amina", "wrong").status_code == 200
    assert _sign_in(via_proxy(ATTACKER), "amina", factories.PASSWORD).status_code == 429
    # the proxy appends the real address; what the client wrote further left does not help it
    assert _sign_in(via_proxy(f"{VICTIM}, {ATTACKER}"), "amina", factories.PASSWORD).status_code == 429
    assert _sign_in(via_proxy(VICTIM), "amina", factories.PASSWORD).status_code == 302
    assert _sign_in(via_proxy(VICTIM), "orgB", factories.PASSWORD).status_code == 302


def _request(remote: str = ATTACKER, forwarded: str | None = None) -> HttpRequest:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, ATTACKER, None, ATTACKER),
        (0, ATTACKER, VICTIM, ATTACKER),
        (1, PROXY, None, PROXY),
        (1, PROXY, VICTIM, VICTIM),
        (1, PROXY, f"{VICTIM}, {ATTACKER}", ATTACKER),
        (1, PROXY, f"{ATTACKER}:51234", ATTACKER),
        (1, PROXY, "[2001:db8::7]:443", "2001:db8::7"),
        (1, PROXY, "unknown", PROXY),
        (2, PROXY, f"1.1.1.1, {VICTIM}, 10.0.0.2", VICTIM),
        (2, PROXY, VICTIM, VICTIM),
        (0, "::ffff:203.0.113.1", None, ATTACKER),
        (0, "", None, "unknown"),
    ],
)
def test_client_address(proxies: int, remote: str, forwarded: str | None, expected: str) -> None:
    with override_settings(TRUSTED_PROXIES=proxies):
        assert client_address(_request(remote, forwarded)) == expected


def test_an_ipv6_client_counts_as_its_64() -> None:
    assert client_bucket(_request("2001:db8:1:2::1")) == client_bucket(_request("2001:db8:1:2:ffff::9"))
    assert client_bucket(_request("2001:db8:1:2::1")) == "2001:db8:1:2::/64"
    assert client_bucket(_request("2001:db8:1:3::1")) != client_bucket(_request("2001:db8:1:2::1"))
    assert client_bucket(_request(ATTACKER)) == ATTACKER


# --- password reset e-mails are capped (L2) ------------------------------------------------------------


def _reset(client: Client, email: str) -> Any:
    return client.post("/accounts/password_reset/", {"email": email})


def test_password_reset_mails_are_capped_per_address() -> None:
    factories.user("sec")
    client = Client(REMOTE_ADDR=ATTACKER)
    answers = [_reset(client, "sec@example.org") for _ in range(30)]
    assert {(r.status_code, r["Location"]) for r in answers} == {(302, "/accounts/password_reset/done/")}
    assert len(mail.outbox) == 3
    assert all(m.to == ["sec@example.org"] for m in mail.outbox)
    assert _reset(Client(REMOTE_ADDR=VICTIM), "SEC@example.org").status_code == 302
    assert len(mail.outbox) == 3, "the cap is per e-mail address, from any client"


def test_password_reset_mails_are_capped_per_client() -> None:
    for i in range(12):
        factories.user(f"user{i}")
    client = Client(REMOTE_ADDR=ATTACKER)
    for i in range(12):
        assert _reset(client, f"user{i}@example.org").status_code == 302
    assert len(mail.outbox) == 10
    assert _reset(Client(REMOTE_ADDR=VICTIM), "user11@example.org").status_code == 302
    assert len(mail.outbox) == 11, "another client is not held back"


def test_password_reset_answers_the_same_for_unknown_addresses() -> None:
    factories.user("sec")
    client = Client(REMOTE_ADDR=ATTACKER)
    assert client.get("/accounts/password_reset/").status_code == 200
    unknown = _reset(client, "nobody@example.org")
    known = _reset(client, "sec@example.org")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert len(mail.outbox) == 1
