"""Rows for selector and API tests that need no running engine host.

Orders and fills made here bypass the engine: use them to test reads, never to test
money moving (that is the engine's, through ``tests.support.ledger``).
"""

from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone

from paperex.apps.accounts.models import User
from paperex.apps.markets.models import Asset, Market
from paperex.apps.trading.models import Fill, Order, Trade


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda number: f"user{number}")


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset
        django_get_or_create = ("code",)

    code = "BTC"
    name = factory.LazyAttribute(lambda asset: asset.code)
    kind = Asset.Kind.CRYPTO
    decimals = 8


class MarketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Market
        django_get_or_create = ("symbol",)

    base = factory.SubFactory(AssetFactory, code="BTC")
    quote = factory.SubFactory(AssetFactory, code="USDT", decimals=6)
    symbol = factory.LazyAttribute(lambda market: market.base.code + market.quote.code)
    kind = Market.Kind.CRYPTO
    tick_size = Decimal("0.01")
    step_size = Decimal("0.00001")
    min_notional = Decimal(5)
    venue = Market.Venue.SYNTHETIC
    venue_symbol = factory.LazyAttribute(lambda market: market.symbol)


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    id = factory.Sequence(lambda number: number + 1)
    user = factory.SubFactory(UserFactory)
    market = factory.SubFactory(MarketFactory)
    client_order_id = factory.LazyAttribute(lambda order: f"order-{order.id}")
    side = "BUY"
    type = "LIMIT"
    time_in_force = "GTC"
    price = Decimal(100)
    quantity = Decimal(1)
    status = "NEW"
    self_trade_prevention = "EXPIRE_MAKER"
    priority = factory.LazyAttribute(lambda order: order.id)
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyAttribute(lambda order: order.created_at)


class TradeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trade

    id = factory.Sequence(lambda number: number + 1)
    market = factory.SubFactory(MarketFactory)
    sequence = factory.LazyAttribute(lambda trade: trade.id)
    price = Decimal(100)
    quantity = Decimal(1)
    quote_quantity = factory.LazyAttribute(lambda trade: trade.price * trade.quantity)
    taker_side = "BUY"
    is_reference = False
    executed_at = factory.LazyFunction(timezone.now)


class FillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fill

    order = factory.SubFactory(OrderFactory)
    trade = factory.SubFactory(TradeFactory, market=factory.SelfAttribute("..order.market"))
    user = factory.SelfAttribute("order.user")
    market = factory.SelfAttribute("order.market")
    side = factory.SelfAttribute("order.side")
    price = factory.SelfAttribute("trade.price")
    quantity = factory.SelfAttribute("trade.quantity")
    quote_quantity = factory.SelfAttribute("trade.quote_quantity")
    fee = Decimal(0)
    fee_asset = factory.SelfAttribute("order.market.quote")
    liquidity = "TAKER"
    is_reference = False
    executed_at = factory.SelfAttribute("trade.executed_at")
