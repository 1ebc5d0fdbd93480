"""The lazily valued equity curve equals valuing the portfolio at every step."""

from __future__ import annotations

import numpy as np
import pytest

from tradebot.engine.config import SessionConfig
from tradebot.engine.equity_recorder import EquityRecorder
from tradebot.engine.runners import build_paper_engine, run_events
from tradebot.strategies.technical.sma_cross import SmaCross, SmaCrossParams
from tradebot.venues.files.catalog import open_dataset


class _EagerRecorder(EquityRecorder):
    """Also values the portfolio the slow, direct way at every sample."""

    __slots__ = ("direct",)

    def __init__(self, portfolio) -> None:  # type: ignore[no-untyped-def]
        super().__init__(portfolio)
        self.direct: list[float] = []

    def sample(self, ts: int) -> None:
        self.direct.append(self._portfolio.net_liquidation_value())
        super().sample(ts)


@pytest.mark.parametrize(
    ("dataset", "long_only", "leverage"),
    [
        ("bybit_btc_usdt_1m", True, 1.0),  # spot: coins in balances, quotes + bars
        ("bybit_btc_usdt_perp_1m", False, 3.0),  # linear perpetual, shorts, funding
        ("binance_btc_eth_1m", True, 1.0),  # two symbols
    ],
)
def test_recorded_curve_equals_direct_valuation(
    dataset: str, long_only: bool, leverage: float
) -> None:
    source = open_dataset(dataset)
    strategy = SmaCross(SmaCrossParams(fast=3, slow=9, long_only=long_only, size=0.5))
    engine = build_paper_engine(source.instruments, [strategy], SessionConfig(leverage=leverage))
    engine.recorder = _EagerRecorder(engine.portfolio)

    run_events(engine, iter(source))
    _, equity, exposure = engine.recorder.curve()

    assert len(engine.orders.fills) > 4
    np.testing.assert_allclose(equity, engine.recorder.direct, rtol=1e-12, atol=1e-9)
    assert np.all(exposure >= 0)
    assert np.any(exposure > 0)
