from django.contrib import admin

from paperex.apps.alerts.models import AlertTrigger, PriceAlert

admin.site.register(PriceAlert)
admin.site.register(AlertTrigger)
