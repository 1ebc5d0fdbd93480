"""The equity curve, recorded cheaply on every market step and valued at the end.

Between fills only prices move, and the portfolio's value is then linear in the last prices
(``Portfolio.valuation_plan``). So the recorder keeps, per step, only the timestamp; per
instrument, every mark; and, whenever balances change, the plan in force. The curve is
computed once, vectorised, when asked for. Layouts that are not linear in one price fall back
to valuing the portfolio at each step, so the result is always the one a per-step
``net_liquidation_value()`` would give.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tradebot.model.identifiers import InstrumentId
from tradebot.portfolio.portfolio import Portfolio, ValuationPlan

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class EquityRecorder:
    """Samples of net liquidation value and gross exposure, one per market step."""

    __slots__ = ("_eager", "_exact", "_portfolio", "_segments", "_version", "marks", "ts")

    def __init__(self, portfolio: Portfolio) -> None:
        self._portfolio = portfolio
        self.ts: list[int] = []
        self.marks: dict[InstrumentId, tuple[list[int], list[float]]] = {}
        self._segments: list[tuple[int, ValuationPlan | None]] = []
        self._version = -1
        self._eager = False
        self._exact: dict[int, tuple[float, float]] = {}

    def mark(self, instrument_id: InstrumentId, ts: int, price: float) -> None:
        """Remember a price (the engine calls this for every bar, quote and trade)."""
        series = self.marks.get(instrument_id)
        if series is None:
            series = self.marks[instrument_id] = ([], [])
        series[0].append(ts)
        series[1].append(price)

    def sample(self, ts: int) -> None:
        """Record the state after every event at ``ts`` was processed."""
        pf = self._portfolio
        if pf.account.version != self._version:
            self._version = pf.account.version
            plan = pf.valuation_plan()
            self._segments.append((len(self.ts), plan))
            self._eager = plan is None
        if self._eager:
            self._exact[len(self.ts)] = (pf.net_liquidation_value(), pf.gross_exposure())
        self.ts.append(ts)

    def curve(self) -> tuple[IntArray, FloatArray, FloatArray]:
        """(timestamps, equity, gross exposure / equity) for every sample."""
        ts = np.asarray(self.ts, dtype=np.int64)
        n = len(ts)
        equity = np.full(n, np.nan)
        gross = np.zeros(n)
        bounds = [start for start, _ in self._segments] + [n]
        for k, (start, plan) in enumerate(self._segments):
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
                prices = self._prices_at(iid, ts[start:end])
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
