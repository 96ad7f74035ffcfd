from paperex.apps.trading.services.orders import new_client_order_id

BINANCE_CLIENT_ORDER_ID_LIMIT = 36


def test_generated_client_order_ids_are_distinct_ascending_and_fit_binances_limit() -> None:
    names = [new_client_order_id() for _ in range(1000)]
    assert len(set(names)) == len(names)
    assert names == sorted(names)  # stored at the unique index's end
    assert all(name.startswith("paperex-") for name in names)
    assert max(map(len, names)) <= BINANCE_CLIENT_ORDER_ID_LIMIT
