"""The signed-in user's own account page: API tokens (create, see once, revoke)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from gapbridge.accounts import tokens
from gapbridge.accounts.models import ApiToken
from gapbridge.accounts.permissions import PermissionDenied
from gapbridge.web import scope

DAY_CHOICES = (30, 90, 180, 365)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required
    return user


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """List the user's tokens; a POST creates one and shows its secret in this response only."""
    user = _user(request)
    secret, created, error = "", None, ""
    if request.method == "POST":
        try:
            days = int(request.POST.get("days", "90"))
        except ValueError:
            days = 0
        try:
            created, secret = tokens.issue(
                user, user, request.POST.get("name", ""), request.POST.getlist("scopes"), days
            )
        except tokens.TokenError as exc:
            error = str(exc)
    return render(  # never_cache: no-store, the secret is in this response only
        request,
        "accounts/tokens.html",
        {
            "tokens": tokens.of_user(user),
            "created": created,
            "secret": secret,
            "error": error,
            "scopes": ApiToken.Scope.choices,
            "day_choices": DAY_CHOICES,
            "now": timezone.now(),
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = tokens.revoke(_user(request), token_id)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    except PermissionDenied as exc:
        return scope.forbidden(str(exc))
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return HttpResponseRedirect(reverse("accounts:tokens"))
