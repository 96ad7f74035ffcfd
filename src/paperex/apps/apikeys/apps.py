from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "paperex.apps.apikeys"
    label = "apikeys"
    verbose_name = "API keys"
