from django.apps import AppConfig


class PledgesConfig(AppConfig):
    name = "gapbridge.pledges"
