from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "gapbridge.web"
    verbose_name = "Web pages"
