"""Terminal view of a paper session: fills as they happen and a live equity line."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from rich.console import Console

from tradebot.engine.bus import MessageBus
from tradebot.engine.trading_engine import TradingEngine
from tradebot.model.data import MarketEvent
from tradebot.model.events import FundingPaid, OrderFilled, OrderUpdated, PositionLiquidated


def _ts(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def make_observer(
    console: Console, *, every_seconds: float = 1.0
) -> Callable[[TradingEngine, MessageBus], Callable[[MarketEvent], None]]:
    """Print fills, rejections and funding from the bus, and equity at most once a second."""

    def observe(engine: TradingEngine, bus: MessageBus) -> Callable[[MarketEvent], None]:
        currency = engine.portfolio.account.base_currency
        start = engine.portfolio.account.balances.get(currency, 0.0)

        def on_fill(fill: OrderFilled) -> None:
            console.print(
                f"[bold]{_ts(fill.ts_event)}[/] FILL {fill.side.value.upper():4} "
                f"{fill.quantity:.8g} {fill.instrument_id.symbol} @ {fill.price:,.2f} "
                f"fee {fill.fee:.4f} {fill.fee_currency} ({fill.liquidity.value}) {fill.tag}"
            )

        def on_update(update: OrderUpdated) -> None:
            if update.status.value in ("rejected", "denied"):
                console.print(
                    f"[yellow]{_ts(update.ts_event)} {update.status.value.upper()} "
                    f"{update.client_order_id}: {update.reason}[/]"
                )

        def on_funding(event: FundingPaid) -> None:
            console.print(
                f"{_ts(event.ts_event)} FUNDING {event.instrument_id.symbol} rate "
                f"{event.rate:+.6%} amount {event.amount:+.4f} {event.currency}"
            )

        def on_liquidation(event: PositionLiquidated) -> None:
            console.print(f"[red]{_ts(event.ts_event)} LIQUIDATED {event.instrument_id}[/]")

        bus.subscribe(OrderFilled, on_fill)
        bus.subscribe(OrderUpdated, on_update)
        bus.subscribe(FundingPaid, on_funding)
        bus.subscribe(PositionLiquidated, on_liquidation)
        last = [0.0]

        def on_event(event: MarketEvent) -> None:
            now = time.monotonic()
            if now - last[0] < every_seconds:
                return
            last[0] = now
            equity = engine.portfolio.net_liquidation_value()
            pnl = equity - start
            style = "green" if pnl >= 0 else "red"
            console.print(
                f"[dim]{_ts(event.ts_event)}[/] equity {equity:,.2f} {currency}  "
                f"P&L [{style}]{pnl:+,.2f}[/]  fills {len(engine.orders.fills)}"
            )

        return on_event

    return observe


__all__ = ["make_observer"]
