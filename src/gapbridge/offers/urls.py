"""Pages of the offers app."""

from django.urls import URLPattern, URLResolver, path

from gapbridge.offers import views

app_name = "offers"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.offer_list, name="list"),
    path("new/", views.offer_create, name="new"),
    path("<int:offer_id>/", views.offer_detail, name="detail"),
    path("<int:offer_id>/edit/", views.offer_edit, name="edit"),
    path("<int:offer_id>/status/", views.offer_transition, name="transition"),
]
