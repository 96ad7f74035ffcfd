"""The compiled engine finds price levels with its own bisection: it must agree with bisect."""

from bisect import bisect_left

from hypothesis import given
from hypothesis import strategies as st

from paperex.engine.book import index_of, machine_bisect_left

sorted_prices = st.lists(st.integers(min_value=1, max_value=2**40), unique=True).map(sorted)


@given(sorted_prices, st.integers(min_value=0, max_value=2**40 + 1))
def test_machine_bisection_agrees_with_bisect(prices: list[int], price: int) -> None:
    assert machine_bisect_left(prices, price) == bisect_left(prices, price)
    assert index_of(prices, price) == bisect_left(prices, price)


@given(sorted_prices.filter(bool), st.data())
def test_a_listed_price_is_found_where_it_is(prices: list[int], data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(prices) - 1))
    assert machine_bisect_left(prices, prices[position]) == position
