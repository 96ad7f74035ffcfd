from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "paperex.apps.apikeys"
    label = "apikeys"
    verbose_name = "API keys"

    def ready(self) -> None:
        from paperex.apps.apikeys.selectors import apikey_holders
        from paperex.apps.core.key_holders import active_keys_reader_register

        active_keys_reader_register(apikey_holders)
