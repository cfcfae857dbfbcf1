from django.urls import path

from gapbridge.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("countries/", views.country_list, name="country-list"),
    path("countries.csv", views.country_csv, name="country-csv"),
    path("countries/<str:iso3>/", views.country_profile, name="country-profile"),
    path("compare/", views.compare, name="compare"),
    path("search/", views.search, name="search"),
    path("about/methodology/", views.methodology, name="methodology"),
    path("healthz", views.healthz, name="healthz"),
]
