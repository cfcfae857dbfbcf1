"""URL map: pages, the JSON API under /api/v1, the secretariat's admin, and accounts."""

from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.http import require_GET

from gapbridge.api.v1 import api
from gapbridge.web.auth_views import AdminLoginView, ThrottledLoginView, ThrottledPasswordResetView

urlpatterns = [
    # browsers and crawlers ask for /favicon.ico whatever the page says
    path(
        "favicon.ico",
        require_GET(lambda _request: HttpResponsePermanentRedirect(static("gapbridge/favicon.svg"))),
    ),
    # Before admin.site.urls: the admin's own sign-in view is not throttled; this one shares the counters of
    # /accounts/login/ (web/auth_views.py).
    path("admin/login/", AdminLoginView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    # Before django.contrib.auth.urls, which would send reset e-mails without any limit.
    path("accounts/password_reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("account/", include("gapbridge.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("projects/", include("gapbridge.projects.urls")),
    path("offers/", include("gapbridge.offers.urls")),
    path("needs/", include("gapbridge.needs.urls")),
    path("matches/", include("gapbridge.matches.urls")),
    path("events/", include("gapbridge.events.urls")),
    path("barriers/", include("gapbridge.barriers.urls")),
    path("pledges/", include("gapbridge.pledges.urls")),
    path("analytics/", include("gapbridge.analytics.urls")),
    path("", include("gapbridge.web.urls")),
]
