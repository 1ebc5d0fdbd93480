"""Bars for the synthetic-market tests: real bundled BTC candles and hand-made series."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tradebot.model.data import Bar
from tradebot.model.identifiers import InstrumentId
from tradebot.venues.files.catalog import open_dataset

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
HOUR_NS = 3_600 * 10**9
BTC_ID = InstrumentId("BTC/USD", "TEST")

MakeBars = Callable[..., list[Bar]]


@pytest.fixture(scope="session")
def btc_4h_bars() -> list[Bar]:
    """The bundled Coinbase BTC/USD 4h candles (package data, MIT)."""
    return [e for e in open_dataset("btc_usd_4h") if type(e) is Bar]


@pytest.fixture
def make_bars() -> MakeBars:
    """``make_bars(closes, start_ns, hours=4)``: bar i closes at start + (i + 1)·hours."""

    def make(
        closes: list[float], start_ns: int, hours: int = 4, iid: InstrumentId = BTC_ID
    ) -> list[Bar]:
        step = hours * HOUR_NS
        return [
            Bar(iid, f"{hours}h", start_ns + i * step, start_ns + (i + 1) * step, c, c, c, c, 1.0)
            for i, c in enumerate(closes)
        ]

    return make
