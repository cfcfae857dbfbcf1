"""Pages of the needs app."""

from django.urls import URLPattern, URLResolver, path

from gapbridge.needs import views

app_name = "needs"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.need_list, name="list"),
    path("new/", views.need_create, name="new"),
    path("<int:need_id>/", views.need_detail, name="detail"),
    path("<int:need_id>/edit/", views.need_edit, name="edit"),
    path("<int:need_id>/status/", views.need_transition, name="transition"),
    path("<int:need_id>/adopt/", views.need_adopt, name="adopt"),
]
