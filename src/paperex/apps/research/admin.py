from django.contrib import admin

from paperex.apps.research.models import BacktestRun


@admin.register(BacktestRun)
class BacktestRunAdmin(admin.ModelAdmin[BacktestRun]):
    list_display = ["id", "user", "status", "progress", "created_at", "finished_at"]
    list_filter = ["status"]
    exclude = ["csv"]  # the uploaded bytes: no use in a form
    readonly_fields = ["request", "result", "error", "created_at", "started_at", "finished_at"]
