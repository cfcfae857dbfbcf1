from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gapbridge.accounts"
    verbose_name = "Accounts and roles"
