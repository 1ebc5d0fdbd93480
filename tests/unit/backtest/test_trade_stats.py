"""Win rate, profit factor and expectancy from trades built in the test."""

from __future__ import annotations

import math

import pytest

from tradebot.backtest.metrics import compute_metrics

from .factories import result, trade


@pytest.mark.parametrize(
    ("pnls", "win_rate", "profit_factor"),
    [
        ([50, -20, 30, -10], 2 / 4, 80 / 30),
        ([10, 10, -5], 2 / 3, 20 / 5),
        ([-1, -2], 0.0, 0.0),
        ([10, 0, -10], 1 / 3, 1.0),  # a break-even trade is neither a win nor a loss
        ([7], 1.0, math.inf),
        ([0, 0], 0.0, None),  # neither wins nor losses: undefined
    ],
)
def test_win_rate_profit_factor_and_expectancy(
    pnls: list[float], win_rate: float, profit_factor: float | None
) -> None:
    trades = [trade(p, day=i) for i, p in enumerate(pnls)]

    m = compute_metrics(result([100.0, 101.0, 102.0], trades=trades))

    assert m.number_of_trades == len(pnls)
    assert m.win_rate == pytest.approx(win_rate)
    assert m.profit_factor == pytest.approx(profit_factor)
    assert m.expectancy == pytest.approx(sum(pnls) / len(pnls))


def test_best_worst_and_average_trade_are_returns() -> None:
    trades = [
        trade(50, ret=0.05, fees=1),
        trade(-20, ret=-0.02, fees=1),
        trade(30, ret=0.03, fees=1),
        trade(-10, ret=-0.01, fees=1),
    ]

    m = compute_metrics(result([100, 101, 102, 103], trades=trades))

    assert m.best_trade == pytest.approx(0.05)
    assert m.worst_trade == pytest.approx(-0.02)
    assert m.avg_trade_return == pytest.approx((0.05 - 0.02 + 0.03 - 0.01) / 4)
    assert m.total_fees == pytest.approx(4)


def test_no_trades_leave_trade_figures_empty() -> None:
    m = compute_metrics(result([100.0, 120.0, 90.0]))

    assert m.number_of_trades == 0
    assert (m.win_rate, m.profit_factor, m.expectancy) == (None, None, None)
    assert (m.best_trade, m.worst_trade, m.avg_trade_return) == (None, None, None)
    assert m.total_fees == 0.0
