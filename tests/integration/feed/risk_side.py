"""A real risk engine for the feed tests: one perpetual at 100, every limit off."""

from __future__ import annotations

from fixtures.factories import PERP, qty_signal
from tradebot.model.account import Account
from tradebot.portfolio.portfolio import Portfolio
from tradebot.risk.config import RiskConfig
from tradebot.risk.engine import RiskEngine
from tradebot.risk.limits import RiskLimits
from tradebot.risk.verdict import Denied


def risk_engine() -> RiskEngine:
    pf = Portfolio(Account("USDT", {"USDT": 10_000.0}, 5.0), [PERP])
    pf.mark(PERP.id, 100.0)
    return RiskEngine(RiskConfig(limits=RiskLimits.off()), pf)


def opening_denied(risk: RiskEngine) -> bool:
    """Whether a new position would be refused right now."""
    return isinstance(risk.evaluate(qty_signal(PERP, 1.0)), Denied)
