"""Fit the IV multiplier and the smile to a real chain.

The fit minimises the squared IV error (vol points) over the multiplier, the smile's slope
and curvature and the term-structure exponent with bounded least squares. IV space weighs
every contract alike; in USD the long-dated at-the-money contracts would dominate and the
wings, where a flat model is most wrong, would hardly count. The clip bounds of the smile are
kept from the starting model.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from tradebot.options.calibration.compare import Evaluation, evaluate
from tradebot.options.calibration.inputs import RealQuotes
from tradebot.options.synthetic.iv_model import IVModel

PARAMETERS = ("iv_multiplier", "a", "b", "term")
LOWER = (0.2, -2.0, -1.0, -1.0)
UPPER = (5.0, 2.0, 2.0, 1.0)


@dataclass(frozen=True, slots=True)
class FitResult:
    """The fitted model, its evaluation and how the optimiser ended."""

    model: IVModel
    evaluation: Evaluation
    success: bool
    message: str
    iterations: int


def _model(base: IVModel, x: np.ndarray) -> IVModel:
    skew = dataclasses.replace(base.skew, a=float(x[1]), b=float(x[2]), term=float(x[3]))
    return dataclasses.replace(base, multiplier=float(x[0]), skew=skew)


def fit_iv_model(
    quotes: RealQuotes,
    realised: float,
    start: IVModel | None = None,
    *,
    fit_term: bool = True,
    min_for_shape: int = 8,
) -> FitResult:
    """The model closest to the real IVs of ``quotes`` given the realised vol.

    The ATM level's floor and cap are lifted during the fit (so that the multiplier is not
    stuck at a bound) and restored after; ``fit_term=False`` keeps the term exponent at the
    start model's value. With fewer than ``min_for_shape`` contracts only the multiplier is
    fitted: four parameters on a handful of quotes would fit noise exactly.

    Raises
    ------
    ValueError
        When the realised vol is not a positive number.
    """
    if not realised > 0:
        raise ValueError(f"realised vol must be positive to fit, got {realised}")
    base = start or IVModel()
    free = dataclasses.replace(base, floor=1e-6, cap=base.max_iv)
    x0 = np.array(
        [
            np.clip(base.multiplier, LOWER[0], UPPER[0]),
            np.clip(base.skew.a, LOWER[1], UPPER[1]),
            np.clip(base.skew.b, LOWER[2], UPPER[2]),
            np.clip(base.skew.term, LOWER[3], UPPER[3]),
        ]
    )
    lower = np.array(LOWER)
    upper = np.array(UPPER)
    fixed = [3] if not fit_term else []
    if len(quotes) < min_for_shape:
        fixed = [1, 2, 3]
    for i in fixed:
        lower[i] = x0[i] - 1e-12
        upper[i] = x0[i] + 1e-12
    target = quotes.iv

    def residuals(x: np.ndarray) -> np.ndarray:
        ev = evaluate(quotes, realised, _model(free, x))
        return np.asarray((ev.iv - target) * 100.0)

    res = least_squares(residuals, x0, bounds=(lower, upper), method="trf", x_scale="jac")
    x = np.array(res.x, dtype=np.float64)
    x[fixed] = x0[fixed]
    fitted = _model(free, x)
    fitted = dataclasses.replace(fitted, floor=min(base.floor, fitted.cap), cap=base.cap)
    return FitResult(
        model=fitted,
        evaluation=evaluate(quotes, realised, fitted),
        success=bool(res.success),
        message=str(res.message),
        iterations=int(res.nfev),
    )


__all__ = ["LOWER", "PARAMETERS", "UPPER", "FitResult", "fit_iv_model"]
