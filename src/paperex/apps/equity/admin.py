from django.contrib import admin

from paperex.apps.equity.models import EquitySnapshot

admin.site.register(EquitySnapshot)
