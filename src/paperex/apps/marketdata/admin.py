from django.contrib import admin

from paperex.apps.marketdata.models import ReplaySession


@admin.register(ReplaySession)
class ReplaySessionAdmin(admin.ModelAdmin[ReplaySession]):
    list_display = ["id", "file_name", "speed", "loop", "status", "messages", "events"]
    list_filter = ["status"]
    readonly_fields = ["messages", "events", "error", "started_at", "finished_at"]
