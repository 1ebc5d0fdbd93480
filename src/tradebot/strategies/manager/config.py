"""Settings of the strategy manager and of its regime detector."""

from __future__ import annotations

import msgspec


class RegimeConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How a market's regime is read from its bars.

    Parameters
    ----------
    adx_period, atr_period, bb_period : int
        Look-backs of ADX, ATR and the Bollinger bands (defaults 14, 14, 20).
    lookback : int
        Bars over which ATR (as a fraction of price) and the Bollinger width are ranked
        (default 200).
    trend_adx : float
        ADX at or above this is a trend (default 25).
    range_adx : float
        ADX at or below this, with bands narrower than their median, is a range (default 20).
    high_vol_percentile : float
        ATR/price at or above this percentile of the look-back is high volatility (default 0.9).
    range_width_percentile : float
        Bollinger width at or below this percentile can be a range (default 0.5).
    """

    adx_period: int = 14
    atr_period: int = 14
    bb_period: int = 20
    lookback: int = 200
    trend_adx: float = 25.0
    range_adx: float = 20.0
    high_vol_percentile: float = 0.9
    range_width_percentile: float = 0.5

    def validate(self) -> None:
        """Raise ``ValueError`` naming the setting that does not fit."""
        for name in ("adx_period", "atr_period", "bb_period"):
            if getattr(self, name) < 2:
                raise ValueError(f"regime setting '{name}' must be at least 2")
        if self.lookback < 10:
            raise ValueError(f"regime setting 'lookback' was {self.lookback}; it must be ≥ 10")
        if not 0 < self.range_adx <= self.trend_adx < 100:
            raise ValueError(
                f"regime settings need 0 < range_adx ({self.range_adx}) ≤ trend_adx "
                f"({self.trend_adx}) < 100"
            )
        for name in ("high_vol_percentile", "range_width_percentile"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise ValueError(f"regime setting '{name}' was {value}; it must be in (0, 1]")


class ManagerConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How several strategies share one account.

    Each strategy sizes its signals as if it had the whole account; the manager scales them
    to the strategy's share (its weight over the sum of weights, times its performance factor)
    and keeps every strategy, and all of them together, inside their exposure limits.

    Parameters
    ----------
    weights : dict[str, float]
        Weight per strategy id (default 1 each; 0 switches a strategy off).
    min_confidence : float
        Opening signals below this confidence are dropped (default 0).
    regime_switching : bool
        Open positions only for strategies built for the current regime (default True).
    combine : bool
        Opposing opening signals on one instrument in the same step are put to a vote weighted
        by weight × confidence; the losing side is dropped, a tie drops both (default True).
    max_signals_per_step : int
        At most this many opening signals per step, best (weight × confidence) first
        (default 0 = no limit).
    max_combined_exposure : float
        Gross exposure of all strategies together, as a fraction of net liquidation value
        times leverage (default 1.0).
    auto_switch : bool
        Scale each strategy's share by its recent profit factor, between
        ``min_performance_factor`` and 1 (default False).
    performance_window : int
        Closed trades that make up "recent" (default 10).
    min_trades : int
        Trades needed before performance changes a weight (default 5).
    min_performance_factor : float
        Floor of the performance factor (default 0.25).
    regime : RegimeConfig
        Regime detection settings.
    """

    weights: dict[str, float] = msgspec.field(default_factory=dict)
    min_confidence: float = 0.0
    regime_switching: bool = True
    combine: bool = True
    max_signals_per_step: int = 0
    max_combined_exposure: float = 1.0
    auto_switch: bool = False
    performance_window: int = 10
    min_trades: int = 5
    min_performance_factor: float = 0.25
    regime: RegimeConfig = msgspec.field(default_factory=RegimeConfig)

    def validate(self) -> None:
        """Raise ``ValueError`` naming the setting that does not fit."""
        for sid, weight in self.weights.items():
            if not weight >= 0:
                raise ValueError(f"weight of strategy '{sid}' was {weight}; it must be ≥ 0")
        if not 0 <= self.min_confidence <= 1:
            raise ValueError(f"'min_confidence' was {self.min_confidence}; it must be in [0, 1]")
        if self.max_signals_per_step < 0:
            raise ValueError("'max_signals_per_step' must be 0 (no limit) or more")
        if not self.max_combined_exposure > 0:
            raise ValueError(
                f"'max_combined_exposure' was {self.max_combined_exposure}; it must be positive"
            )
        if self.performance_window < 1 or self.min_trades < 1:
            raise ValueError("'performance_window' and 'min_trades' must be at least 1")
        if not 0 < self.min_performance_factor <= 1:
            raise ValueError(
                f"'min_performance_factor' was {self.min_performance_factor}; it must be in (0, 1]"
            )
        self.regime.validate()


__all__ = ["ManagerConfig", "RegimeConfig"]
