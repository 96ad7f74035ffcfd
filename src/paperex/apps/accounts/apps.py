from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "paperex.apps.accounts"
    label = "accounts"

    def ready(self) -> None:
        from paperex.apps.accounts import login_limits  # noqa: F401  (connects its receiver)
        from paperex.apps.accounts.retention import session_rules
        from paperex.apps.core.retention import rules_register

        rules_register(session_rules)
