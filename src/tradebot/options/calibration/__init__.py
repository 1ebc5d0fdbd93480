"""Calibration of the synthetic option market against real chains (seed 003).

Load a snapshot (:mod:`tradebot.options.recorded`), take the realised vol of the underlying's
candles up to its time, price its contracts with the synthetic IV model, measure the error by
moneyness and expiry, and fit the multiplier and smile that minimise it; the fitted
parameters are written as the JSON file ``--skew`` reads.
"""

from tradebot.options.calibration.compare import (
    BucketStats,
    Evaluation,
    bucket_stats,
    evaluate,
)
from tradebot.options.calibration.fit import FitResult, fit_iv_model
from tradebot.options.calibration.inputs import (
    RealQuotes,
    VolAtSnapshot,
    real_quotes,
    realised_vol_before,
)

__all__ = [
    "BucketStats",
    "Evaluation",
    "FitResult",
    "RealQuotes",
    "VolAtSnapshot",
    "bucket_stats",
    "evaluate",
    "fit_iv_model",
    "real_quotes",
    "realised_vol_before",
]
