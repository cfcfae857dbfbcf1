"""Pages of the projects app (mounted at /projects/)."""

from django.urls import URLPattern, URLResolver, path

from gapbridge.projects import views

app_name = "projects"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.search, name="search"),
    path("<int:pk>/", views.activity, name="activity"),
    path("publishers/", views.publishers, name="publishers"),
    path("publishers/<path:ref>/", views.publisher, name="publisher"),
    path("files/<int:pk>/", views.source_file, name="file"),
    path("funding/", views.funding_index, name="funding"),
    path("funding/<str:iso3>/", views.country_funding, name="country-funding"),
    path("upload/", views.upload, name="upload"),
    path("upload/<int:pk>/", views.upload_job, name="upload-job"),
    path("upload/<int:pk>/retry/", views.upload_retry, name="upload-retry"),
]
