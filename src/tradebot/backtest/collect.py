"""Turn a finished engine into a ``RunResult`` for metrics and reports."""

from __future__ import annotations

from typing import Any

import numpy as np

from tradebot.backtest.result import PriceSeries, RunResult
from tradebot.backtest.timefmt import iso
from tradebot.engine.trading_engine import TradingEngine


def collect_result(
    engine: TradingEngine,
    *,
    strategy: str,
    params: dict[str, Any],
    initial_equity: float,
    extra: dict[str, Any] | None = None,
) -> RunResult:
    """Gather equity curve, trades, fills and prices from ``engine`` after it stopped."""
    pf = engine.portfolio
    prices = [
        PriceSeries(str(iid), np.asarray(ts, dtype=np.int64), np.asarray(close, dtype=np.float64))
        for iid, (ts, close) in engine.recorder.marks.items()
    ]
    equity_ts, equity, exposure = engine.recorder.curve()
    facts: dict[str, Any] = {
        "events": engine.events_processed,
        "fees": dict(pf.total_fees),
        "funding": dict(pf.total_funding),
        "denied_signals": dict(engine.risk.denials),
        "rejected_orders": sum(
            1 for o in engine.orders.orders.values() if o.status.value == "rejected"
        ),
        "strategy_failures": [f"{f.strategy_id}: {f.error}" for f in engine.failures],
    }
    manager = engine.manager
    if manager is not None:
        facts["manager_dropped_signals"] = dict(manager.dropped)
        facts["regime_bars"] = manager.regime_bars
        facts["weights"] = {str(s.id): manager.base_share(s.id) for s in engine.strategies}
    facts.update(extra or {})
    shared = manager is not None or len(engine.strategies) > 1
    breakdown = engine.book.summary(pf.last_price, [s.id for s in engine.strategies])
    return RunResult(
        strategy=strategy,
        params=params,
        currency=pf.account.base_currency,
        initial_equity=initial_equity,
        final_equity=float(equity[-1]) if len(equity) else initial_equity,
        equity_ts=equity_ts,
        equity=equity,
        exposure=exposure,
        # Several strategies on one instrument net out at the venue; their own round trips
        # are the trades a trader wants to see.
        trades=engine.book.trades() if shared else list(pf.trades),
        fills=list(engine.orders.fills),
        prices=prices,
        open_positions={
            str(iid): pf.holding(iid) for iid in pf.instruments if abs(pf.holding(iid)) > 1e-12
        },
        extra=facts,
        breakdown=breakdown,
        risk=risk_summary(engine),
    )


def risk_summary(engine: TradingEngine) -> dict[str, Any]:
    """Refusals and resizes by rule, time under each breaker, breaker events, exits by reason."""
    risk = engine.risk
    state = risk.state
    closing = {r.client_order_id for r in engine.signals if r.signal.intent.value != "open"}
    exits: dict[str, int] = {}
    counted: set[str] = set()
    for fill in engine.orders.fills:
        if fill.client_order_id in closing and fill.client_order_id not in counted:
            counted.add(fill.client_order_id)  # one exit per order, however many fills
            tag = fill.tag or "exit"
            exits[tag] = exits.get(tag, 0) + 1
    return {
        "rejections": dict(sorted(risk.denials.items())),
        "resizes": dict(sorted(risk.resizes.items())),
        "seconds_in": {k: v / 1e9 for k, v in sorted(state.time_in.items())},
        "events": [
            {
                "time": iso(e.ts_event),
                "block": e.block,
                "active": e.active,
                "reason": e.reason,
                "symbol": e.symbol,
            }
            for e in state.events
        ],
        "exits": dict(sorted(exits.items())),
    }


__all__ = ["collect_result"]
