"""Small builders of run results, trades and fills for the metrics and report tests."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tradebot.backtest.result import PriceSeries, RunResult
from tradebot.model.enums import LiquiditySide, OrderSide
from tradebot.model.events import OrderFilled
from tradebot.model.identifiers import ClientOrderId, InstrumentId, StrategyId
from tradebot.model.positions import TradeRecord

NS = 10**9
DAY = 86_400 * NS
HOUR = 3_600 * NS
T0 = 1_599_955_200 * NS  # 2020-09-13 00:00 UTC
IID = InstrumentId("BTC/USDT", "TEST")
RESOURCES = Path(__file__).parent / "resources"
BTC_4H_FILE = RESOURCES / "coinbase_BTCUSD_4h_20220501_20220808_ta4j.csv"


def trade(
    pnl: float,
    *,
    ret: float = 0.01,
    fees: float = 0.0,
    day: int = 0,
    side: str = "long",
    instrument: InstrumentId = IID,
    exit_tag: str = "exit",
) -> TradeRecord:
    """A closed one-day trade of 1 unit entered at 100, with the given net P&L."""
    return TradeRecord(
        instrument_id=instrument,
        strategy_id=StrategyId("t"),
        side=side,
        quantity=1.0,
        entry_time=T0 + day * DAY,
        exit_time=T0 + (day + 1) * DAY,
        entry_price=100.0,
        exit_price=100.0 + pnl if side == "long" else 100.0 - pnl,
        gross_pnl=pnl + fees,
        fees=fees,
        funding=0.0,
        pnl=pnl,
        return_pct=ret,
        currency="USDT",
        exit_tag=exit_tag,
    )


def fill(fee: float, *, currency: str = "USDT", ts: int = T0) -> OrderFilled:
    """A 1-unit taker buy at 100 that cost ``fee``."""
    return OrderFilled(
        client_order_id=ClientOrderId("o-1"),
        instrument_id=IID,
        strategy_id=StrategyId("t"),
        side=OrderSide.BUY,
        quantity=1.0,
        price=100.0,
        fee=fee,
        fee_currency=currency,
        liquidity=LiquiditySide.TAKER,
        ts_event=ts,
    )


def result(
    equity: Sequence[float] | npt.NDArray[np.float64],
    *,
    step: int = DAY,
    start: int = T0,
    ts: npt.NDArray[np.int64] | None = None,
    trades: list[TradeRecord] | None = None,
    fills: list[OrderFilled] | None = None,
    exposure: Sequence[float] | npt.NDArray[np.float64] | None = None,
    strategy: str = "test",
    params: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    open_positions: dict[str, float] | None = None,
    prices: list[PriceSeries] | None = None,
) -> RunResult:
    """A run whose equity curve is ``equity`` sampled every ``step`` ns from ``start``.

    ``ts`` gives explicit timestamps instead. Initial and final equity are the first and last
    finite values (10,000 for a curve without any). Prices default to one series that follows the
    equity (÷ 100) on the same timestamps.
    """
    eq = np.asarray(equity, dtype=np.float64)
    stamps = start + np.arange(len(eq), dtype=np.int64) * step if ts is None else ts
    exp = np.zeros(len(eq)) if exposure is None else np.asarray(exposure, dtype=np.float64)
    marked = eq[np.isfinite(eq)]
    return RunResult(
        strategy=strategy,
        params={"fast": 10, "slow": 30} if params is None else params,
        currency="USDT",
        initial_equity=float(marked[0]) if len(marked) else 10_000.0,
        final_equity=float(marked[-1]) if len(marked) else 10_000.0,
        equity_ts=stamps,
        equity=eq,
        exposure=exp,
        trades=trades or [],
        fills=fills or [],
        prices=[PriceSeries(str(IID), stamps, eq / 100.0)] if prices is None else prices,
        open_positions=open_positions or {},
        extra=extra or {},
    )


def random_walk(n: int, *, seed: int, vol: float = 0.03, drift: float = 0.001) -> np.ndarray:
    """A seeded positive equity curve of ``n`` points starting near 10,000."""
    rng = np.random.default_rng(seed)
    return 10_000 * np.cumprod(1 + rng.normal(drift, vol, n))


def btc_4h_closes() -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Real Coinbase BTC-USD 4h bars (resources/PROVENANCE.md): bar-close times (ns), closes.

    A bar's close is known at its end, so each close is stamped at start + 4 h.
    """
    with BTC_4H_FILE.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    start_s = np.array([int(r["start_unix_s"]) for r in rows], dtype=np.int64)
    close = np.array([float(r["close"]) for r in rows], dtype=np.float64)
    return (start_s + 4 * 3_600) * NS, close


def btc_sma_run(cash: float = 10_000.0, window: int = 20) -> RunResult:
    """A long-only run on the real BTC 4h closes: hold while the close is above its SMA.

    Trades enter and exit at the close of the signal bar, without fees; equity compounds the
    bar returns while in the market. Realistic enough for reports; not a strategy test.
    """
    ts, close = btc_4h_closes()
    sma = np.convolve(close, np.ones(window) / window, mode="full")[: len(close)]
    held = np.r_[np.zeros(window, dtype=bool), close[window:] > sma[window:]]
    held[-1] = False  # flat at the end
    bar_ret = np.r_[0.0, close[1:] / close[:-1] - 1]
    equity = cash * np.cumprod(1 + bar_ret * np.r_[False, held[:-1]])
    edges = np.diff(held.astype(np.int8))
    entries, exits = np.flatnonzero(edges == 1) + 1, np.flatnonzero(edges == -1) + 1
    trades = []
    for i, j in zip(entries, exits, strict=True):
        qty = float(equity[i] / close[i])
        pnl = qty * float(close[j] - close[i])
        trades.append(
            TradeRecord(
                instrument_id=IID,
                strategy_id=StrategyId("sma"),
                side="long",
                quantity=qty,
                entry_time=int(ts[i]),
                exit_time=int(ts[j]),
                entry_price=float(close[i]),
                exit_price=float(close[j]),
                gross_pnl=pnl,
                fees=0.0,
                funding=0.0,
                pnl=pnl,
                return_pct=float(close[j] / close[i] - 1),
                currency="USD",
                exit_tag="below sma",
            )
        )
    return result(
        equity,
        ts=ts,
        trades=trades,
        exposure=held.astype(np.float64),
        strategy="sma_cross",
        params={"window": window},
        extra={"data": BTC_4H_FILE.name, "fee": 0.0},
        prices=[PriceSeries(str(IID), ts, close)],
    )
