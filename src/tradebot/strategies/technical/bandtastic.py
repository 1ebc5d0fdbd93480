"""Bandtastic: four Bollinger levels (1–4 deviations): buy deep, sell back at a nearer level."""

from __future__ import annotations

from tradebot.indicators.streaming import MFI, RSI, BollingerBands
from tradebot.model.data import Bar
from tradebot.model.regime import Regime
from tradebot.strategies.registry import register
from tradebot.strategies.technical._common import (
    LONG,
    SHORT,
    PerInstrument,
    TechnicalParams,
    TechnicalStrategy,
    against,
    check_period,
)


class BandtasticParams(TechnicalParams, frozen=True, kw_only=True):
    """Parameters of ``bandtastic``.

    Parameters
    ----------
    period : int
        Bollinger look-back (default 20).
    entry_level : int
        Deviations (1–4) a close must pass beyond the mean to enter (default 2).
    exit_level : int
        Deviations on the far side at which the position is taken off (1–4, default 1).
    rsi_max : float
        Longs need RSI(14) below this, shorts above 100 − this (default 35; 100 disables).
    mfi_max : float
        Longs need MFI(14) below this, shorts above 100 − this (default 100 = off).
    size, long_only
        See the shared parameters.
    """

    period: int = 20
    entry_level: int = 2
    exit_level: int = 1
    rsi_max: float = 35.0
    mfi_max: float = 100.0

    def validate(self) -> None:
        """Check levels and filters."""
        super().validate()
        check_period("period", self.period)
        for name in ("entry_level", "exit_level"):
            if getattr(self, name) not in (1, 2, 3, 4):
                raise ValueError(f"parameter '{name}' must be 1, 2, 3 or 4")
        if self.entry_level == 4:
            raise ValueError("parameter 'entry_level' must be below 4: level 4 is the stop")
        for name in ("rsi_max", "mfi_max"):
            if not 0 < getattr(self, name) <= 100:
                raise ValueError(f"parameter '{name}' must be in (0, 100]")


class _State:
    __slots__ = ("bands", "mfi", "rsi")

    def __init__(self, p: BandtasticParams) -> None:
        self.bands = BollingerBands(p.period, 1.0)
        """One-deviation band: its half-width is σ, from which all four levels follow."""
        self.rsi = RSI(14)
        self.mfi = MFI(14)


@register
class Bandtastic(TechnicalStrategy[BandtasticParams]):
    """Bands at 1, 2, 3 and 4 standard deviations around SMA(``period``).

    Long when the close falls below the ``entry_level`` lower band with RSI (and optionally
    MFI) low; the target is the ``exit_level`` upper band, the stop the 4-deviation lower band
    (a close already past it is a crash, not a stretch, and is not bought). Shorts mirror this.
    Invalidated when the close breaks the live 4-deviation band. Confidence grows with how many
    levels the close has passed.
    """

    name = "bandtastic"
    params_type = BandtasticParams
    regimes = frozenset({Regime.RANGING, Regime.HIGH_VOLATILITY})

    def on_start(self) -> None:
        """Indicators per instrument."""
        super().on_start()
        self.state = PerInstrument(lambda: _State(self.params))

    def on_bar(self, bar: Bar) -> None:
        """Update, exit at the far level, enter beyond the entry level."""
        iid = bar.instrument_id
        s = self.state[iid]
        p = self.params
        close = bar.close
        one_up, mean, _ = s.bands.update(close)
        rsi = s.rsi.update(close)
        mfi = s.mfi.update(bar.high, bar.low, close, bar.volume)
        if mean != mean or rsi != rsi:
            return
        sd = one_up - mean
        if sd <= 0:
            return
        side = self.side_of(iid)
        if side:
            if not self.exit_on_plan(iid, close) and side * (close - mean) >= p.exit_level * sd:
                self.exit(iid, f"band_{p.exit_level}")
            return
        z = (close - mean) / sd
        mfi_ok_long = p.mfi_max >= 100 or (mfi == mfi and mfi < p.mfi_max)
        mfi_ok_short = p.mfi_max >= 100 or (mfi == mfi and mfi > 100 - p.mfi_max)
        if -4 < z < -p.entry_level and rsi < p.rsi_max and mfi_ok_long:
            direction = LONG
        elif p.entry_level < z < 4 and rsi > 100 - p.rsi_max and mfi_ok_short:
            direction = SHORT
        else:
            return
        # The exit monitor's bb_* names are the k = 2 band: 4 σ is two half-widths from the mean.
        n = p.period
        four_sd = (
            f"bb_middle_{n} {'-' if direction == LONG else '+'} 2 * (bb_upper_{n} - bb_middle_{n})"
        )
        self.enter(
            iid,
            direction,
            stop=mean - direction * 4 * sd,
            target=mean + direction * p.exit_level * sd,
            confidence=0.3 + (abs(z) - p.entry_level) / (4 - p.entry_level) * 0.7,
            invalidation=(f"close {against(direction)} {four_sd}",),
            tag=f"{'below' if direction == LONG else 'above'}_band_{p.entry_level}",
        )


__all__ = ["Bandtastic", "BandtasticParams"]
