from django.contrib import admin

from paperex.apps.listings.models import NewListing, SeenSymbol

admin.site.register(SeenSymbol)
admin.site.register(NewListing)
