"""The deterministic synthetic market, the default feed; registers the ``synthetic`` parser."""

from paperex.marketdata.feed import register_parser
from paperex.marketdata.synthetic.feed import SyntheticFeed, stream_names
from paperex.marketdata.synthetic.market import VENUE, MarketSettings, SyntheticMarket
from paperex.marketdata.synthetic.profiles import DEFAULT_PROFILES, AssetProfile, profile_for
from paperex.marketdata.synthetic.wire import encode_event, parse_message

register_parser(VENUE, parse_message)

__all__ = [
    "DEFAULT_PROFILES",
    "VENUE",
    "AssetProfile",
    "MarketSettings",
    "SyntheticFeed",
    "SyntheticMarket",
    "encode_event",
    "parse_message",
    "profile_for",
    "stream_names",
]
