from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "gapbridge.organizations"
    verbose_name = "Organizations"
