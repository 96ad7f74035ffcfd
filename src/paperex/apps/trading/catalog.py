"""The markets the engine trades, read from the database as domain objects, with the scales that
turn the engine's integers (ticks, lots, asset units) into exact decimals and back. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from paperex.apps.markets.instruments import market_instrument, market_percent_price
from paperex.apps.markets.models import Asset as AssetRow
from paperex.apps.markets.models import Market
from paperex.domain import Asset, MarketMode, MarketSpec


@dataclass(frozen=True, slots=True)
class CatalogMarket:
    """One market: its row id, engine spec and assets."""

    market_id: int
    spec: MarketSpec
    base: Asset
    quote: Asset
    trading: bool

    @property
    def symbol(self) -> str:
        return self.spec.symbol

    def price(self, ticks: int) -> Decimal:
        """The exact price of ``ticks`` ticks."""
        return self.spec.instrument.ticks_to_price(ticks)

    def quantity(self, lots: int) -> Decimal:
        """The exact base quantity of ``lots`` lots."""
        return self.spec.instrument.lots_to_quantity(lots)

    def ticks(self, price: Decimal) -> int:
        """Ticks in a stored price (always on the grid)."""
        return self.spec.instrument.price_to_ticks(price)

    def lots(self, quantity: Decimal) -> int:
        """Lots in a stored quantity (always on the grid)."""
        return self.spec.instrument.quantity_to_lots(quantity)


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every asset and market the engine runs, by code / symbol, with their row ids."""

    assets: dict[str, Asset]
    asset_ids: dict[str, int]
    asset_codes: dict[int, str]
    markets: dict[str, CatalogMarket]
    market_symbols: dict[int, str]

    def amount(self, asset: str, units: int) -> Decimal:
        """The exact amount of ``units`` units of ``asset``."""
        return self.assets[asset].from_units(units)

    def units(self, asset: str, amount: Decimal) -> int:
        """Units in a stored amount of ``asset`` (always whole)."""
        return self.assets[asset].to_units(amount)

    def market(self, symbol: str) -> CatalogMarket:
        """The market ``symbol``; KeyError when unknown."""
        return self.markets[symbol]


def catalog_read(*, reference_feed: bool = False) -> Catalog:
    """Every asset and market in the database; with ``reference_feed``, the PAPER markets'
    specs say their reference market comes from a feed (``MarketSpec.requires_reference``)."""
    asset_rows = list(AssetRow.objects.all())
    assets = {row.code: Asset(row.code, row.decimals) for row in asset_rows}
    markets: dict[str, CatalogMarket] = {}
    for market in Market.objects.select_related("base", "quote"):
        spec = MarketSpec(
            market_instrument(market),
            maker_fee_rate=market.maker_fee_rate.normalize(),
            taker_fee_rate=market.taker_fee_rate.normalize(),
            mode=MarketMode(market.mode),
            percent_price_by_side=market_percent_price(market),
            requires_reference=reference_feed and market.mode == Market.Mode.PAPER,
        )
        markets[market.symbol] = CatalogMarket(
            market_id=market.pk,
            spec=spec,
            base=assets[market.base.code],
            quote=assets[market.quote.code],
            trading=market.status == Market.Status.TRADING,
        )
    return Catalog(
        assets=assets,
        asset_ids={row.code: row.pk for row in asset_rows},
        asset_codes={row.pk: row.code for row in asset_rows},
        markets=markets,
        market_symbols={market.market_id: symbol for symbol, market in markets.items()},
    )


def engine_time(timestamp: int) -> datetime:
    """A command timestamp (ms since the epoch) as an aware UTC datetime."""
    return datetime.fromtimestamp(timestamp / 1000, tz=UTC)
