"""An option market priced from the underlying's bars, for backtests without an option tape.

Each bar of an underlying moves its index price and its realised volatility. A chain is listed
on demand: the expiry calendar and strike grid give the contracts, the IV model their vols,
Black-76 on the forward their values and the spread model their quotes, all in one vectorised
pass. The chain is cached for its timestamp, so every strategy, the venue and the marking of
held options see the same numbers within a step. Nothing depends on the wall clock or on a
random number: the same bars give the same chains bit for bit.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable

import numpy as np

from tradebot.model.data import Bar
from tradebot.model.enums import OptionKind
from tradebot.model.instruments import Option
from tradebot.options.chain import OptionChain, OptionQuote
from tradebot.options.contract import DERIBIT_BTC, DERIBIT_ETH, OptionSpec
from tradebot.options.pricing import year_fraction
from tradebot.options.synthetic.config import SyntheticMarketConfig
from tradebot.options.synthetic.pricer import default_spread, price_block
from tradebot.options.synthetic.realized_vol import RealizedVol, timeframe_ns
from tradebot.options.synthetic.spread import SpreadModel

_KNOWN_SPECS = {"BTC": DERIBIT_BTC, "ETH": DERIBIT_ETH}
_CALL = OptionKind.CALL
_DAY_NS = 86_400 * 1_000_000_000


def spec_for(asset: str) -> OptionSpec:
    """Deribit's series for BTC and ETH, a coin-premium series like them for other assets."""
    known = _KNOWN_SPECS.get(asset)
    return known if known is not None else OptionSpec(underlying=asset, quote=asset)


class _Book:
    """Price history and cached chain of one underlying."""

    __slots__ = ("chain", "chain_ts", "closes", "rows", "rv", "spec", "spread", "times", "vol")

    def __init__(self, spec: OptionSpec, spread: SpreadModel) -> None:
        self.spec = spec
        self.spread = spread
        self.vol: RealizedVol | None = None
        self.times: list[int] = []
        self.closes: list[float] = []
        self.rv: list[float] = []
        self.chain_ts = -1
        self.chain: OptionChain | None = None
        self.rows: dict[tuple[int, float, bool], int] | None = None


class SyntheticOptionMarket:
    """:class:`~tradebot.options.market.OptionMarket` priced from realised volatility.

    Parameters
    ----------
    assets : Iterable[str | OptionSpec]
        Underlyings to list options on: an asset name (``"BTC"`` takes Deribit's BTC series)
        or the series itself.
    config : SyntheticMarketConfig | None
        Pricing and listing settings (defaults: r = 0, IV = realised vol, Deribit calendar).

    Notes
    -----
    ``index_price`` is the last close at or before the time asked, which is what expiries
    settle at; ``quote`` prices any contract still alive, including ones listed on an earlier
    bar whose strike the current grid no longer shows.
    """

    def __init__(
        self,
        assets: Iterable[str | OptionSpec] = ("BTC",),
        config: SyntheticMarketConfig | None = None,
    ) -> None:
        self.config = config or SyntheticMarketConfig()
        self._books: dict[str, _Book] = {}
        for item in assets:
            spec = spec_for(item) if isinstance(item, str) else item
            if spec.underlying in self._books:
                raise ValueError(f"asset {spec.underlying} was given twice")
            spread = self.config.spread or default_spread(spec)
            self._books[spec.underlying] = _Book(spec, spread)
        if not self._books:
            raise ValueError("a synthetic option market needs at least one asset")

    # -- OptionMarket ----------------------------------------------------------------------
    def underlyings(self) -> tuple[str, ...]:
        """Assets listed, in the order given."""
        return tuple(self._books)

    def spec(self, asset: str) -> OptionSpec:
        """The option series listed on ``asset``."""
        return self._books[asset].spec

    def on_underlying_bar(self, bar: Bar, asset: str) -> None:
        """Record the close as the index and update the realised volatility.

        Bars must come in time order per asset (a backtest feeds them so); a bar at the same
        timestamp as the last one replaces it.
        """
        book = self._books.get(asset)
        if book is None:
            return
        vol = book.vol
        if vol is None:
            bar_ns = self.config.bar_ns or (bar.ts_event - bar.ts_open) or None
            vol = book.vol = _make_vol(self.config, bar_ns, bar.timeframe)
        ts = bar.ts_event
        if book.times and ts <= book.times[-1]:
            if ts < book.times[-1]:
                raise ValueError(f"{asset} bars went back in time: {ts} after {book.times[-1]}")
            book.closes[-1] = bar.close
            book.rv[-1] = vol.value
            book.chain_ts = -1
            return
        rv = vol.update_bar(bar.close, bar.ts_open, bar.ts_event, bar.timeframe)
        book.times.append(ts)
        book.closes.append(bar.close)
        book.rv.append(rv)

    def index_price(self, asset: str, ts_ns: int) -> float | None:
        """Last known close of ``asset`` at or before ``ts_ns`` (None before the first)."""
        book = self._books.get(asset)
        if book is None:
            return None
        i = _at_or_before(book.times, ts_ns)
        return book.closes[i] if i >= 0 else None

    def realised_vol(self, asset: str, ts_ns: int) -> float:
        """Realised volatility of ``asset`` as of ``ts_ns`` (NaN while warming up)."""
        book = self._books.get(asset)
        if book is None:
            return math.nan
        i = _at_or_before(book.times, ts_ns)
        return book.rv[i] if i >= 0 else math.nan

    def chain(self, asset: str, ts_ns: int) -> OptionChain | None:
        """Every listed contract at ``ts_ns``, or None before a price and a vol are known."""
        book = self._books.get(asset)
        if book is None:
            return None
        if book.chain_ts == ts_ns:
            return book.chain
        chain = self._build(book, ts_ns)
        book.chain_ts = ts_ns
        book.chain = chain
        book.rows = None
        return chain

    def quote(self, option: Option, ts_ns: int) -> OptionQuote | None:
        """Quotes of one live contract (the chain's row when listed, else priced alone)."""
        if option.expiry_ns <= ts_ns:
            return None
        book = self._books.get(option.underlying)
        if book is None:
            return None
        chain = self.chain(option.underlying, ts_ns)
        if chain is None:
            return None
        rows = book.rows
        if rows is None:
            rows = book.rows = {
                (int(e), float(k), bool(c)): i
                for i, (e, k, c) in enumerate(
                    zip(
                        chain.expiry_ns.tolist(),
                        chain.strike.tolist(),
                        chain.is_call.tolist(),
                        strict=True,
                    )
                )
            }
        call = option.kind is _CALL
        i = rows.get((option.expiry_ns, float(option.strike), call))
        if i is None:
            single = self._price(
                book,
                ts_ns,
                chain.spot,
                np.array([option.expiry_ns], dtype=np.int64),
                np.array([option.strike], dtype=np.float64),
                np.array([call]),
            )
            if single is None:
                return None
            chain, i = single, 0
        return OptionQuote(
            option,
            float(chain.bid[i]),
            float(chain.ask[i]),
            float(chain.mark[i]),
            float(chain.iv[i]),
            float(chain.delta[i]),
            float(chain.gamma[i]),
            float(chain.vega[i]),
            float(chain.theta[i]),
            float(chain.open_interest[i]),
        )

    # -- pricing ---------------------------------------------------------------------------
    def _build(self, book: _Book, ts_ns: int) -> OptionChain | None:
        i = _at_or_before(book.times, ts_ns)
        if i < 0:
            return None
        spot = book.closes[i]
        cfg = self.config
        expiries = cfg.calendar.expiries(ts_ns)
        exp_parts: list[np.ndarray] = []
        strike_parts: list[np.ndarray] = []
        for expiry in expiries:
            years = year_fraction(ts_ns, expiry)
            ks = cfg.strikes.strikes(spot, years)
            ks2 = np.repeat(ks, 2)
            strike_parts.append(ks2)
            exp_parts.append(np.full(ks2.shape, expiry, dtype=np.int64))
        strike = np.concatenate(strike_parts)
        expiry_ns = np.concatenate(exp_parts)
        is_call = np.tile(np.array([True, False]), strike.shape[0] // 2)
        return self._price(book, ts_ns, spot, expiry_ns, strike, is_call)

    def _price(
        self,
        book: _Book,
        ts_ns: int,
        spot: float,
        expiry_ns: np.ndarray,
        strike: np.ndarray,
        is_call: np.ndarray,
    ) -> OptionChain | None:
        realised = self.realised_vol(book.spec.underlying, ts_ns)
        if realised != realised:
            return None
        cfg = self.config
        p = price_block(
            book.spec,
            ts_ns,
            spot,
            realised,
            expiry_ns,
            strike,
            is_call,
            iv_model=cfg.iv,
            spread=book.spread,
            rate=cfg.rate,
        )
        return OptionChain.build(
            book.spec,
            ts_ns,
            spot,
            expiry_ns,
            strike,
            is_call,
            forward=p.forward,
            bid=p.bid,
            ask=p.ask,
            mark=p.mark,
            iv=p.iv,
            delta=p.delta,
            gamma=p.gamma,
            vega=p.vega,
            theta=p.theta,
        )


def _at_or_before(times: list[int], ts_ns: int) -> int:
    if times and ts_ns >= times[-1]:
        return len(times) - 1
    return bisect_right(times, ts_ns) - 1


def _make_vol(config: SyntheticMarketConfig, bar_ns: int | None, timeframe: str) -> RealizedVol:
    length = bar_ns or timeframe_ns(timeframe) or _DAY_NS
    window = max(config.vol_min_returns, round(config.vol_days * _DAY_NS / length))
    return RealizedVol(window=window, min_returns=config.vol_min_returns, bar_ns=length)


__all__ = ["SyntheticOptionMarket", "spec_for"]
