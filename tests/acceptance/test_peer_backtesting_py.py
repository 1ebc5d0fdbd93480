"""Proof against a peer: the SMA crossover in tradebot and in backtesting.py give the same trades.

Both run SMA(10) vs SMA(30) on closes, long only, all in, with zero fees and slippage, on the
bundled real candles. backtesting.py trades whole units, so it runs as a ``FractionalBacktest``
in satoshi units (1e-8 BTC), which is also the lot size of our instrument. Both fill market
orders at the next bar's open; entry and exit times are that bar's open time.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from backtesting import Strategy as PeerStrategy
from backtesting.lib import FractionalBacktest, crossover

from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import build_paper_engine, run_events
from tradebot.model.instruments import Spot
from tradebot.risk.config import RiskConfig
from tradebot.strategies.technical.sma_cross import SmaCross
from tradebot.venues.files.catalog import open_dataset
from tradebot.venues.files.frames import BarFrame
from tradebot.venues.files.source import FileDataSource
from tradebot.venues.paper.config import PaperVenueConfig

CASH = 10_000.0


class PeerSmaCross(PeerStrategy):  # type: ignore[misc]
    """The same rule written for backtesting.py."""

    fast = 10
    slow = 30

    def init(self) -> None:
        close = pd.Series(self.data.Close)
        self.fast_ma = self.I(lambda: close.rolling(self.fast).mean().to_numpy())
        self.slow_ma = self.I(lambda: close.rolling(self.slow).mean().to_numpy())

    def next(self) -> None:
        if crossover(self.fast_ma, self.slow_ma):
            if not self.position:
                self.buy()
        elif crossover(self.slow_ma, self.fast_ma):
            self.position.close()


def _peer(frame: BarFrame) -> tuple[pd.DataFrame, float]:
    df = pd.DataFrame(
        {
            "Open": frame.open,
            "High": frame.high,
            "Low": frame.low,
            "Close": frame.close,
            "Volume": frame.volume,
        },
        index=pd.to_datetime(frame.ts_open, utc=True),
    )
    with warnings.catch_warnings():
        # backtesting.py warns about its own fractional-unit rescaling and timezone handling.
        warnings.simplefilter("ignore")
        stats = FractionalBacktest(
            df, PeerSmaCross, cash=CASH, commission=0, fractional_unit=1e-8
        ).run()
    return stats["_trades"], float(stats["Equity Final [$]"])


def _ours(frame: BarFrame, instrument: Spot) -> tuple[list, float]:  # type: ignore[type-arg]
    engine = build_paper_engine(
        [instrument],
        [SmaCross()],
        SessionConfig(
            cash=CASH,
            venue=PaperVenueConfig(maker_fee=0, taker_fee=0, slippage=0),
            risk=RiskConfig.unlimited(),  # the peer sizes all-in with no limits
        ),
    )
    run_events(engine, iter(FileDataSource([frame])))
    _, equity, _ = engine.recorder.curve()
    return engine.portfolio.trades, float(equity[-1])


@pytest.mark.parametrize("dataset", ["btc_usd_4h", "bybit_btc_usdt_1m"])
def test_sma_cross_matches_backtesting_py(dataset: str) -> None:
    source = open_dataset(dataset)
    frame = next(f for f in source.frames if isinstance(f, BarFrame))
    instrument = source.instruments[0]
    assert isinstance(instrument, Spot)
    instrument = Spot(
        id=instrument.id,
        base=instrument.base,
        quote=instrument.quote,
        price_increment=instrument.price_increment,
        size_increment=type(instrument.size_increment)("0.00000001"),
    )

    peer_trades, peer_equity = _peer(frame)
    our_trades, our_equity = _ours(frame, instrument)

    assert len(our_trades) == len(peer_trades) > 5
    ours = pd.DataFrame(
        {
            "entry": [pd.Timestamp(t.entry_time, tz="UTC") for t in our_trades],
            "exit": [pd.Timestamp(t.exit_time, tz="UTC") for t in our_trades],
            "entry_price": [t.entry_price for t in our_trades],
            "exit_price": [t.exit_price for t in our_trades],
            "size": [t.quantity for t in our_trades],
        }
    )
    assert list(ours["entry"]) == list(peer_trades["EntryTime"])
    assert list(ours["exit"]) == list(peer_trades["ExitTime"])
    np.testing.assert_allclose(ours["entry_price"], peer_trades["EntryPrice"], rtol=1e-9)
    np.testing.assert_allclose(ours["exit_price"], peer_trades["ExitPrice"], rtol=1e-9)
    np.testing.assert_allclose(ours["size"], peer_trades["Size"], rtol=1e-9)
    assert our_equity == pytest.approx(peer_equity, rel=1e-4)
