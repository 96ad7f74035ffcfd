from django.apps import AppConfig


class StreamsConfig(AppConfig):
    name = "paperex.apps.streams"
    label = "streams"
    verbose_name = "Real-time streams"

    def ready(self) -> None:
        from paperex.apps.marketdata.runtime import runtime
        from paperex.apps.streams.fanout.hub import hub
        from paperex.apps.streams.price_monitors import price_monitors

        runtime.add_listener(hub.dispatch)
        runtime.add_listener(price_monitors.observe)
