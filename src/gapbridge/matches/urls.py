"""Pages of the matches app."""

from django.urls import URLPattern, URLResolver, path

from gapbridge.matches import views

app_name = "matches"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("act/", views.match_act, name="act"),
    path("provider/", views.provider_dashboard, name="provider"),
    path("focal-point/", views.focal_point_dashboard, name="focal-point"),
    path("alerts/", views.alerts_page, name="alerts"),
    path("<int:match_id>/", views.match_detail, name="detail"),
    path("<int:match_id>/status/", views.match_transition, name="transition"),
]
