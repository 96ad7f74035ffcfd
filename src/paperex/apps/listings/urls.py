from django.urls import path

from paperex.apps.listings.apis import ListingsCheckApi, ListingSnapshotApi, NewListingHistoryApi

urlpatterns = [
    path("listings/", ListingSnapshotApi.as_view(), name="listing-snapshot"),
    path("listings/check/", ListingsCheckApi.as_view(), name="listings-check"),
    path("listings/new/", NewListingHistoryApi.as_view(), name="listing-new"),
]
