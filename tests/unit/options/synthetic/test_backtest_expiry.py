"""A backtest on the synthetic market: options bought at its ask, marked each bar, and settled
at the index (the underlying's close at 08:00 UTC) when a daily expiry is crossed."""

from __future__ import annotations

import numpy as np
import pytest

from fixtures.factories import spot
from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import build_paper_engine, run_events
from tradebot.model.data import Bar
from tradebot.model.enums import OptionKind, OrderSide
from tradebot.options.synthetic import SyntheticOptionMarket
from tradebot.risk.config import RiskConfig
from tradebot.strategies.base import Strategy
from tradebot.venues.paper.config import PaperVenueConfig

HOUR = 3_600 * 10**9
DAY0 = 1_600_000_000 // 86_400 * 86_400 * 10**9
BTC = spot("BTC/USD")


class BuyStraddleOnce(Strategy):  # type: ignore[type-arg]
    """At bar ``at`` buys one ATM call and one ATM put of the next expiry an hour away."""

    name = "buy_straddle_once"

    def __init__(self, at: int) -> None:
        super().__init__()
        self.at = at
        self.seen = 0
        self.bought: list[tuple[float, OptionKind, int]] = []

    def on_bar(self, bar: Bar) -> None:
        self.seen += 1
        if self.seen != self.at:
            return
        chain = self.option_chain("BTC")
        assert chain is not None
        expiry = chain.next_expiry(60)
        assert expiry is not None
        strike = chain.atm_strike(expiry)
        for kind in (OptionKind.CALL, OptionKind.PUT):
            quote = chain.quote(expiry, strike, kind)
            self.trade_instrument(quote.instrument, OrderSide.BUY, 1.0, tag="test")
            self.bought.append((strike, kind, expiry))


def test_held_options_settle_at_the_index_when_the_daily_expires() -> None:
    rng = np.random.default_rng(11)
    closes = 10_000.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, 60)))
    bars = [
        Bar(BTC.id, "1h", DAY0 + i * HOUR, DAY0 + (i + 1) * HOUR, c, c, c, c, 1.0)
        for i, c in enumerate(closes.tolist())
    ]
    market = SyntheticOptionMarket(("BTC",))
    strategy = BuyStraddleOnce(at=30)  # 06:00 UTC of day 2: the daily two hours away
    config = SessionConfig(cash=1_000_000.0, venue=PaperVenueConfig(), risk=RiskConfig.unlimited())
    engine = build_paper_engine([BTC], [strategy], config, options=market)
    run_events(engine, bars)

    fills = engine.orders.fills
    assert len(fills) == 4
    (strike, _, expiry), _ = strategy.bought
    assert expiry == DAY0 + 32 * HOUR  # 08:00 UTC the next day
    entries = [f for f in fills if f.tag == "test"]
    settles = [f for f in fills if f.tag == "expiry"]
    assert len(entries) == 2
    assert len(settles) == 2
    entry_ts = bars[29].ts_event
    for fill in entries:
        quote = market.quote(engine.portfolio.instruments[fill.instrument_id], entry_ts)  # type: ignore[arg-type]
        assert quote is not None
        assert fill.price == quote.ask
    # The index at expiry is the close of the bar that ends at 08:00, taken from the bars.
    index = next(b.close for b in bars if b.ts_event == expiry)
    for fill in settles:
        option = engine.portfolio.instruments[fill.instrument_id]
        assert fill.ts_event == expiry
        intrinsic = (
            max(index - strike, 0.0)
            if option.kind is OptionKind.CALL  # type: ignore[attr-defined]
            else max(strike - index, 0.0)
        )
        assert fill.price == pytest.approx(intrinsic / index, rel=1e-12, abs=1e-15)
        assert engine.holding(fill.instrument_id) == 0.0
