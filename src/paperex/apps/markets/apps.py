from django.apps import AppConfig


class MarketsConfig(AppConfig):
    name = "paperex.apps.markets"
    label = "markets"

    def ready(self) -> None:
        from paperex.apps.core.retention import rules_register
        from paperex.apps.markets.retention import candle_rules

        rules_register(candle_rules)
