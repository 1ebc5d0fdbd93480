"""Pre-trade rules: each has a name and answers accept, resize or reject with a reason."""

from tradebot.risk.rules.account_rules import MaxDailyTrades, MaxOpenPositions, TradingState
from tradebot.risk.rules.base import Outcome, Proposal, Reject, Resize, Rule, RuleContext
from tradebot.risk.rules.option_rules import ExpiryCutoff, GreekLimits, Greeks, GreeksProvider
from tradebot.risk.rules.size_rules import (
    MarginAvailable,
    MaxLeverage,
    MaxPosition,
    MinPosition,
    RiskPerTrade,
    SymbolExposure,
)
from tradebot.risk.rules.volatility import (
    RealisedVolatility,
    VolatilityScaling,
    VolRegime,
    VolRegimeProvider,
)

__all__ = [
    "ExpiryCutoff",
    "GreekLimits",
    "Greeks",
    "GreeksProvider",
    "MarginAvailable",
    "MaxDailyTrades",
    "MaxLeverage",
    "MaxOpenPositions",
    "MaxPosition",
    "MinPosition",
    "Outcome",
    "Proposal",
    "RealisedVolatility",
    "Reject",
    "Resize",
    "RiskPerTrade",
    "Rule",
    "RuleContext",
    "SymbolExposure",
    "TradingState",
    "VolRegime",
    "VolRegimeProvider",
    "VolatilityScaling",
]
