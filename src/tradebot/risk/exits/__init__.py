"""Exit conditions: invalidation expressions over indicators, compiled safely and fed from bars.

``compile_condition("close < ema_50", is_known_name)`` gives a :class:`Condition`;
:class:`IndicatorValues` built from the names of the conditions keeps their values current, and
``condition.evaluate(indicator_values.values)`` says whether the trade's idea is invalidated.
:class:`ExitMonitor` puts it together with stops, targets, trailing locks and a time limit: it
watches every open position and returns an :class:`ExitDecision` when one should close.
"""

from tradebot.risk.exits.conditions import Condition, compile_condition
from tradebot.risk.exits.errors import ConditionError
from tradebot.risk.exits.exit_plan import ExitDecision, ExitPlan, ExitReason
from tradebot.risk.exits.indicator_values import IndicatorValues
from tradebot.risk.exits.monitor import ExitMonitor
from tradebot.risk.exits.names import NAMING_SCHEME, is_known_name
from tradebot.risk.exits.settings import ExitSettings

__all__ = [
    "NAMING_SCHEME",
    "Condition",
    "ConditionError",
    "ExitDecision",
    "ExitMonitor",
    "ExitPlan",
    "ExitReason",
    "ExitSettings",
    "IndicatorValues",
    "compile_condition",
    "is_known_name",
]
