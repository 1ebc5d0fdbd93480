"""Changing the set of running strategies, or their parameters, while the engine runs.

Hot reload and the API call these through :class:`~tradebot.engine.trading_engine.TradingEngine`
(``set_strategy_params``, ``add_strategy``, ``remove_strategy``); they live apart from the hot
path because they run rarely and touch the engine's routing and binding as a whole.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from tradebot.engine.strategy_view import StrategyView
from tradebot.model.identifiers import StrategyId
from tradebot.strategies.base import Strategy

log = logging.getLogger("tradebot.engine")

if TYPE_CHECKING:
    from tradebot.engine.trading_engine import TradingEngine


def set_params(engine: TradingEngine, strategy_id: StrategyId, params: Any) -> None:
    """Give a running strategy new parameters.

    ``params`` must be the strategy's ``params_type``; they are validated first (a
    ``ValueError`` leaves the old ones). The strategy is then started again with them
    (``on_start``: indicators are rebuilt and warm up again); its position, orders and
    P&L stay, as they belong to the account, not to the parameters.
    """
    strategy = engine._by_id.get(strategy_id)
    if strategy is None:
        raise KeyError(f"no running strategy '{strategy_id}'")
    if not isinstance(params, strategy.params_type):
        raise TypeError(f"'{strategy_id}' takes {strategy.params_type.__name__} parameters")
    params.validate()
    strategy.params = params
    engine._reroute()
    if engine._started:
        engine._guard(strategy, strategy.on_start)


def add(engine: TradingEngine, strategy: Strategy[Any]) -> None:
    """Start running ``strategy`` from the next event (its id must not be running)."""
    if strategy.id in engine._by_id:
        raise ValueError(f"strategy '{strategy.id}' is already running")
    engine.strategies = [s for s in engine.strategies if s.id != strategy.id] + [strategy]
    engine._by_id[strategy.id] = strategy
    engine._reroute()
    if not engine._shared and len(engine._by_id) > 1:
        engine._shared = True  # from now on each strategy sees its own book position
        for other in engine.strategies:
            if other.id in engine._by_id and other is not strategy and engine._started:
                other.bind(StrategyView(engine, other.id))
    if engine._started:
        strategy.bind(StrategyView(engine, strategy.id) if engine._shared else engine)
        engine._guard(strategy, strategy.on_start)


def remove(engine: TradingEngine, strategy_id: StrategyId, *, close_positions: bool = True) -> None:
    """Stop ``strategy_id``: cancel its orders, close its positions (by default), call
    ``on_stop``. It keeps its place in ``strategies`` (and its P&L in ``book``)."""
    strategy = engine._by_id.pop(strategy_id, None)
    if strategy is None:
        raise KeyError(f"no running strategy '{strategy_id}'")
    engine._reroute()
    engine.orders.cancel_all(strategy_id=strategy_id)
    if close_positions:
        for iid in list(engine.portfolio.instruments):
            held = engine.book.quantity(strategy_id, iid)
            if abs(held) > 1e-12:
                engine.close_holding(strategy_id, iid, held, "manual")
    _stop_quietly(strategy)


def _stop_quietly(strategy: Strategy[Any]) -> None:
    """``on_stop``, logged and stopped anyway when it raises."""
    try:
        strategy.on_stop()
    except Exception:  # stopping anyway
        log.exception("strategy %s raised in on_stop", strategy.id)


__all__ = ["add", "remove", "set_params"]
