"""Pages of the analytics app, under /analytics/."""

from django.urls import URLPattern, URLResolver, path

from gapbridge.analytics import views

app_name = "analytics"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.need_overview, name="need"),
    path("providers/", views.providers, name="providers"),
    path("allocate/", views.allocate, name="allocate"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert"),
    path("alerts/<int:alert_id>/status/", views.alert_status, name="alert-status"),
    path("countries/<str:iso3>/", views.country_brief, name="brief"),
    path("countries/<str:iso3>/brief.pdf", views.country_brief_pdf, name="brief-pdf"),
]
