from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "paperex.apps.accounts"
    label = "accounts"
