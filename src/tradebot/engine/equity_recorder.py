"""The equity curve, recorded cheaply on every market step and valued at the end.

Between fills only prices move, and the portfolio's value is then linear in the last prices
(``Portfolio.valuation_plan``). So the recorder keeps, per step, only the timestamp; per
instrument, every mark; and, whenever balances change, the plan in force. The curve is
computed once, vectorised, when asked for. Layouts that are not linear in one price fall back
to valuing the portfolio at each step, so the result is always the one a per-step
``net_liquidation_value()`` would give.
"""

from __future__ import annotations

from array import array

import numpy as np
import numpy.typing as npt

from tradebot.model.identifiers import InstrumentId
from tradebot.portfolio.portfolio import Portfolio, ValuationPlan

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class EquityRecorder:
    """Samples of net liquidation value and gross exposure, one per market step."""

    __slots__ = (
        "_eager",
        "_exact",
        "_plans",
        "_portfolio",
        "_starts",
        "_version",
        "marks",
        "steady_version",
        "ts",
    )

    def __init__(self, portfolio: Portfolio) -> None:
        self._portfolio = portfolio
        self.ts: list[int] = []
        self.marks: dict[InstrumentId, tuple[list[int], list[float]]] = {}
        # Segments of the curve: the first sample each plan values, and the plan (None: eager).
        # Two flat columns rather than a list of tuples: one new tuple per fill was one more
        # object for the garbage collector to scan.
        self._starts: array[int] = array("q")
        self._plans: list[ValuationPlan | None] = []
        self._version = -1
        self._eager = False
        self._exact: dict[int, tuple[float, float]] = {}
        self.steady_version = -1
        """While the account's version equals this, :meth:`sample` only appends the timestamp,
        and the engine appends it itself (one call less per market step). -1 when every sample
        must go through :meth:`sample`: eager valuation, or a subclass that overrides it."""

    def series(self, instrument_id: InstrumentId) -> tuple[list[int], list[float]]:
        """The (timestamps, prices) marks of ``instrument_id``, created empty on first use."""
        series = self.marks.get(instrument_id)
        if series is None:
            series = self.marks[instrument_id] = ([], [])
        return series

    def mark(self, instrument_id: InstrumentId, ts: int, price: float) -> None:
        """Remember a price (the engine appends to :meth:`series` itself on its hot path)."""
        series = self.series(instrument_id)
        series[0].append(ts)
        series[1].append(price)

    def sample(self, ts: int) -> None:
        """Record the state after every event at ``ts`` was processed."""
        pf = self._portfolio
        if pf.account.version != self._version:
            self._version = pf.account.version
            plan = pf.valuation_plan()
            self._starts.append(len(self.ts))
            self._plans.append(plan)
            self._eager = plan is None
            plain = not self._eager and type(self).sample is EquityRecorder.sample
            self.steady_version = self._version if plain else -1
        if self._eager:
            self._exact[len(self.ts)] = (pf.net_liquidation_value(), pf.gross_exposure())
        self.ts.append(ts)

    def curve(self) -> tuple[IntArray, FloatArray, FloatArray]:
        """(timestamps, equity, gross exposure / equity) for every sample."""
        ts = np.asarray(self.ts, dtype=np.int64)
        n = len(ts)
        equity = np.full(n, np.nan)
        gross = np.zeros(n)
        bounds = [*self._starts, n]
        # Each instrument's price at every sample, looked up once for the whole curve: a run has
        # a segment per fill, and converting the marks again for each one made a million-bar
        # run with 40,000 fills take minutes here (slices of one lookup are the same numbers).
        prices_at: dict[InstrumentId, FloatArray] = {}
        for k, plan in enumerate(self._plans):
            start = bounds[k]
            end = bounds[k + 1]
            if start >= end:
                continue
            if plan is None:
                for i in range(start, end):
                    equity[i], gross[i] = self._exact[i]
                continue
            eq = np.full(end - start, plan.equity_const)
            ex = np.full(end - start, plan.exposure_const)
            for iid, eq_coef, ex_coef in plan.terms:
                every = prices_at.get(iid)
                if every is None:
                    every = prices_at[iid] = self._prices_at(iid, ts)
                prices = every[start:end]
                eq += eq_coef * prices
                ex += ex_coef * prices
            equity[start:end] = eq
            gross[start:end] = ex
        with np.errstate(divide="ignore", invalid="ignore"):
            exposure = np.where(equity > 0, gross / equity, 0.0)
        return ts, equity, exposure

    def _prices_at(self, instrument_id: InstrumentId, ts: IntArray) -> FloatArray:
        series = self.marks.get(instrument_id)
        if series is None:
            return np.full(len(ts), np.nan)
        mark_ts = np.asarray(series[0], dtype=np.int64)
        prices = np.asarray(series[1], dtype=np.float64)
        idx = np.searchsorted(mark_ts, ts, side="right") - 1
        out = np.where(idx >= 0, prices[np.maximum(idx, 0)], np.nan)
        return np.asarray(out, dtype=np.float64)


__all__ = ["EquityRecorder"]
