"""Reconfiguring a running engine: new strategy parameters, strategies added and removed."""

from __future__ import annotations

import pytest

from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import build_paper_engine
from tradebot.engine.strategy_view import StrategyView
from tradebot.model.identifiers import StrategyId
from tradebot.risk.config import RiskConfig
from tradebot.strategies.technical.sma_cross import SmaCross, SmaCrossParams
from tradebot.venues.files.catalog import BUNDLED, open_dataset


def _events() -> tuple[list, list]:  # type: ignore[type-arg]
    ds = BUNDLED["bybit_btc_usdt_perp_1m"]
    source = open_dataset(ds.name)
    return ds.instruments, list(source)


def test_add_set_params_and_remove_while_running() -> None:
    instruments, events = _events()
    first = SmaCross(SmaCrossParams(fast=3, slow=8))
    engine = build_paper_engine(instruments, [first], SessionConfig(risk=RiskConfig.unlimited()))
    engine.start()
    for event in events[:200]:
        engine.on_event(event)

    second = SmaCross(SmaCrossParams(fast=5, slow=13), strategy_id="second")
    engine.add_strategy(second)
    assert isinstance(first.ctx, StrategyView)  # each strategy now sees its own position
    assert isinstance(second.ctx, StrategyView)
    with pytest.raises(ValueError, match="already running"):
        engine.add_strategy(SmaCross(strategy_id="second"))

    with pytest.raises(ValueError, match="slow"):
        engine.set_strategy_params(StrategyId("second"), SmaCrossParams(fast=9, slow=4))
    assert second.params == SmaCrossParams(fast=5, slow=13)
    engine.set_strategy_params(StrategyId("second"), SmaCrossParams(fast=4, slow=12))
    assert second.params == SmaCrossParams(fast=4, slow=12)

    for event in events[200:600]:
        engine.on_event(event)
    assert any(r.signal.strategy_id == "second" for r in engine.signals)

    iid = instruments[0].id
    i = 600
    while abs(engine.book.quantity(first.id, iid)) <= 1e-12:
        engine.on_event(events[i])
        i += 1
    engine.remove_strategy(first.id)  # while it holds a position: the position is closed
    removed_at = engine.clock.now_ns()
    for event in events[i : i + 50]:
        engine.on_event(event)
    assert abs(engine.book.quantity(first.id, iid)) <= 1e-12
    late = [
        r
        for r in engine.signals
        if r.signal.strategy_id == first.id and r.signal.ts_event > removed_at
    ]
    assert late == []
    with pytest.raises(KeyError):
        engine.remove_strategy(first.id)
    engine.stop()
