"""Rules about the account's state: breakers, the day's trade count, open positions."""

from __future__ import annotations

from tradebot.risk.rules.base import Outcome, Proposal, Reject, RuleContext


class TradingState:
    """No new positions while a circuit breaker (pause, close-only, daily loss, safe mode) holds,
    or while the underlying is blocked for the day by its own losses."""

    name = "trading_state"

    def check(self, proposal: Proposal, ctx: RuleContext) -> Outcome:
        """Refuse while any block is active."""
        if not ctx.state.opening_allowed:
            return Reject(f"new positions are blocked: {ctx.state.reason()}")
        blocked = ctx.state.symbols_blocked_today.get(proposal.underlying())
        if blocked:
            return Reject(f"{proposal.underlying()} is blocked for the day: {blocked}")
        return None


class MaxDailyTrades:
    """At most ``max_daily_trades`` opening orders per UTC day."""

    name = "max_daily_trades"

    def check(self, proposal: Proposal, ctx: RuleContext) -> Outcome:
        """Refuse once the day's count is reached."""
        limit = ctx.limits.max_daily_trades
        if ctx.state.trades_today >= limit:
            return Reject(f"{ctx.state.trades_today} trades today reach the limit of {limit}")
        return None


class MaxOpenPositions:
    """At most ``max_open_positions`` instruments held at once (adding to one is fine)."""

    name = "max_open_positions"

    def check(self, proposal: Proposal, ctx: RuleContext) -> Outcome:
        """Refuse a new instrument once the count is reached."""
        limit = ctx.limits.max_open_positions
        if limit > len(ctx.portfolio.instruments):
            return None  # fewer instruments than the limit: it cannot be reached (cheap exit)
        if abs(ctx.portfolio.holding(proposal.instrument.id)) > 1e-12:
            return None
        held = ctx.open_positions()
        if held >= limit:
            return Reject(f"{held} positions are open, the limit is {limit}")
        return None


__all__ = ["MaxDailyTrades", "MaxOpenPositions", "TradingState"]
