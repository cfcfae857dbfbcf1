"""Sign-in and password reset with throttling.

Sign-in (at /accounts/login/ and at the admin's /admin/login/, with the same counters) counts failures
within `LOGIN_LOCKOUT_SECONDS` three ways and refuses with 429 once any count reaches its limit:

- per (user name, client address) pair, `LOGIN_MAX_FAILURES`: guessing one account's password from one client;
- per client address, `LOGIN_MAX_FAILURES_PER_ADDRESS` (higher): one client trying many user names;
- per user name, `LOGIN_MAX_FAILURES_PER_USERNAME` (higher still): one account tried from many clients.

So failures from one client do not stop the real user signing in from another one, and one attacker cannot
lock an account out on their own. The client address comes from `web.client` (behind a reverse proxy, set
`TRUSTED_PROXIES`).

Password reset sends at most `PASSWORD_RESET_MAX_PER_EMAIL` e-mails per address and
`PASSWORD_RESET_MAX_PER_CLIENT` per client within `PASSWORD_RESET_WINDOW_SECONDS`; past that it answers
the same "check your e-mail" page without sending, so it reveals nothing about which accounts exist.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.views import LoginView, PasswordResetView
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from gapbridge.web.client import client_bucket

log = logging.getLogger(__name__)


def _key(prefix: str, *parts: str) -> str:
    # Hashed: user names and addresses are client-chosen text of any length.
    return f"{prefix}:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _count(key: str, timeout: int) -> None:
    """Add one to a counter that lives `timeout` seconds from its first count (atomic in Redis)."""
    if cache.add(key, 1, timeout=timeout):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=timeout)


def _username(request: HttpRequest) -> str:
    """The name as the sign-in form reads it (NFKC, as Django's UsernameField does: "ａmina" is "amina"),
    case-folded, so look-alike spellings of one account share its counters."""
    return unicodedata.normalize("NFKC", str(request.POST.get("username", ""))).strip().casefold()


#: A browser that has signed in to an account before carries this signed cookie naming it; the per-name limit
#: (which anyone can reach by failing from many addresses) does not shut that browser out.
KNOWN_COOKIE = "gb_known"
KNOWN_SALT = "gapbridge.signin.known"
KNOWN_MAX_AGE = 180 * 24 * 3600


def _known_names(request: HttpRequest) -> list[str]:
    raw = request.COOKIES.get(KNOWN_COOKIE, "")
    if not raw:
        return []
    try:
        names = signing.loads(raw, salt=KNOWN_SALT, max_age=KNOWN_MAX_AGE)
    except signing.BadSignature:
        return []
    return [str(n) for n in names][:10] if isinstance(names, list) else []


def _pair_key(request: HttpRequest) -> str:
    return _key("login-fail", "pair", _username(request), client_bucket(request))


def _limits(request: HttpRequest) -> list[tuple[str, int]]:
    """The sign-in failure counters this request counts against, each with its limit."""
    return [
        (_pair_key(request), settings.LOGIN_MAX_FAILURES),
        (_key("login-fail", "addr", client_bucket(request)), settings.LOGIN_MAX_FAILURES_PER_ADDRESS),
        (_key("login-fail", "user", _username(request)), settings.LOGIN_MAX_FAILURES_PER_USERNAME),
    ]


def is_locked(request: HttpRequest) -> bool:
    """Whether this sign-in attempt (user name and client from the request) is refused for now. A browser
    known to the account (see `KNOWN_COOKIE`) is held by the pair and address limits only."""
    limits = _limits(request)
    if _username(request) in _known_names(request):
        limits = limits[:2]
    counts = cache.get_many([key for key, _limit in limits])
    return any((counts.get(key) or 0) >= limit for key, limit in limits)


def record_failure(request: HttpRequest) -> None:
    for key, _limit in _limits(request):
        _count(key, settings.LOGIN_LOCKOUT_SECONDS)


def record_success(request: HttpRequest) -> None:
    """The pair's count starts again; the per-address and per-name counts stay, or an attacker could clear
    them by signing in to an account of their own between guesses."""
    cache.delete(_pair_key(request))


class ThrottledLoginView(LoginView):
    template_name = "registration/login.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if is_locked(request):
            # Refused before the password is checked, so guesses during the lockout tell nothing.
            form = self.get_form()
            form.add_error(None, _("Too many failed sign-ins. Please wait 15 minutes and try again."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        record_success(self.request)
        response = super().form_valid(form)
        names = [n for n in _known_names(self.request) if n != _username(self.request)]
        response.set_cookie(
            KNOWN_COOKIE,
            signing.dumps([_username(self.request), *names][:10], salt=KNOWN_SALT),
            max_age=KNOWN_MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        # Counted whoever asks, also a session that is already signed in (trying another account's password).
        record_failure(self.request)
        return super().form_invalid(form)


class AdminLoginView(ThrottledLoginView):
    """/admin/login/ (routed before the admin's own, unthrottled view): the same sign-in page and counters;
    after signing in it goes on to the admin (or to `next`)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff:
            return HttpResponseRedirect(self.get_success_url())
        return super().get(request, *args, **kwargs)

    def get_default_redirect_url(self) -> str:
        return reverse("admin:index")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # The page's form posts to /accounts/login/; `next` brings the user back to the admin from there.
        context[self.redirect_field_name] = context.get(self.redirect_field_name) or reverse("admin:index")
        return context


class ThrottledPasswordResetView(PasswordResetView):
    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        window = settings.PASSWORD_RESET_WINDOW_SECONDS
        email_key = _key("reset-mail", "email", str(form.cleaned_data["email"]).strip().casefold())
        client_key = _key("reset-mail", "client", client_bucket(self.request))
        counts = cache.get_many([email_key, client_key])
        if (counts.get(email_key) or 0) >= settings.PASSWORD_RESET_MAX_PER_EMAIL or (
            counts.get(client_key) or 0
        ) >= settings.PASSWORD_RESET_MAX_PER_CLIENT:
            log.warning("password reset e-mail not sent: limit reached for this address or client")
            # The same answer as when an e-mail goes out: whether the account exists stays unknown.
            return HttpResponseRedirect(self.get_success_url())
        _count(email_key, window)
        _count(client_key, window)
        return super().form_valid(form)
