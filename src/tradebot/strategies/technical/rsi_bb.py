"""RSI + Bollinger mean reversion: buy stretched sell-offs, exit at the mean."""

from __future__ import annotations

from tradebot.indicators.streaming import RSI, BollingerBands
from tradebot.model.data import Bar
from tradebot.model.identifiers import InstrumentId
from tradebot.strategies.base import Strategy, StrategyParams
from tradebot.strategies.registry import register


class RsiBbParams(StrategyParams, frozen=True, kw_only=True):
    """Parameters of ``rsi_bb``.

    Parameters
    ----------
    rsi_period : int
        RSI look-back (default 14).
    bb_period : int
        Bollinger look-back (default 20).
    bb_k : float
        Band width in standard deviations (default 2.0).
    oversold, overbought : float
        RSI levels that, with a close outside the band, open a trade (defaults 30 and 70).
    size : float
        Fraction of equity per entry (default 1.0).
    long_only : bool
        When False, stretched rallies are sold short (default True).
    """

    rsi_period: int = 14
    bb_period: int = 20
    bb_k: float = 2.0
    oversold: float = 30.0
    overbought: float = 70.0
    size: float = 1.0
    long_only: bool = True

    def validate(self) -> None:
        """Check periods, levels and size."""
        if self.rsi_period < 2 or self.bb_period < 2:
            raise ValueError("parameters 'rsi_period' and 'bb_period' must be at least 2")
        if self.bb_k <= 0:
            raise ValueError(f"parameter 'bb_k' was {self.bb_k}; it must be positive")
        if not 0 < self.oversold < self.overbought < 100:
            raise ValueError(
                f"parameters 'oversold' ({self.oversold}) and 'overbought' ({self.overbought}) "
                "must satisfy 0 < oversold < overbought < 100"
            )
        if not 0 < self.size <= 1:
            raise ValueError(f"parameter 'size' was {self.size}; it must be in (0, 1]")


class _State:
    __slots__ = ("bb", "rsi")

    def __init__(self, p: RsiBbParams) -> None:
        self.rsi = RSI(p.rsi_period)
        self.bb = BollingerBands(p.bb_period, p.bb_k)


@register
class RsiBollinger(Strategy[RsiBbParams]):
    """Mean reversion on RSI extremes outside the Bollinger bands.

    Long when the close is below the lower band and RSI is below ``oversold``; the long is
    closed when the close reaches the middle band. Shorts mirror this when enabled. The
    confidence grows with how far RSI is beyond its level; the proposed stop is one band
    half-width beyond the entry and the target is the middle band.
    """

    name = "rsi_bb"
    params_type = RsiBbParams

    def on_start(self) -> None:
        """Indicators are created per instrument on first sight."""
        self._state: dict[InstrumentId, _State] = {}

    def on_bar(self, bar: Bar) -> None:
        """Update indicators, exit at the mean, enter at the extremes."""
        iid = bar.instrument_id
        state = self._state.get(iid)
        if state is None:
            state = self._state[iid] = _State(self.params)
        rsi = state.rsi.update(bar.close)
        upper, middle, lower = state.bb.update(bar.close)
        if rsi != rsi or middle != middle:
            return
        p = self.params
        close = bar.close
        held = self.holding(iid)
        half_width = upper - middle
        if (held > 0 and close >= middle) or (held < 0 and close <= middle):
            self.close(iid, tag="mean")
        elif abs(held) <= 1e-12:
            if close < lower and rsi < p.oversold:
                confidence = min(1.0, 0.5 + (p.oversold - rsi) / (2 * p.oversold))
                self.buy(
                    iid,
                    p.size,
                    confidence=confidence,
                    stop_loss=close - half_width,
                    take_profit=middle,
                    tag="oversold",
                )
            elif not p.long_only and close > upper and rsi > p.overbought:
                confidence = min(1.0, 0.5 + (rsi - p.overbought) / (2 * (100 - p.overbought)))
                self.sell(
                    iid,
                    p.size,
                    confidence=confidence,
                    stop_loss=close + half_width,
                    take_profit=middle,
                    tag="overbought",
                )


__all__ = ["RsiBbParams", "RsiBollinger"]
