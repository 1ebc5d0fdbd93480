"""What a calibration compares: the real contracts of a snapshot and the realised vol then.

Only data up to the snapshot's time may be used, as a backtest at that moment would see it, so
the realised vol comes from the candles closed at or before the snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from tradebot.model.data import Bar
from tradebot.options.chain import BoolArray, FloatArray, IntArray, OptionChain
from tradebot.options.contract import OptionSpec
from tradebot.options.pricing import to_usd_price, year_fraction
from tradebot.options.synthetic.realized_vol import RealizedVol, timeframe_ns

_DAY_NS = 86_400 * 1_000_000_000


@dataclass(frozen=True, slots=True)
class VolAtSnapshot:
    """Realised volatility as of a snapshot and the candles it came from."""

    value: float
    bars: int
    last_ts_ns: int
    last_close: float
    bar_ns: int


def realised_vol_before(
    bars: Iterable[Bar], ts_ns: int, *, vol_days: float = 30.0, min_returns: int = 20
) -> VolAtSnapshot:
    """Realised vol over the ``vol_days`` before ``ts_ns`` from ``bars`` (one instrument).

    Uses the same estimator and window as the synthetic market.

    Raises
    ------
    ValueError
        When fewer than ``min_returns + 1`` bars closed at or before ``ts_ns``.
    """
    kept: list[Bar] = [b for b in bars if b.ts_event <= ts_ns]
    if len(kept) <= min_returns:
        raise ValueError(
            f"{len(kept)} candle(s) closed at or before the snapshot; at least "
            f"{min_returns + 1} are needed for a realised volatility"
        )
    first = kept[0]
    bar_ns = (first.ts_event - first.ts_open) or timeframe_ns(first.timeframe) or _DAY_NS
    window = max(min_returns, round(vol_days * _DAY_NS / bar_ns))
    vol = RealizedVol(window=window, min_returns=min_returns, bar_ns=bar_ns)
    for bar in kept[-(window + 1) :]:
        vol.update(bar.close)
    last = kept[-1]
    return VolAtSnapshot(vol.value, len(kept), last.ts_event, last.close, bar_ns)


@dataclass(frozen=True, slots=True)
class RealQuotes:
    """The contracts of a snapshot kept for calibration, as columns."""

    spec: OptionSpec
    ts_ns: int
    spot: float
    expiry_ns: IntArray
    strike: FloatArray
    is_call: BoolArray
    forward: FloatArray
    years: FloatArray
    iv: FloatArray
    """Real mark IV (1.00 = 100 %)."""
    usd: FloatArray
    """Real mark in USD (the coin mark times the forward it was quoted on)."""

    def __len__(self) -> int:
        return int(self.strike.shape[0])

    @property
    def log_moneyness(self) -> FloatArray:
        """``ln(K/F)``."""
        return np.asarray(np.log(self.strike / self.forward), dtype=np.float64)

    @property
    def days(self) -> FloatArray:
        """Days to expiry."""
        return np.asarray(self.years * 365.0, dtype=np.float64)


def real_quotes(chain: OptionChain, *, min_days: float = 1.0, otm_only: bool = True) -> RealQuotes:
    """Contracts of ``chain`` worth fitting to.

    Kept: a finite positive mark and mark IV, at least ``min_days`` to expiry (the last hours
    of a contract carry IVs of several hundred per cent that no smile should chase) and, with
    ``otm_only``, only the out-of-the-money side of each strike (calls at or above the forward,
    puts below): Deribit gives both sides of a strike one mark IV, and in-the-money prices are
    mostly intrinsic value.

    Raises
    ------
    ValueError
        When no contract is left.
    """
    years = np.asarray(year_fraction(np.int64(chain.ts_ns), chain.expiry_ns), dtype=np.float64)
    fwd = np.where(np.isfinite(chain.forward) & (chain.forward > 0), chain.forward, chain.spot)
    keep = (
        np.isfinite(chain.mark)
        & (chain.mark > 0)
        & np.isfinite(chain.iv)
        & (chain.iv > 0)
        & (years * 365.0 >= min_days)
    )
    if otm_only:
        keep &= np.where(chain.is_call, chain.strike >= fwd, chain.strike < fwd)
    if not bool(keep.any()):
        raise ValueError(f"no contract with a mark IV and at least {min_days:g} day(s) to expiry")
    mark = chain.mark[keep]
    usd = to_usd_price(mark, fwd[keep]) if chain.spec.premium_in_underlying else mark
    return RealQuotes(
        spec=chain.spec,
        ts_ns=chain.ts_ns,
        spot=chain.spot,
        expiry_ns=chain.expiry_ns[keep],
        strike=chain.strike[keep],
        is_call=chain.is_call[keep],
        forward=np.asarray(fwd[keep], dtype=np.float64),
        years=years[keep],
        iv=chain.iv[keep],
        usd=np.asarray(usd, dtype=np.float64),
    )


__all__ = ["RealQuotes", "VolAtSnapshot", "real_quotes", "realised_vol_before"]
