"""Real quotes when present: recorded chain snapshots in front of a synthetic market.

History has real option quotes only here and there (a snapshot, a recorded session). A backtest
crossing such a moment should trade at the real quotes and fall back to the synthetic chain
everywhere else, with one interface for the engine either way.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from tradebot.model.data import Bar
from tradebot.model.instruments import Option
from tradebot.options.chain import OptionChain, OptionQuote
from tradebot.options.market import OptionMarket

_MINUTE_NS = 60 * 1_000_000_000


class RecordedOptionMarket:
    """Serve a recorded chain while it is fresh, otherwise ask ``fallback``.

    Parameters
    ----------
    snapshots : Iterable[OptionChain]
        Real chains (see :mod:`tradebot.options.recorded.loaders`), any assets, any order.
    fallback : OptionMarket
        Prices everything the snapshots do not cover and gives the index and settlement.
    max_age_ns : int
        A snapshot stands for times from its own up to this much later (default 4 hours,
        one bar of the bundled data).
    """

    def __init__(
        self,
        snapshots: Iterable[OptionChain],
        fallback: OptionMarket,
        *,
        max_age_ns: int = 240 * _MINUTE_NS,
    ) -> None:
        if max_age_ns < 0:
            raise ValueError(f"max_age_ns must be zero or more, got {max_age_ns}")
        self.fallback = fallback
        self.max_age_ns = max_age_ns
        self._snaps: dict[str, list[OptionChain]] = {}
        for chain in snapshots:
            self._snaps.setdefault(chain.spec.underlying, []).append(chain)
        self._times: dict[str, list[int]] = {}
        for asset, chains in self._snaps.items():
            chains.sort(key=lambda c: c.ts_ns)
            self._times[asset] = [c.ts_ns for c in chains]

    def underlyings(self) -> tuple[str, ...]:
        """The fallback's assets and any asset with a snapshot."""
        seen = dict.fromkeys(self.fallback.underlyings())
        seen.update(dict.fromkeys(self._snaps))
        return tuple(seen)

    def on_underlying_bar(self, bar: Bar, asset: str) -> None:
        """The fallback hears every bar (spot and realised vol keep moving)."""
        self.fallback.on_underlying_bar(bar, asset)

    def recorded(self, asset: str, ts_ns: int) -> OptionChain | None:
        """The latest snapshot at or before ``ts_ns`` not older than ``max_age_ns``."""
        times = self._times.get(asset)
        if not times:
            return None
        i = bisect_right(times, ts_ns) - 1
        if i < 0 or ts_ns - times[i] > self.max_age_ns:
            return None
        return self._snaps[asset][i]

    def chain(self, asset: str, ts_ns: int) -> OptionChain | None:
        """The fresh recorded chain, else the fallback's, with live contracts only."""
        snap = self.recorded(asset, ts_ns)
        if snap is None:
            return self.fallback.chain(asset, ts_ns)
        alive = snap.expiry_ns > ts_ns
        return snap if bool(alive.all()) else snap.select(alive)

    def quote(self, option: Option, ts_ns: int) -> OptionQuote | None:
        """The recorded quote of this contract when a fresh snapshot lists it, else the
        fallback's."""
        if option.expiry_ns <= ts_ns:
            return None
        snap = self.recorded(option.underlying, ts_ns)
        if snap is not None:
            try:
                row = snap.row(option.expiry_ns, option.strike, option.kind)
            except KeyError:
                row = -1
            if row >= 0:
                q = snap.quote_at(row)
                return OptionQuote(
                    option,
                    q.bid,
                    q.ask,
                    q.mark,
                    q.iv,
                    q.delta,
                    q.gamma,
                    q.vega,
                    q.theta,
                    q.open_interest,
                )
        return self.fallback.quote(option, ts_ns)

    def index_price(self, asset: str, ts_ns: int) -> float | None:
        """The fallback's index (settlement follows the underlying's bars)."""
        return self.fallback.index_price(asset, ts_ns)


__all__ = ["RecordedOptionMarket"]
