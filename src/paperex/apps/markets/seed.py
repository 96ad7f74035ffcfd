"""The default assets and markets, with trading rules close to the real venues'."""

from __future__ import annotations

from typing import NamedTuple


class AssetSeed(NamedTuple):
    code: str
    name: str
    kind: str
    decimals: int


class MarketSeed(NamedTuple):
    base: str
    quote: str
    kind: str
    tick_size: str
    step_size: str
    min_notional: str
    venue: str
    mode: str = "PAPER"
    maker_fee_rate: str = "0.001"
    taker_fee_rate: str = "0.001"


ASSETS = [
    AssetSeed("USDT", "Tether USD", "crypto", 8),
    AssetSeed("BTC", "Bitcoin", "crypto", 8),
    AssetSeed("ETH", "Ethereum", "crypto", 8),
    AssetSeed("BNB", "BNB", "crypto", 8),
    AssetSeed("MINA", "Mina", "crypto", 8),
    AssetSeed("ATOM", "Cosmos", "crypto", 8),
    AssetSeed("DOT", "Polkadot", "crypto", 8),
    AssetSeed("USD", "US Dollar", "fiat", 2),
    AssetSeed("AAPL", "Apple Inc.", "stock", 0),
    AssetSeed("MSFT", "Microsoft Corporation", "stock", 0),
    AssetSeed("GOOGL", "Alphabet Inc. Class A", "stock", 0),
    AssetSeed("AMZN", "Amazon.com, Inc.", "stock", 0),
    AssetSeed("TSLA", "Tesla, Inc.", "stock", 0),
]

# Crypto filters follow Binance spot's PRICE_FILTER / LOT_SIZE / NOTIONAL for each pair;
# stocks trade in whole shares at cent ticks, like US exchanges. The price band
# (PERCENT_PRICE_BY_SIDE) is the setting PAPEREX_PERCENT_PRICE_BY_SIDE's. Every market is PAPER
# (users also trade with the feed's book). Crypto pays Binance's standard 0.1% maker and taker
# fee; stocks are commission-free like US brokers (and a fee on a whole share would round up to
# one).
MARKETS = [
    MarketSeed("BTC", "USDT", "crypto", "0.01", "0.00001", "5", "binance"),
    MarketSeed("ETH", "USDT", "crypto", "0.01", "0.0001", "5", "binance"),
    MarketSeed("BNB", "USDT", "crypto", "0.01", "0.001", "5", "binance"),
    MarketSeed("MINA", "USDT", "crypto", "0.0001", "0.1", "5", "binance"),
    MarketSeed("ATOM", "USDT", "crypto", "0.001", "0.01", "5", "binance"),
    MarketSeed("DOT", "USDT", "crypto", "0.001", "0.01", "5", "binance"),
    MarketSeed("AAPL", "USD", "stock", "0.01", "1", "1", "yahoo", "PAPER", "0", "0"),
    MarketSeed("MSFT", "USD", "stock", "0.01", "1", "1", "yahoo", "PAPER", "0", "0"),
    MarketSeed("GOOGL", "USD", "stock", "0.01", "1", "1", "yahoo", "PAPER", "0", "0"),
    MarketSeed("AMZN", "USD", "stock", "0.01", "1", "1", "yahoo", "PAPER", "0", "0"),
    MarketSeed("TSLA", "USD", "stock", "0.01", "1", "1", "yahoo", "PAPER", "0", "0"),
]


def market_symbol(seed: MarketSeed) -> str:
    """Crypto pairs are BASEQUOTE (BTCUSDT); a stock's symbol is its ticker (AAPL)."""
    return seed.base if seed.kind == "stock" else seed.base + seed.quote
