from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "paperex.apps.journal"
    label = "journal"
    verbose_name = "Trade journal"
