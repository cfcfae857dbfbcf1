"""Pages of pledges and results, under /pledges/."""

from django.urls import URLPattern, URLResolver, path

from gapbridge.pledges import views

app_name = "pledges"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.accountability, name="accountability"),
    path("new/", views.pledge_new, name="new"),
    path("results/", views.results_overview, name="results"),
    path("results/<int:activity_id>/", views.project_results, name="project-results"),
    path("<int:pledge_id>/", views.pledge_detail, name="detail"),
    path("<int:pledge_id>/flows/", views.pledge_flow, name="flow"),
    path("<int:pledge_id>/status/", views.pledge_transition, name="transition"),
    path("<int:pledge_id>/activities/", views.pledge_activity, name="activity"),
]
