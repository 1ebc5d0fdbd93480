"""Circuit breakers: the checks that run as time passes, not when a signal arrives.

* level 1 — a position whose unrealized loss passes ``position_loss_limit`` × NLV is closed;
* level 2 — an underlying that lost ``symbol_daily_loss`` × NLV today takes no new positions
  until the next UTC day;
* level 3 — the daily loss limit (no new positions until the next UTC day, optionally
  flatten), the drawdown steps (close-only, then paused until a person resumes), and the
  manual kill switch;
* safe mode — market data on a held instrument older than its bar interval plus
  ``stale_after_seconds``: only closing orders until fresh data returns.

The engine calls :meth:`CircuitBreakers.on_step` once per timestamp (in live trading also on
a timer, so staleness is seen when no data arrives at all) and carries out the closes it asks
for.
"""

from __future__ import annotations

from collections.abc import Callable

from tradebot.model.data import Bar, MarketEvent
from tradebot.model.identifiers import InstrumentId
from tradebot.portfolio.portfolio import Portfolio
from tradebot.risk.limits import RiskLimits
from tradebot.risk.state import NS_PER_DAY, Block, RiskState, RiskStateChanged

Publish = Callable[[RiskStateChanged], None]
_CLOSE_ONLY = Block.CLOSE_ONLY.value


class CircuitBreakers:
    """Watches equity, positions and data freshness; raises and lifts blocks."""

    def __init__(self, limits: RiskLimits, portfolio: Portfolio, state: RiskState) -> None:
        self.limits = limits
        self.portfolio = portfolio
        self.state = state
        self.publish: Publish = lambda event: None
        self.close_requests: list[tuple[InstrumentId, str]] = []
        """Positions to close (instrument, reason); the engine empties this list."""
        self._last_data: dict[InstrumentId, tuple[int, int]] = {}
        self._symbol_start: dict[str, float] = {}
        self._stale_ns = int(min(limits.stale_after_seconds, 1e9) * 1e9)
        self._watch_symbols = limits.symbol_daily_loss < 1e17
        self._watch_positions = limits.position_loss_limit < 1e17
        self._version = -1
        self.watch_data = limits.stale_after_seconds < 1e17
        """Whether data freshness is watched (the engine skips :meth:`on_event` otherwise)."""
        self.active = self.watch_data or any(
            getattr(limits, name) < 1e17
            for name in (
                "daily_loss_limit",
                "symbol_daily_loss",
                "position_loss_limit",
                "drawdown_close_only",
                "drawdown_pause",
            )
        )
        """Whether any breaker is armed (the engine skips :meth:`on_step` otherwise)."""
        self._safe_keys: dict[InstrumentId, str] = {}

    def update_limits(self, limits: RiskLimits) -> None:
        """Use ``limits`` from now on (hot reload); blocks already raised stay until lifted."""
        self.limits = limits
        self._stale_ns = int(min(limits.stale_after_seconds, 1e9) * 1e9)
        self._watch_symbols = limits.symbol_daily_loss < 1e17
        self._watch_positions = limits.position_loss_limit < 1e17
        self.watch_data = limits.stale_after_seconds < 1e17
        self.active = self.watch_data or any(
            getattr(limits, name) < 1e17
            for name in (
                "daily_loss_limit",
                "symbol_daily_loss",
                "position_loss_limit",
                "drawdown_close_only",
                "drawdown_pause",
            )
        )

    # -- inputs ------------------------------------------------------------------------------
    def on_event(self, event: MarketEvent) -> None:
        """Market data arrived: its time, and for a bar the interval bars arrive at."""
        interval = event.ts_event - event.ts_open if type(event) is Bar else 0
        self._last_data[event.instrument_id] = (event.ts_event, interval)

    def pause(self, ts: int, reason: str = "paused by hand") -> None:
        """Kill switch: no new positions until :meth:`resume`."""
        self._raise(Block.PAUSED, ts, reason)

    def resume(self, ts: int, reason: str = "resumed by hand") -> None:
        """Lift a pause (manual or from the drawdown step); re-arms the drawdown peak."""
        self.state.peak_nlv = self.portfolio.valuation()[0]
        self._lift(Block.PAUSED, ts, reason)
        self._lift(Block.CLOSE_ONLY, ts, reason)

    def enter_safe_mode(self, ts: int, reason: str, source: str = "manual") -> None:
        """Safe mode raised from outside (e.g. a market-data feed lost its venue): closing
        orders only until :meth:`leave_safe_mode` is called with the same ``source``."""
        self._raise(f"{Block.SAFE_MODE.value}:{source}", ts, reason)

    def leave_safe_mode(self, ts: int, reason: str, source: str = "manual") -> None:
        """Lift the safe mode that :meth:`enter_safe_mode` raised for ``source``."""
        self._lift(f"{Block.SAFE_MODE.value}:{source}", ts, reason)

    def close_all(self, reason: str = "close-all by hand") -> None:
        """Ask the engine to close every position."""
        for iid in self.portfolio.instruments:
            if abs(self.portfolio.holding(iid)) > 1e-12:
                self.close_requests.append((iid, reason))

    # -- the step ----------------------------------------------------------------------------
    def on_step(self, ts: int) -> None:
        """Re-evaluate every breaker at time ``ts``."""
        pf = self.portfolio
        version = pf.account.version
        state = self.state
        # Flat, no fill since the last step, no block and the same day: equity cannot have
        # moved. Tested first and without a generator, as it is the usual step of a backtest.
        if version == self._version and not state.active and ts // NS_PER_DAY == state.day:
            for pos in pf.positions.values():
                if pos.quantity:
                    break
            else:
                return
        held = any(pos.quantity for pos in pf.positions.values())
        nlv = pf.valuation()[0]
        if nlv != nlv:  # no price yet to value the account
            return
        self._new_day(ts, nlv)
        self._drawdown(ts, nlv)
        self._daily_loss(ts, nlv)
        # The per-position checks only matter while something is held or just traded.
        if held or version != self._version:
            self._version = version
            if self._watch_symbols:
                self._symbol_losses(ts)
            if self._watch_positions and held:
                self._position_losses(nlv)
        if held or self.state.active:
            self._staleness(ts)

    def _new_day(self, ts: int, nlv: float) -> None:
        state = self.state
        day = ts // NS_PER_DAY
        if day == state.day:
            return
        state.day = day
        state.day_start_nlv = nlv
        state.trades_today = 0
        state.symbols_blocked_today.clear()
        self._symbol_start = self._symbol_pnl()
        if state.peak_nlv <= 0:
            state.peak_nlv = nlv
        self._lift(Block.DAILY_LOSS, ts, "a new UTC day began")

    def _drawdown(self, ts: int, nlv: float) -> None:
        state = self.state
        if nlv > state.peak_nlv:
            state.peak_nlv = nlv
        if state.peak_nlv <= 0:
            return
        drawdown = 1.0 - nlv / state.peak_nlv
        limits = self.limits
        if drawdown >= limits.drawdown_pause:
            self._raise(
                Block.PAUSED,
                ts,
                f"drawdown {drawdown:.1%} from the peak {state.peak_nlv:,.2f} reached "
                f"{limits.drawdown_pause:.0%}: paused until resumed by hand",
            )
        if drawdown >= limits.drawdown_close_only:
            self._raise(
                Block.CLOSE_ONLY,
                ts,
                f"drawdown {drawdown:.1%} reached {limits.drawdown_close_only:.0%}: close-only",
            )
        elif _CLOSE_ONLY in state.active:
            self._lift(Block.CLOSE_ONLY, ts, f"drawdown recovered to {drawdown:.1%}")

    def _daily_loss(self, ts: int, nlv: float) -> None:
        start = self.state.day_start_nlv
        if start <= 0:
            return
        loss = 1.0 - nlv / start
        if loss < self.limits.daily_loss_limit:
            return
        raised = self._raise(
            Block.DAILY_LOSS,
            ts,
            f"daily loss {loss:.2%} reached the limit {self.limits.daily_loss_limit:.2%}: "
            "no new positions until the next UTC day",
        )
        if raised and self.limits.flatten_on_daily_loss:
            self.close_all("risk: daily loss limit")

    def _symbol_pnl(self) -> dict[str, float]:
        pf = self.portfolio
        totals: dict[str, float] = {}
        for pos in pf.positions.values():
            inst = pos.instrument
            key = inst.exposure_asset()
            price = pf.last_price.get(inst.id, 0.0)
            pnl = pos.realized_pnl - pos.fees + pos.funding + pos.unrealized_pnl(price)
            if pnl:
                totals[key] = totals.get(key, 0.0) + pnl * pf.rate(inst.settlement_currency)
        return totals

    def _symbol_losses(self, ts: int) -> None:
        state = self.state
        start = state.day_start_nlv
        if start <= 0:
            return
        for symbol, total in self._symbol_pnl().items():
            lost = self._symbol_start.get(symbol, 0.0) - total
            if symbol in state.symbols_blocked_today:
                continue
            if lost >= self.limits.symbol_daily_loss * start:
                reason = (
                    f"{symbol} lost {lost:,.2f} today, over {self.limits.symbol_daily_loss:.0%} "
                    "of the day's starting NLV"
                )
                state.symbols_blocked_today[symbol] = reason
                event = RiskStateChanged(ts, "symbol_daily_loss", True, reason, symbol)
                state.events.append(event)
                self.publish(event)

    def _position_losses(self, nlv: float) -> None:
        pf = self.portfolio
        limit = self.limits.position_loss_limit * nlv
        requested = {iid for iid, _ in self.close_requests}
        for pos in pf.positions.values():
            if pos.is_flat or pos.instrument.id in requested:
                continue
            price = pf.last_price.get(pos.instrument.id, 0.0)
            loss = -pos.unrealized_pnl(price) * pf.rate(pos.instrument.settlement_currency)
            if loss >= limit:
                self.close_requests.append(
                    (
                        pos.instrument.id,
                        f"risk: position loss {loss:,.2f} passed "
                        f"{self.limits.position_loss_limit:.0%} of NLV",
                    )
                )

    def _staleness(self, ts: int) -> None:
        state = self.state
        for iid, (last, interval) in self._last_data.items():
            key = self._safe_keys.get(iid)
            if key is None:
                key = self._safe_keys[iid] = f"{Block.SAFE_MODE.value}:{iid}"
            held = abs(self.portfolio.holding(iid)) > 1e-12
            stale = held and ts - last - interval > self._stale_ns
            if stale:
                age = (ts - last) / 1e9
                self._raise(
                    key,
                    ts,
                    f"no market data on {iid} for {age:.1f} s: safe mode, closing orders only",
                    str(iid),
                )
            elif key in state.active:
                self._lift(key, ts, f"market data on {iid} is fresh again", str(iid))

    # -- events ------------------------------------------------------------------------------
    def _raise(self, key: str, ts: int, reason: str, symbol: str = "") -> bool:
        event = self.state.raise_block(key, ts, reason, symbol)
        if event is not None:
            self.publish(event)
        return event is not None

    def _lift(self, key: str, ts: int, reason: str, symbol: str = "") -> None:
        event = self.state.lift(key, ts, reason, symbol)
        if event is not None:
            self.publish(event)


__all__ = ["CircuitBreakers"]
