"""Implied volatility of a synthetic chain: realised vol × a multiplier, shaped by a smile.

Option sellers demand more than realised volatility (the variance premium) and out-of-the-money
strikes trade at higher IVs than the money (the smile), so a flat ``IV = RV`` misprices both
the level and the wings. The smile is written in normalised log-moneyness
``x = ln(K/F)/√T``, in which a smile keeps roughly the same shape across expiries, and the
at-the-money level may carry a power-law term structure; every parameter can be fitted to a
real chain (see :mod:`tradebot.options.calibration`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tradebot.options.chain import FloatArray

_THIRTY_DAYS = 30.0 / 365.0


@dataclass(frozen=True, slots=True)
class SkewModel:
    """Smile factor ``1 + a·x + b·x²`` on ``x = ln(K/F)/√T``, clipped to ``[lo, hi]``.

    Parameters
    ----------
    a : float
        Slope: negative puts the higher IVs on low strikes (equity-like), positive on calls.
    b : float
        Curvature: positive lifts both wings.
    term : float
        ATM term structure ``(T / 30 days)^(-term)``: positive makes short expiries dearer.
        ``T`` is floored at ``min_term_years`` so a contract minutes from expiry does not get
        an unbounded IV.
    lo, hi : float
        Clip of the total factor (smile × term), so far wings stay priced sensibly.
    x_clip : float
        ``|x|`` is clipped here before the polynomial, for the same reason.
    min_term_years : float
        Floor on ``T`` in the term factor (default one day).
    """

    a: float = 0.0
    b: float = 0.0
    term: float = 0.0
    lo: float = 0.5
    hi: float = 3.0
    x_clip: float = 3.0
    min_term_years: float = 1.0 / 365.0

    def __post_init__(self) -> None:
        for name in ("a", "b", "term", "lo", "hi", "x_clip", "min_term_years"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"skew parameter '{name}' must be finite")
        if not 0 < self.lo <= 1 <= self.hi:
            raise ValueError(f"skew clip must satisfy 0 < lo <= 1 <= hi, got {self.lo}, {self.hi}")
        if self.x_clip <= 0 or self.min_term_years <= 0:
            raise ValueError("skew 'x_clip' and 'min_term_years' must be positive")

    def factor(
        self, strike: npt.ArrayLike, forward: npt.ArrayLike, years: npt.ArrayLike
    ) -> FloatArray:
        """Multiplier of the ATM IV for each (strike, forward, years to expiry)."""
        k = np.asarray(strike, dtype=np.float64)
        f = np.asarray(forward, dtype=np.float64)
        t = np.asarray(years, dtype=np.float64)
        root_t = np.sqrt(np.maximum(t, 1e-12))
        x = np.clip(np.log(k / f) / root_t, -self.x_clip, self.x_clip)
        smile = 1.0 + self.a * x + self.b * x * x
        if self.term != 0.0:
            smile = smile * (np.maximum(t, self.min_term_years) / _THIRTY_DAYS) ** (-self.term)
        return np.asarray(np.clip(smile, self.lo, self.hi), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class IVModel:
    """ATM IV = realised vol × ``multiplier`` within ``[floor, cap]``, then the smile.

    Parameters
    ----------
    multiplier : float
        Implied over realised (crypto options usually trade at 1.0-1.3× realised).
    floor, cap : float
        Bounds of the ATM IV (annualised, 1.00 = 100 %): a calm week must not price options
        at near-zero vol, a crash week not at 1000 %.
    skew : SkewModel
        Shape across strikes and expiries.
    max_iv : float
        Hard bound on any contract's IV after the smile.
    """

    multiplier: float = 1.0
    floor: float = 0.2
    cap: float = 3.0
    skew: SkewModel = SkewModel()
    max_iv: float = 5.0

    def __post_init__(self) -> None:
        if not (self.multiplier > 0 and math.isfinite(self.multiplier)):
            raise ValueError(f"iv multiplier must be a positive number, got {self.multiplier}")
        if not 0 < self.floor <= self.cap <= self.max_iv:
            raise ValueError(
                f"iv bounds must satisfy 0 < floor <= cap <= max_iv, got "
                f"{self.floor}, {self.cap}, {self.max_iv}"
            )

    def atm(self, realised: float) -> float:
        """ATM IV from a realised vol (NaN stays NaN: no price without a vol)."""
        if realised != realised:
            return math.nan
        return min(max(realised * self.multiplier, self.floor), self.cap)

    def iv(
        self,
        realised: float,
        strike: npt.ArrayLike,
        forward: npt.ArrayLike,
        years: npt.ArrayLike,
    ) -> FloatArray:
        """IV of each contract (vectorised over strikes, forwards and expiries)."""
        level = self.atm(realised)
        out = level * self.skew.factor(strike, forward, years)
        return np.asarray(np.minimum(out, self.max_iv), dtype=np.float64)


__all__ = ["IVModel", "SkewModel"]
