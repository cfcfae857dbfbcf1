"""Pages of the barrier register, under /barriers/."""

from django.urls import URLPattern, URLResolver, path

from gapbridge.barriers import views

app_name = "barriers"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.barrier_list, name="list"),
    path("report/", views.barrier_report, name="report"),
    path("following/", views.following, name="following"),
    path("following/<int:subscription_id>/remove/", views.unfollow, name="unfollow"),
    path("following/read/", views.mark_read, name="mark-read"),
    path("<int:barrier_id>/", views.barrier_detail, name="detail"),
    path("<int:barrier_id>/edit/", views.barrier_edit, name="edit"),
    path("<int:barrier_id>/status/", views.barrier_transition, name="transition"),
    path("<int:barrier_id>/updates/", views.barrier_update, name="update"),
    path("<int:barrier_id>/links/", views.barrier_link, name="link"),
    path("<int:barrier_id>/links/<int:link_id>/remove/", views.barrier_unlink, name="unlink"),
    path("<int:barrier_id>/merge/", views.barrier_merge, name="merge"),
    path("<int:barrier_id>/raise-need/", views.barrier_raise_need, name="raise-need"),
]
