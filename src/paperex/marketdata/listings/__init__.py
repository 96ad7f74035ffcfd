"""What a venue lists now, with prices: Binance's ``ticker/price`` and the synthetic venue's
seeded list that grows with time. Comparing with what a user saw happens in the listings app."""

from paperex.marketdata.listings.binance import BinanceListingSource
from paperex.marketdata.listings.source import ListedSymbol, ListingSource, VenueUnavailableError
from paperex.marketdata.listings.synthetic import SyntheticListingSource

__all__ = [
    "BinanceListingSource",
    "ListedSymbol",
    "ListingSource",
    "SyntheticListingSource",
    "VenueUnavailableError",
]
