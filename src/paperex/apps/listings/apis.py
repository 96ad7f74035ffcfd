"""REST API of new-listing detection: /api/listings/ (your snapshot of a venue),
/api/listings/check/ (check now) and /api/listings/new/ (the new listings found)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paperex.apps.core.api import user_id_of
from paperex.apps.listings.models import NewListing, SeenSymbol
from paperex.apps.listings.selectors import new_listing_list, seen_symbol_list
from paperex.apps.listings.serializers import (
    ListingsCheckSerializer,
    NewListingSerializer,
    SeenSymbolSerializer,
    VenueSerializer,
)
from paperex.apps.listings.services import listings_check


def _venue(data: Any) -> str:
    venue = VenueSerializer(data=data)
    venue.is_valid(raise_exception=True)
    return venue.venue_or_default()


class ListingSnapshotApi(ListAPIView[SeenSymbol]):
    """The symbols you have seen listed on a venue, with their price when first seen."""

    permission_classes = [IsAuthenticated]
    serializer_class = SeenSymbolSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        venue = _venue(self.request.query_params)
        return seen_symbol_list(user_id=user_id_of(self.request), venue=venue)

    @extend_schema(parameters=[VenueSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ListingsCheckApi(APIView):
    """Check a venue for new listings now: the symbols it lists that your snapshot lacks, which
    join the snapshot (your first check of a venue stores the snapshot and finds none). 503
    `venue_unavailable` with Retry-After when the venue does not answer; nothing changes then."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=VenueSerializer, responses=ListingsCheckSerializer)
    def post(self, request: Request) -> Response:
        venue = _venue(request.data)
        found = listings_check(user_id=user_id_of(request), venue=venue)
        return Response(ListingsCheckSerializer({"venue": venue, "new": found}).data)


class NewListingHistoryApi(ListAPIView[NewListing]):
    """The new listings found for you, newest first (optionally of one `venue`)."""

    permission_classes = [IsAuthenticated]
    serializer_class = NewListingSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        filters = VenueSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return new_listing_list(
            user_id=user_id_of(self.request), venue=filters.validated_data.get("venue")
        )

    @extend_schema(parameters=[VenueSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
