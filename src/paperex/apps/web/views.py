"""The web terminal's pages: server-rendered shells that the bundle in static/web/ brings alive."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from paperex import __version__
from paperex.apps.accounts.services import user_register
from paperex.apps.listings.sources import listing_venues
from paperex.apps.markets.models import Candle, Market
from paperex.apps.markets.selectors import market_list
from paperex.apps.research.models import Bot
from paperex.apps.research.selectors import backtest_strategy_list
from paperex.apps.web.forms import SignupForm
from paperex.apps.web.selectors import (
    BUILD_COMMAND,
    bundle_missing,
    market_summaries,
    market_summary_get,
)


def _page(request: HttpRequest, page: str, title: str, data: dict[str, Any]) -> HttpResponse:
    context = {
        "page": page,
        "title": title,
        "page_data": {"page": page, **data},
        "bundle_missing": bundle_missing(),
        "build_command": BUILD_COMMAND,
    }
    return render(request, f"web/{page}.html", context)


def home(request: HttpRequest) -> HttpResponse:
    """The landing page with every market."""
    return render(request, "web/home.html", {"version": __version__, "markets": market_list()})


def markets_page(request: HttpRequest) -> HttpResponse:
    return _page(request, "markets", "Markets", {"markets": market_summaries()})


@login_required
def trade_page(request: HttpRequest, symbol: str) -> HttpResponse:
    market = market_summary_get(symbol=symbol)
    if market is None:
        raise Http404(f"No market {symbol}")
    return _page(
        request,
        "trade",
        f"{market['symbol']} · Trade",
        {"market": market, "markets": market_summaries()},
    )


@login_required
def portfolio_page(request: HttpRequest) -> HttpResponse:
    return _page(request, "portfolio", "Portfolio", {"markets": market_summaries()})


@login_required
def alerts_page(request: HttpRequest) -> HttpResponse:
    return _page(request, "alerts", "Price alerts", {"markets": market_summaries()})


@login_required
def journal_page(request: HttpRequest) -> HttpResponse:
    # Staff read the saved analysis of everyone's trades and may run it (the day analysis).
    return _page(request, "journal", "Trade journal", {"staff": request.user.is_staff})


@login_required
def backtest_page(request: HttpRequest) -> HttpResponse:
    data = {
        "symbols": [market.symbol for market in market_list()],
        "intervals": Candle.Interval.values,
        "strategies": backtest_strategy_list(),
    }
    return _page(request, "backtest", "Backtest", data)


@login_required
def bots_page(request: HttpRequest) -> HttpResponse:
    data = {
        "symbols": [market.symbol for market in market_list(status=Market.Status.TRADING)],
        "intervals": list(Bot.INTERVALS),
        "strategies": backtest_strategy_list(),
    }
    return _page(request, "bots", "Paper bots", data)


@login_required
def keys_page(request: HttpRequest) -> HttpResponse:
    return _page(request, "keys", "API keys", {})


@login_required
def listings_page(request: HttpRequest) -> HttpResponse:
    return _page(request, "listings", "New listings", {"venues": listing_venues()})


def monitor_page(request: HttpRequest) -> HttpResponse:
    ticker = request.GET.get("ticker", "AAPL").upper()[:16]
    return _page(request, "monitor", "Stock monitor", {"ticker": ticker})


def candle_stream_page(request: HttpRequest) -> HttpResponse:
    return _page(request, "candle_stream", "Candlestick stream", {"markets": market_summaries()})


def trade_stream_page(request: HttpRequest) -> HttpResponse:
    return _page(request, "trade_stream", "Trade stream", {"markets": market_summaries()})


def signup_page(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_register(
                username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except ValidationError as error:
            form.add_error("password", error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("web:markets")
    return render(request, "web/signup.html", {"form": form})
