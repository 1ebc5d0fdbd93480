"""The synthetic option market: prices equal Black-76 (ours and QuantLib's) on the same inputs,
put-call parity across the chain, inverse premiums, determinism, caching, live old contracts,
index prices and several assets."""

from __future__ import annotations

import math

import numpy as np
import pytest
import QuantLib as ql

from tradebot.model.data import Bar
from tradebot.model.enums import OptionKind
from tradebot.model.identifiers import InstrumentId
from tradebot.options.contract import OptionSpec
from tradebot.options.pricing import black76_price, year_fraction
from tradebot.options.synthetic import (
    IVModel,
    RealizedVol,
    SkewModel,
    SyntheticMarketConfig,
    SyntheticOptionMarket,
)

from .conftest import MakeBars

T0 = 1_600_000_000 // 86_400 * 86_400 * 10**9  # a UTC midnight (2020-09-13)
CALL, PUT = OptionKind.CALL, OptionKind.PUT
ETH_ID = InstrumentId("ETH/USD", "TEST")


def _closes(n: int, seed: int = 7, start: float = 10_000.0) -> list[float]:
    rng = np.random.default_rng(seed)
    return list(start * np.exp(np.cumsum(rng.normal(0.0, 0.015, n))))


def _fed(bars: list[Bar], config: SyntheticMarketConfig | None = None) -> SyntheticOptionMarket:
    market = SyntheticOptionMarket(("BTC",), config)
    for bar in bars:
        market.on_underlying_bar(bar, "BTC")
    return market


def _expected_vol(closes: list[float], window: int) -> float:
    r = np.diff(np.log(closes))[-window:]
    return float(np.std(r, ddof=1) * math.sqrt(365 * 6))


def test_chain_prices_equal_black76_and_quantlib(make_bars: MakeBars) -> None:
    closes = _closes(300)
    bars = make_bars(closes, T0)
    market = _fed(bars)
    ts = bars[-1].ts_event
    chain = market.chain("BTC", ts)
    assert chain is not None
    assert len(chain) > 100
    spot = closes[-1]
    assert chain.spot == spot
    rv = _expected_vol(closes, 180)  # 30 days of 4h bars
    assert np.allclose(chain.iv, rv, rtol=1e-9)  # multiplier 1, no smile
    years = np.array([year_fraction(ts, int(e)) for e in chain.expiry_ns])
    ours = black76_price(spot, chain.strike, years, 0.0, rv, chain.is_call) / spot
    assert np.allclose(chain.mark, ours, rtol=1e-9, atol=1e-15)
    for i in range(0, len(chain), 17):
        kind = ql.Option.Call if chain.is_call[i] else ql.Option.Put
        sd = rv * math.sqrt(years[i])
        calc = ql.BlackCalculator(
            ql.PlainVanillaPayoff(kind, float(chain.strike[i])), spot, sd, 1.0
        )
        assert chain.mark[i] * spot == pytest.approx(calc.value(), rel=1e-9, abs=1e-9)
        assert chain.delta[i] == pytest.approx(calc.deltaForward(), rel=1e-7, abs=1e-10)
        assert chain.vega[i] == pytest.approx(calc.vega(years[i]), rel=1e-7, abs=1e-8)


def test_put_call_parity_and_inverse_conversion_with_a_rate(make_bars: MakeBars) -> None:
    rate = 0.05
    bars = make_bars(_closes(200), T0)
    market = _fed(bars, SyntheticMarketConfig(rate=rate, iv=IVModel(skew=SkewModel(a=-0.1, b=0.2))))
    ts = bars[-1].ts_event
    chain = market.chain("BTC", ts)
    assert chain is not None
    spot = bars[-1].close
    calls = np.flatnonzero(chain.is_call)
    puts = np.flatnonzero(~chain.is_call)
    assert np.array_equal(chain.strike[calls], chain.strike[puts])
    years = np.asarray(year_fraction(np.int64(ts), chain.expiry_ns[calls]))
    fwd = spot * np.exp(rate * years)
    assert np.allclose(chain.forward[calls], fwd, rtol=1e-12)
    # Inverse premium × forward = USD value; C − P = e^(−rT)(F − K) in USD.
    usd_c = chain.mark[calls] * chain.forward[calls]
    usd_p = chain.mark[puts] * chain.forward[puts]
    parity = np.exp(-rate * years) * (fwd - chain.strike[calls])
    assert np.allclose(usd_c - usd_p, parity, rtol=1e-9, atol=1e-7)
    # The smile is the same on both sides of a strike.
    assert np.array_equal(chain.iv[calls], chain.iv[puts])


def test_linear_usd_series_is_priced_in_usd(make_bars: MakeBars) -> None:
    spec = OptionSpec(venue="US", underlying="BTC", quote="USD")
    bars = make_bars(_closes(100), T0)
    market = SyntheticOptionMarket((spec,))
    for bar in bars:
        market.on_underlying_bar(bar, "BTC")
    ts = bars[-1].ts_event
    chain = market.chain("BTC", ts)
    assert chain is not None
    assert not chain.spec.premium_in_underlying
    years = np.asarray(year_fraction(np.int64(ts), chain.expiry_ns))
    rv = RealizedVol(180, 20, 4 * 3_600 * 10**9)
    for bar in bars:
        rv.update(bar.close)
    usd = black76_price(bars[-1].close, chain.strike, years, 0.0, rv.value, chain.is_call)
    assert np.allclose(chain.mark, usd, rtol=1e-9, atol=1e-9)


def test_same_bars_same_chains_bit_for_bit(make_bars: MakeBars) -> None:
    bars = make_bars(_closes(250, seed=3), T0)
    a, b = _fed(bars), _fed(bars)
    for bar in bars[30::37]:
        ca, cb = a.chain("BTC", bar.ts_event), b.chain("BTC", bar.ts_event)
        assert ca is not None
        assert cb is not None
        for name in ("expiry_ns", "strike", "is_call", "bid", "ask", "mark", "iv", "delta"):
            assert getattr(ca, name).tobytes() == getattr(cb, name).tobytes(), name


def test_chain_is_cached_per_timestamp_and_quote_matches_it(make_bars: MakeBars) -> None:
    bars = make_bars(_closes(100), T0)
    market = _fed(bars)
    ts = bars[-1].ts_event
    chain = market.chain("BTC", ts)
    assert chain is not None
    assert market.chain("BTC", ts) is chain
    expiry = chain.next_expiry(60)
    assert expiry is not None
    strike = chain.atm_strike(expiry)
    row = chain.quote(expiry, strike, PUT)
    quote = market.quote(row.instrument, ts)
    assert quote is not None
    assert quote.instrument == row.instrument
    for name in ("bid", "ask", "mark", "iv", "delta", "gamma", "vega", "theta"):
        assert getattr(quote, name) == getattr(row, name), name
    assert math.isnan(quote.open_interest)  # a synthetic market knows no open interest


def test_old_contract_still_alive_is_quoted_after_the_grid_moved(make_bars: MakeBars) -> None:
    closes = _closes(60)
    closes += [closes[-1] * 1.6] * 3  # a jump: the grid recentres far above the old strikes
    bars = make_bars(closes, T0)
    market = SyntheticOptionMarket()
    for bar in bars[:60]:
        market.on_underlying_bar(bar, "BTC")
    first = market.chain("BTC", bars[59].ts_event)
    assert first is not None
    expiry = int(first.expiries()[3])  # a weekly, step 250
    low = float(first.strikes(expiry)[0])
    option = first.instrument(expiry, low, CALL)
    for bar in bars[60:]:
        market.on_underlying_bar(bar, "BTC")
    now = bars[-1].ts_event
    later = market.chain("BTC", now)
    assert later is not None
    assert low not in later.strikes(expiry)
    quote = market.quote(option, now)
    assert quote is not None
    spot = closes[-1]
    years = year_fraction(now, expiry)
    rv = market.realised_vol("BTC", now)
    assert quote.mark == pytest.approx(black76_price(spot, low, years, 0.0, rv, True) / spot)
    assert market.quote(option, expiry) is None  # expired


def test_index_price_is_last_close_at_or_before(make_bars: MakeBars) -> None:
    bars = make_bars([100.0, 101.0, 102.0], T0)
    market = _fed(bars)
    assert market.index_price("BTC", T0) is None
    assert market.index_price("BTC", bars[0].ts_event) == 100.0
    assert market.index_price("BTC", bars[1].ts_event - 1) == 100.0
    assert market.index_price("BTC", bars[2].ts_event + 10**12) == 102.0
    assert market.index_price("ETH", bars[2].ts_event) is None
    assert market.chain("BTC", bars[2].ts_event) is None  # no vol yet: no quotes


def test_two_assets_are_independent(make_bars: MakeBars) -> None:
    btc = make_bars(_closes(80, seed=1), T0)
    eth = make_bars(_closes(80, seed=2, start=400.0), T0, iid=ETH_ID)
    market = SyntheticOptionMarket(("BTC", "ETH"))
    for b, e in zip(btc, eth, strict=True):
        market.on_underlying_bar(b, "BTC")
        market.on_underlying_bar(e, "ETH")
    ts = btc[-1].ts_event
    cb, ce = market.chain("BTC", ts), market.chain("ETH", ts)
    assert cb is not None
    assert ce is not None
    assert cb.spot == btc[-1].close
    assert ce.spot == eth[-1].close
    assert ce.spec.underlying == "ETH"
    assert ce.spec.quote == "ETH"
    assert cb.iv[0] != ce.iv[0]
    assert market.underlyings() == ("BTC", "ETH")


def test_bars_going_back_in_time_are_refused(make_bars: MakeBars) -> None:
    bars = make_bars([100.0, 101.0], T0)
    market = SyntheticOptionMarket()
    market.on_underlying_bar(bars[1], "BTC")
    with pytest.raises(ValueError, match="back in time"):
        market.on_underlying_bar(bars[0], "BTC")
