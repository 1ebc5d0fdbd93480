"""An option chain at one moment: every listed contract with its quotes, IV and greeks.

The chain is column-oriented (one NumPy array per field, rows sorted by expiry, strike, then
calls before puts) so that a whole chain is priced, filtered and searched in vectorised form.
Prices (``bid``, ``ask``, ``mark``) are in the premium currency of the series (the coin for
Deribit); greeks are per contract in USD terms: delta per unit of the underlying, gamma per
USD, vega per 1.00 of volatility, theta per year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from tradebot.model.enums import OptionKind
from tradebot.model.instruments import Option
from tradebot.options.contract import OptionSpec

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_CALL = OptionKind.CALL
_COLUMNS = ("bid", "ask", "mark", "iv", "delta", "gamma", "vega", "theta", "open_interest")


@dataclass(frozen=True, slots=True)
class OptionQuote:
    """One row of a chain."""

    instrument: Option
    bid: float
    ask: float
    mark: float
    iv: float
    delta: float
    gamma: float
    vega: float
    theta: float
    open_interest: float

    @property
    def mid(self) -> float:
        """Mid of bid and ask, or the mark when one side is missing."""
        if self.bid > 0 and self.ask > 0:
            return 0.5 * (self.bid + self.ask)
        return self.mark


def _column(values: Any, n: int, name: str) -> FloatArray:
    if values is None:
        return np.full(n, np.nan)
    out = np.asarray(values, dtype=np.float64)
    if out.shape != (n,):
        raise ValueError(f"chain column '{name}' has shape {out.shape}, expected ({n},)")
    return out


@dataclass(frozen=True, slots=True)
class OptionChain:
    """Contracts on one underlying at ``ts_ns``; build it with :meth:`build`."""

    spec: OptionSpec
    ts_ns: int
    spot: float
    """Index (spot) price of the underlying in USD."""
    expiry_ns: IntArray
    strike: FloatArray
    is_call: BoolArray
    forward: FloatArray
    """Forward (Deribit's ``underlying_price``) per row; the spot when no future is quoted."""
    bid: FloatArray
    ask: FloatArray
    mark: FloatArray
    iv: FloatArray
    delta: FloatArray
    gamma: FloatArray
    vega: FloatArray
    theta: FloatArray
    open_interest: FloatArray
    _instruments: dict[tuple[int, float, bool], Option] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def build(
        cls,
        spec: OptionSpec,
        ts_ns: int,
        spot: float,
        expiry_ns: Any,
        strike: Any,
        is_call: Any,
        *,
        forward: Any = None,
        **columns: Any,
    ) -> OptionChain:
        """Sort rows and check shapes; missing columns are NaN (``forward`` defaults to spot).

        Raises
        ------
        ValueError
            Naming the column whose shape does not match, or an unknown column.
        """
        unknown = set(columns) - set(_COLUMNS)
        if unknown:
            raise ValueError(f"unknown chain column(s): {', '.join(sorted(unknown))}")
        exp = np.asarray(expiry_ns, dtype=np.int64)
        n = exp.shape[0]
        k = _column(strike, n, "strike")
        calls = np.asarray(is_call, dtype=np.bool_)
        if calls.shape != (n,):
            raise ValueError(f"chain column 'is_call' has shape {calls.shape}, expected ({n},)")
        fwd = np.full(n, float(spot)) if forward is None else _column(forward, n, "forward")
        order = np.lexsort((~calls, k, exp))
        cols = {name: _column(columns.get(name), n, name)[order] for name in _COLUMNS}
        return _make(spec, ts_ns, spot, exp[order], k[order], calls[order], fwd[order], cols)

    def __len__(self) -> int:
        return int(self.strike.shape[0])

    # -- navigation --------------------------------------------------------------------------
    def expiries(self) -> IntArray:
        """Listed expiries, soonest first."""
        return np.unique(self.expiry_ns)

    def next_expiry(self, min_minutes: float = 0.0) -> int | None:
        """The soonest expiry at least ``min_minutes`` away, or None."""
        later = self.expiries()
        later = later[later >= self.ts_ns + int(min_minutes * 60e9)]
        return int(later[0]) if later.size else None

    def strikes(self, expiry_ns: int) -> FloatArray:
        """Strikes listed for one expiry, ascending."""
        return np.unique(self.strike[self.expiry_ns == expiry_ns])

    def forward_for(self, expiry_ns: int) -> float:
        """Forward of one expiry (the spot when unknown)."""
        rows = np.flatnonzero(self.expiry_ns == expiry_ns)
        if rows.size == 0:
            raise KeyError(f"no contracts expire at {expiry_ns}")
        value = float(self.forward[rows[0]])
        return value if np.isfinite(value) and value > 0 else self.spot

    def atm_strike(self, expiry_ns: int) -> float:
        """The strike nearest the forward of ``expiry_ns``."""
        strikes = self._strikes_or_raise(expiry_ns)
        return float(strikes[np.argmin(np.abs(strikes - self.forward_for(expiry_ns)))])

    def around_atm(self, expiry_ns: int, n: int) -> FloatArray:
        """The ATM strike and ``n`` listed strikes on each side of it (fewer at the edges)."""
        if n < 0:
            raise ValueError(f"n must be zero or more, got {n}")
        strikes = self._strikes_or_raise(expiry_ns)
        i = int(np.searchsorted(strikes, self.atm_strike(expiry_ns)))
        return strikes[max(0, i - n) : i + n + 1]

    def by_otm_pct(self, expiry_ns: int, pct: float, kind: OptionKind) -> float:
        """The strike nearest ``pct`` out of the money (calls above the spot, puts below)."""
        strikes = self._strikes_or_raise(expiry_ns)
        target = self.spot * (1.0 + pct if kind is _CALL else 1.0 - pct)
        return float(strikes[np.argmin(np.abs(strikes - target))])

    def by_delta(self, expiry_ns: int, target: float, kind: OptionKind) -> float:
        """The strike whose |delta| is nearest ``abs(target)`` (NaN deltas are skipped).

        Raises
        ------
        KeyError
            When no contract of that expiry and kind has a delta.
        """
        rows = np.flatnonzero(
            (self.expiry_ns == expiry_ns)
            & (self.is_call == (kind is _CALL))
            & np.isfinite(self.delta)
        )
        if rows.size == 0:
            raise KeyError(f"no {kind.value} with a delta expires at {expiry_ns}")
        best = rows[np.argmin(np.abs(np.abs(self.delta[rows]) - abs(target)))]
        return float(self.strike[best])

    def row(self, expiry_ns: int, strike: float, kind: OptionKind) -> int:
        """Index of one contract.

        Raises
        ------
        KeyError
            When that contract is not listed.
        """
        hits = np.flatnonzero(
            (self.expiry_ns == expiry_ns)
            & np.isclose(self.strike, strike, rtol=0.0, atol=1e-9)
            & (self.is_call == (kind is _CALL))
        )
        if hits.size == 0:
            raise KeyError(f"no {kind.value} at strike {strike:g} expiring at {expiry_ns}")
        return int(hits[0])

    def quote(self, expiry_ns: int, strike: float, kind: OptionKind) -> OptionQuote:
        """One contract with its quotes and greeks."""
        return self.quote_at(self.row(expiry_ns, strike, kind))

    def quote_at(self, i: int) -> OptionQuote:
        """Row ``i`` as an :class:`OptionQuote`."""
        return OptionQuote(
            self.instrument_at(i), *(float(getattr(self, name)[i]) for name in _COLUMNS)
        )

    def instrument(self, expiry_ns: int, strike: float, kind: OptionKind) -> Option:
        """The instrument of one listed contract."""
        return self.instrument_at(self.row(expiry_ns, strike, kind))

    def instrument_at(self, i: int) -> Option:
        """The instrument of row ``i`` (made once per chain and row)."""
        key = (int(self.expiry_ns[i]), float(self.strike[i]), bool(self.is_call[i]))
        inst = self._instruments.get(key)
        if inst is None:
            kind = _CALL if key[2] else OptionKind.PUT
            inst = self._instruments[key] = self.spec.instrument(key[0], key[1], kind)
        return inst

    def select(self, mask: BoolArray) -> OptionChain:
        """The rows where ``mask`` is true, as a chain."""
        cols = {name: getattr(self, name)[mask] for name in _COLUMNS}
        return _make(
            self.spec,
            self.ts_ns,
            self.spot,
            self.expiry_ns[mask],
            self.strike[mask],
            self.is_call[mask],
            self.forward[mask],
            cols,
        )

    def _strikes_or_raise(self, expiry_ns: int) -> FloatArray:
        strikes = self.strikes(expiry_ns)
        if strikes.size == 0:
            raise KeyError(f"no contracts expire at {expiry_ns}")
        return strikes


def _make(
    spec: OptionSpec,
    ts_ns: int,
    spot: float,
    expiry_ns: IntArray,
    strike: FloatArray,
    is_call: BoolArray,
    forward: FloatArray,
    cols: dict[str, FloatArray],
) -> OptionChain:
    return OptionChain(
        spec=spec,
        ts_ns=int(ts_ns),
        spot=float(spot),
        expiry_ns=expiry_ns,
        strike=strike,
        is_call=is_call,
        forward=forward,
        bid=cols["bid"],
        ask=cols["ask"],
        mark=cols["mark"],
        iv=cols["iv"],
        delta=cols["delta"],
        gamma=cols["gamma"],
        vega=cols["vega"],
        theta=cols["theta"],
        open_interest=cols["open_interest"],
    )


__all__ = ["BoolArray", "FloatArray", "IntArray", "OptionChain", "OptionQuote"]
