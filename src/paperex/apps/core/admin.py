from django.contrib import admin

from paperex.apps.core.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin[JobRun]):
    list_display = ["name", "key", "status", "message", "started_at", "finished_at"]
    list_filter = ["name", "status"]
    search_fields = ["key", "message"]
    readonly_fields = [field.name for field in JobRun._meta.fields]
