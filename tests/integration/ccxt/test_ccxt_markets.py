"""load_markets on recorded payloads → our instruments, checked against the raw payload."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from ccxt_stub import load, stubbed_gateway

from tradebot.model.enums import OptionKind, Settlement
from tradebot.model.instruments import Future, Instrument, Option, Perpetual, Spot
from tradebot.venues.ccxt import CcxtInstrumentProvider


def _load(exchange: str) -> tuple[CcxtInstrumentProvider, dict[str, Instrument]]:
    gateway, _ = stubbed_gateway(exchange)

    async def go() -> dict[str, Instrument]:
        try:
            return await provider.load()
        finally:
            await gateway.close()

    provider = CcxtInstrumentProvider(gateway.exchange, gateway.venue)
    return provider, asyncio.run(go())


def _filters(symbol: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["filterType"]: f for f in symbol["filters"]}


def test_binanceusdm_exchange_info_gives_every_perpetual_with_its_filters() -> None:
    raw = load("binanceusdm/http_fapi_v1_exchangeInfo.json")["symbols"]
    provider, instruments = _load("binanceusdm")

    assert len(instruments) == 122 == len(raw)
    assert provider.skipped == []
    for name in ("BTCUSDT", "SUSHIUSDT"):
        row = next(s for s in raw if s["symbol"] == name)
        inst = instruments[f"{row['baseAsset']}/{row['quoteAsset']}:{row['marginAsset']}"]
        assert isinstance(inst, Perpetual)
        assert inst.settlement is Settlement.LINEAR
        assert inst.price_increment == Decimal(_filters(row)["PRICE_FILTER"]["tickSize"])
        assert inst.size_increment == Decimal(_filters(row)["LOT_SIZE"]["stepSize"])
        assert inst.min_quantity == Decimal(_filters(row)["LOT_SIZE"]["minQty"])
        assert inst.multiplier == 1
        assert inst.id.venue == "BINANCEUSDM"


def test_bybit_instruments_cover_spot_linear_inverse_and_options() -> None:
    _, instruments = _load("bybit")

    kinds = sorted(type(i).__name__ for i in instruments.values())
    assert kinds == ["Option", "Option", "Perpetual", "Perpetual", "Perpetual", "Spot", "Spot"]
    spot_raw = load("bybit/http_v5_instruments_spot.json")["result"]["list"][0]
    spot = instruments["BTC/USDT"]
    assert isinstance(spot, Spot)
    assert spot.price_increment == Decimal(spot_raw["priceFilter"]["tickSize"])
    assert spot.size_increment == Decimal(spot_raw["lotSizeFilter"]["basePrecision"])
    assert spot.min_quantity == Decimal(spot_raw["lotSizeFilter"]["minOrderQty"])
    linear_raw = load("bybit/http_v5_instruments_linear.json")["result"]["list"][1]
    eth = instruments["ETH/USDT:USDT"]
    assert eth.price_increment == Decimal(linear_raw["priceFilter"]["tickSize"])
    assert eth.size_increment == Decimal(linear_raw["lotSizeFilter"]["qtyStep"])
    inverse = instruments["BTC/USD:BTC"]
    assert isinstance(inverse, Perpetual)
    assert inverse.settlement is Settlement.INVERSE  # settled in its base coin
    option_raw = load("bybit/http_v5_instruments_option.json")["result"]["list"][0]
    put = instruments["ETH/USDC:USDC-260528-16000-P"]
    assert isinstance(put, Option)
    assert (put.kind, put.strike, put.quote) == (OptionKind.PUT, 16000.0, "USDC")
    assert put.expiry_ns == int(option_raw["deliveryTime"]) * 1_000_000
    assert put.price_increment == Decimal(option_raw["priceFilter"]["tickSize"])


def test_mexc_markets_from_ccxt_static_fixture() -> None:
    raw = load("mexc/http_api_v3_exchangeInfo.json")["symbols"]
    contract = load("mexc/http_api_v1_contract_detail.json")["data"][0]
    _, instruments = _load("mexc")

    assert len(instruments) == len(raw) + 1
    btc = instruments["BTC/USDT"]
    assert isinstance(btc, Spot)
    assert btc.size_increment == Decimal(raw[0]["baseSizePrecision"])
    assert btc.price_increment == Decimal("0.01")  # quotePrecision 2
    swap = instruments["LTC/USDT:USDT"]
    assert isinstance(swap, Perpetual)
    assert swap.multiplier == Decimal(contract["contractSize"])
    assert swap.price_increment == Decimal(contract["priceUnit"])
    assert swap.max_leverage == float(contract["maxLeverage"])


def test_deribit_instruments_inverse_perpetual_future_and_option() -> None:
    raw = {
        r["instrument_name"]: r
        for name in ("", "_SOL", "_USDC")
        for r in load(f"deribit/http_public_get_instruments{name}.json")["result"]
    }
    provider, instruments = _load("deribit")

    assert len(instruments) + len(provider.skipped) == len(raw) == 197
    assert provider.skipped == ["BTC-COMBO-1"]  # combos have no single expiry/strike
    perp = instruments["BTC/USD:BTC"]
    assert isinstance(perp, Perpetual)
    assert perp.settlement is Settlement.INVERSE
    assert perp.multiplier == Decimal(str(raw["BTC-PERPETUAL"]["contract_size"]))
    assert perp.price_increment == Decimal(str(raw["BTC-PERPETUAL"]["tick_size"]))
    future = instruments["BTC/USD:BTC-241227"]
    assert isinstance(future, Future)
    assert future.expiry_ns == raw["BTC-27DEC24"]["expiration_timestamp"] * 1_000_000
    call = instruments["BTC/USD:BTC-241227-100000-C"]
    row = raw["BTC-27DEC24-100000-C"]
    assert isinstance(call, Option)
    assert (call.kind, call.strike, call.underlying) == (OptionKind.CALL, row["strike"], "BTC")
    assert call.quote == "BTC"  # inverse option: premium in the coin (OptionSpec convention)
    assert call.expiry_ns == row["expiration_timestamp"] * 1_000_000
    assert call.size_increment == Decimal(str(row["min_trade_amount"]))
    assert call.price_increment == Decimal(str(row["tick_size"]))


@pytest.mark.parametrize("exchange", ["binanceusdm", "bybit", "mexc", "deribit"])
def test_every_instrument_id_is_the_ccxt_symbol(exchange: str) -> None:
    _, instruments = _load(exchange)

    assert all(inst.id.symbol == symbol for symbol, inst in instruments.items())
