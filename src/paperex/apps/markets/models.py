from __future__ import annotations

from django.db import models

from paperex.apps.core.amounts import amount_field


class Asset(models.Model):
    class Kind(models.TextChoices):
        CRYPTO = "crypto", "Crypto"
        FIAT = "fiat", "Fiat currency"
        STOCK = "stock", "Stock"

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    decimals = models.PositiveSmallIntegerField(
        help_text="Decimal places balances of this asset are shown and kept with."
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


def _band_multiplier(binance_name: str, meaning: str) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=(
            f"PERCENT_PRICE_BY_SIDE {binance_name}: {meaning} is the reference price times this;"
            " empty takes PAPEREX_PERCENT_PRICE_BY_SIDE."
        ),
    )


class Market(models.Model):
    class Kind(models.TextChoices):
        CRYPTO = "crypto", "Crypto"
        STOCK = "stock", "Stock"

    class Status(models.TextChoices):
        # Binance's symbol statuses.
        TRADING = "TRADING", "Trading"
        HALT = "HALT", "Halted"
        BREAK = "BREAK", "Break"

    class Venue(models.TextChoices):
        SYNTHETIC = "synthetic", "Synthetic"
        BINANCE = "binance", "Binance"
        GEMINI = "gemini", "Gemini"
        YAHOO = "yahoo", "Yahoo Finance"

    class Mode(models.TextChoices):
        # paperex.domain.MarketMode
        EXCHANGE = "EXCHANGE", "Exchange (users only)"
        PAPER = "PAPER", "Paper (users and the reference market)"

    symbol = models.CharField(max_length=32, unique=True)
    base = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="base_markets")
    quote = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="quote_markets")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.TRADING)
    tick_size = amount_field(help_text="Smallest price increment.")
    step_size = amount_field(help_text="Smallest quantity increment.")
    min_notional = amount_field(help_text="Smallest price times quantity of an order, in quote.")
    venue = models.CharField(
        max_length=16, choices=Venue.choices, help_text="Where reference market data comes from."
    )
    venue_symbol = models.CharField(max_length=32, help_text="The symbol as the venue spells it.")
    mode = models.CharField(
        max_length=8,
        choices=Mode.choices,
        default=Mode.PAPER,
        help_text="EXCHANGE: users trade only with each other; PAPER: also with the venue's book.",
    )
    maker_fee_rate = models.DecimalField(
        max_digits=8,
        decimal_places=6,
        default=0,
        help_text="0.001 is 0.1% of what a maker receives.",
    )
    taker_fee_rate = models.DecimalField(
        max_digits=8,
        decimal_places=6,
        default=0,
        help_text="0.001 is 0.1% of what a taker receives.",
    )
    percent_price_bid_multiplier_up = _band_multiplier("bidMultiplierUp", "the highest buy price")
    percent_price_bid_multiplier_down = _band_multiplier(
        "bidMultiplierDown", "the lowest buy price"
    )
    percent_price_ask_multiplier_up = _band_multiplier("askMultiplierUp", "the highest sell price")
    percent_price_ask_multiplier_down = _band_multiplier(
        "askMultiplierDown", "the lowest sell price"
    )

    class Meta:
        ordering = ["kind", "symbol"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tick_size__gt=0), name="market_tick_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(step_size__gt=0), name="market_step_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(min_notional__gte=0), name="market_min_notional_not_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(base=models.F("quote")), name="market_base_differs_from_quote"
            ),
            models.CheckConstraint(
                condition=models.Q(maker_fee_rate__gte=0, maker_fee_rate__lt=1)
                & models.Q(taker_fee_rate__gte=0, taker_fee_rate__lt=1),
                name="market_fee_rates_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    percent_price_bid_multiplier_up__gte=1,
                    percent_price_ask_multiplier_up__gte=1,
                    percent_price_bid_multiplier_down__gte=0,
                    percent_price_bid_multiplier_down__lte=1,
                    percent_price_ask_multiplier_down__gte=0,
                    percent_price_ask_multiplier_down__lte=1,
                ),
                name="market_percent_price_holds_the_reference_price",
            ),
        ]

    def __str__(self) -> str:
        return self.symbol


class Candle(models.Model):
    """A closed (or, for the newest, still open) OHLCV bar; times are ms since the epoch, UTC."""

    class Interval(models.TextChoices):
        SECOND = "1s"
        MINUTE = "1m"
        FIVE_MINUTES = "5m"
        FIFTEEN_MINUTES = "15m"
        HOUR = "1h"
        FOUR_HOURS = "4h"
        DAY = "1d"

    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="candles")
    interval = models.CharField(max_length=4, choices=Interval.choices)
    open_time = models.BigIntegerField()
    close_time = models.BigIntegerField()
    open = amount_field()
    high = amount_field()
    low = amount_field()
    close = amount_field()
    volume = amount_field()
    quote_volume = amount_field()
    trade_count = models.PositiveIntegerField()
    closed = models.BooleanField(default=True)

    class Meta:
        ordering = ["market", "interval", "open_time"]
        constraints = [
            models.UniqueConstraint(
                fields=["market", "interval", "open_time"],
                name="candle_one_per_market_interval_time",
            ),
        ]
        indexes = [models.Index(fields=["interval", "open_time"], name="candle_interval_time")]

    VALUE_FIELDS = (
        "close_time",
        "open",
        "high",
        "low",
        "close",
        "volume",
        "quote_volume",
        "trade_count",
        "closed",
    )
    """What a candle's key (market, interval, open time) determines."""

    def __str__(self) -> str:
        return f"{self.market_id} {self.interval} @{self.open_time}"
