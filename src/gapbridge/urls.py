"""URL map: pages, the JSON API under /api/v1, the secretariat's admin, and accounts."""

from django.contrib import admin
from django.urls import include, path

from gapbridge.api.v1 import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("gapbridge.web.urls")),
]
