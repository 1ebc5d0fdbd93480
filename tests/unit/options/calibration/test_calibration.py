"""Calibration on the real Deribit chain of 2020-05-14 with the bundled BTC/USD 4h candles."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from tradebot.model.data import Bar
from tradebot.options.calibration import (
    bucket_stats,
    evaluate,
    fit_iv_model,
    real_quotes,
    realised_vol_before,
)
from tradebot.options.chain import OptionChain
from tradebot.options.pricing import black76_price
from tradebot.options.recorded import load_schepal_csv
from tradebot.options.synthetic import IVModel, SkewModel
from tradebot.venues.files.catalog import open_dataset

RESOURCES = Path(__file__).resolve().parents[1] / "resources"


@pytest.fixture(scope="module")
def snapshot() -> OptionChain:
    (chain,) = load_schepal_csv(RESOURCES / "deribit_BTC_option_chain_20200514_schepal.csv")
    return chain


@pytest.fixture(scope="module")
def bars() -> list[Bar]:
    return [e for e in open_dataset("btc_usd_4h") if type(e) is Bar]


def test_realised_vol_uses_only_candles_before_the_snapshot(
    snapshot: OptionChain, bars: list[Bar]
) -> None:
    vol = realised_vol_before(bars, snapshot.ts_ns)
    before = [b for b in bars if b.ts_event <= snapshot.ts_ns]
    assert vol.last_ts_ns == before[-1].ts_event <= snapshot.ts_ns
    closes = np.array([b.close for b in before[-181:]])
    expected = np.std(np.diff(np.log(closes)), ddof=1) * math.sqrt(365 * 6)
    assert vol.value == pytest.approx(expected, rel=1e-9)
    # The candle close and Deribit's index agree within half a per cent.
    assert vol.last_close == pytest.approx(snapshot.spot, rel=5e-3)
    with pytest.raises(ValueError, match="candle"):
        realised_vol_before(bars, bars[5].ts_event)


def test_unfitted_model_prices_with_black76_on_the_real_forwards(
    snapshot: OptionChain, bars: list[Bar]
) -> None:
    quotes = real_quotes(snapshot)
    assert 100 < len(quotes) < len(snapshot)
    assert np.all(quotes.days >= 1.0)
    assert np.all(
        np.where(quotes.is_call, quotes.strike >= quotes.forward, quotes.strike < quotes.forward)
    )
    rv = realised_vol_before(bars, snapshot.ts_ns).value
    ev = evaluate(quotes, rv, IVModel(multiplier=1.0))
    assert np.allclose(ev.iv, rv)
    usd = black76_price(quotes.forward, quotes.strike, quotes.years, 0.0, rv, quotes.is_call)
    assert np.allclose(ev.usd, usd, rtol=1e-12)
    assert np.allclose(ev.vol_error, (rv - quotes.iv) * 100)
    stats = {(s.group, s.bucket): s for s in bucket_stats(ev)}
    overall = stats[("all", "all")]
    assert overall.n == len(quotes)
    assert overall.mae_usd == pytest.approx(np.mean(np.abs(usd - quotes.usd)))
    assert overall.bias_vol == pytest.approx(np.mean((rv - quotes.iv) * 100))
    assert sum(s.n for (g, _), s in stats.items() if g == "moneyness") == len(quotes)
    assert sum(s.n for (g, _), s in stats.items() if g == "expiry") == len(quotes)


def test_fit_lowers_the_error_with_sensible_parameters(
    snapshot: OptionChain, bars: list[Bar]
) -> None:
    quotes = real_quotes(snapshot)
    rv = realised_vol_before(bars, snapshot.ts_ns).value
    before = bucket_stats(evaluate(quotes, rv, IVModel()))[0]
    fit = fit_iv_model(quotes, rv)
    after = bucket_stats(fit.evaluation)[0]
    assert fit.success
    assert after.mae_vol < 0.5 * before.mae_vol
    assert after.mae_usd < 0.5 * before.mae_usd
    assert abs(after.bias_vol) < abs(before.bias_vol)
    m = fit.model
    # Options traded above realised vol in May 2020 and the BTC smile is convex.
    assert 0.9 < m.multiplier < 2.0
    assert m.skew.b > 0
    assert abs(m.skew.a) < 0.5
    assert abs(m.skew.term) < 0.5
    # The fitted ATM IV is near the real at-the-money mark IV of the 43-day expiry.
    jun = quotes.days > 40
    jun &= quotes.days < 50
    atm = np.argmin(np.abs(quotes.log_moneyness[jun]))
    fitted = m.iv(rv, quotes.strike[jun][atm], quotes.forward[jun][atm], quotes.years[jun][atm])
    assert float(fitted) == pytest.approx(quotes.iv[jun][atm], abs=0.06)


def test_a_handful_of_quotes_fits_only_the_multiplier(snapshot: OptionChain) -> None:
    quotes = real_quotes(snapshot)
    few = real_quotes(snapshot.select(np.isin(np.arange(len(snapshot)), [100, 101, 150])))
    assert len(few) < 8 <= len(quotes)
    start = IVModel(skew=SkewModel(a=0.01, b=0.02))
    fit = fit_iv_model(few, 0.7, start)
    assert (fit.model.skew.a, fit.model.skew.b, fit.model.skew.term) == (0.01, 0.02, 0.0)
    assert fit.model.multiplier != start.multiplier
    with pytest.raises(ValueError, match="realised vol must be positive"):
        fit_iv_model(quotes, float("nan"))
