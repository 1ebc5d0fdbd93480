"""Pre-trade checks and sizing."""

from tradebot.risk.config import RiskConfig
from tradebot.risk.engine import RiskEngine
from tradebot.risk.verdict import Approved, Denied, Verdict

__all__ = ["Approved", "Denied", "RiskConfig", "RiskEngine", "Verdict"]
