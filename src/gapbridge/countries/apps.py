from django.apps import AppConfig


class CountriesConfig(AppConfig):
    name = "gapbridge.countries"
    verbose_name = "Countries, groups and indicators"
