from django.apps import AppConfig


class OffersConfig(AppConfig):
    name = "gapbridge.offers"
