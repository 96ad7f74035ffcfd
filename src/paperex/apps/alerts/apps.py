from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "paperex.apps.alerts"
    label = "alerts"
    verbose_name = "Price alerts"

    def ready(self) -> None:
        from paperex.apps.alerts.evaluator import alert_monitor
        from paperex.apps.alerts.retention import alert_rules
        from paperex.apps.core.retention import rules_register
        from paperex.apps.marketdata.runtime import runtime

        runtime.add_listener(alert_monitor.on_event)
        rules_register(alert_rules)
