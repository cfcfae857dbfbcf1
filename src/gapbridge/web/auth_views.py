"""Sign-in with throttling: after repeated failures for one user name or address, sign-in pauses a while."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


def _keys(request: HttpRequest) -> list[str]:
    username = request.POST.get("username", "").strip().casefold()
    address = str(request.META.get("REMOTE_ADDR", "?"))
    return [
        "login-fail:" + hashlib.sha256(f"user:{username}".encode()).hexdigest()[:32],
        "login-fail:" + hashlib.sha256(f"addr:{address}".encode()).hexdigest()[:32],
    ]


def is_locked(request: HttpRequest) -> bool:
    return any((cache.get(k) or 0) >= settings.LOGIN_MAX_FAILURES for k in _keys(request))


class ThrottledLoginView(LoginView):
    template_name = "registration/login.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if is_locked(request):
            form = self.get_form()
            form.add_error(None, _("Too many failed sign-ins. Please wait 15 minutes and try again."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            for key in _keys(request):
                cache.delete(key)
        else:
            for key in _keys(request):
                cache.set(key, (cache.get(key) or 0) + 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)
        return response
