"""The WebSocket API's params as REST strings and the payloads a client signs: Binance's own
signing example (web-socket-api.md, "SIGNED request example (HMAC)") and python-binance's
percent-encoded form."""

from __future__ import annotations

from urllib.parse import urlencode

from paperex.apps.binance.ws_api.parameters import (
    request_decoder,
    rest_parameters,
    signed_payloads,
)
from tests.apps.binance.signing import hmac_hex

DOCS_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
DOCS_REQUEST = b"""{"id": "4885f793-e5ad-4c3b-8f6c-55d891472b71", "method": "order.place",
 "params": {"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC",
  "quantity": "0.01000000", "price": "52000.00", "recvWindow": 100, "timestamp": 1645423376532,
  "apiKey": "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
  "signature": "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"}}"""


def test_binance_s_signing_example_is_the_payload_of_its_sorted_params() -> None:
    params = rest_parameters(request_decoder.decode(DOCS_REQUEST)["params"])
    [payload] = signed_payloads(params)
    assert payload == (
        b"apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
        b"&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT"
        b"&timeInForce=GTC&timestamp=1645423376532&type=LIMIT"
    )
    assert hmac_hex(DOCS_SECRET, payload.decode()) == params["signature"]


def test_json_values_become_what_rest_would_read_and_both_signed_forms_are_offered() -> None:
    params = request_decoder.decode(
        b'{"price": 0.10, "quantity": 3, "test": true, "omit": false, "symbols": ["A", "B"],'
        b' "note": null, "newClientOrderId": "a b+c"}'
    )
    rest = rest_parameters(params)
    assert rest == {
        "price": "0.10",
        "quantity": "3",
        "test": "true",
        "omit": "false",
        "symbols": '["A","B"]',
        "note": "",
        "newClientOrderId": "a b+c",
    }
    plain, encoded = signed_payloads(rest)
    assert plain.startswith(b"newClientOrderId=a b+c&note=&omit=false")
    assert encoded == urlencode(sorted(rest.items())).encode()
