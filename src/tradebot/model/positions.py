"""Net positions and the round-trip trades they produce.

A position is net (one per instrument). Its average entry price is arithmetic for linear
contracts and harmonic for inverse ones, so that P&L in the settlement coin is exact.
A *trade* is one flat-to-flat cycle; a fill that flips the position closes one trade and
opens the next.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from tradebot.model.enums import OrderSide
from tradebot.model.events import OrderFilled
from tradebot.model.identifiers import InstrumentId, StrategyId
from tradebot.model.instruments import Instrument

_EPS = 1e-12
_SELL = OrderSide.SELL
_NO_STRATEGY = StrategyId("")


# gc=False: a backtest keeps one of these per order or fill, and they hold only scalars, ids
# and tuples (no reference cycles), so the garbage collector need not re-scan them.
class TradeRecord(msgspec.Struct, frozen=True, gc=False):
    """A closed round trip, as shown in reports.

    ``pnl`` is net of fees and funding, in ``currency`` (the settlement currency).
    """

    instrument_id: InstrumentId
    strategy_id: StrategyId
    side: str
    quantity: float
    entry_time: int
    exit_time: int
    entry_price: float
    exit_price: float
    gross_pnl: float
    fees: float
    funding: float
    pnl: float
    return_pct: float
    currency: str
    exit_tag: str = ""


@dataclass(slots=True)
class Position:
    """Signed net quantity of one instrument and what it has earned."""

    instrument: Instrument
    quantity: float = 0.0
    avg_entry_price: float = 0.0
    realized_pnl: float = 0.0
    fees: float = 0.0
    funding: float = 0.0
    # The open round trip, for the trade record.
    _cost: float = 0.0
    _entry_qty: float = 0.0
    _entry_cost: float = 0.0
    _exit_qty: float = 0.0
    _exit_cost: float = 0.0
    _trade_gross: float = 0.0
    _trade_fees: float = 0.0
    _trade_funding: float = 0.0
    _opened_ns: int = 0
    _strategy_id: StrategyId = _NO_STRATEGY

    @property
    def instrument_id(self) -> InstrumentId:
        """Id of the instrument held."""
        return self.instrument.id

    @property
    def is_flat(self) -> bool:
        """True when nothing is held."""
        return abs(self.quantity) <= _EPS

    @property
    def side(self) -> str:
        """``long``, ``short`` or ``flat``."""
        if self.is_flat:
            return "flat"
        return "long" if self.quantity > 0 else "short"

    @property
    def opened_ns(self) -> int:
        """When the current round trip started (0 when flat)."""
        return 0 if self.is_flat else self._opened_ns

    def unrealized_pnl(self, price: float) -> float:
        """P&L of the open quantity marked at ``price``, in the settlement currency."""
        if self.is_flat or price <= 0:
            return 0.0
        return self.instrument.pnl(self.quantity, self.avg_entry_price, price)

    def add_funding(self, amount: float) -> None:
        """Book a funding payment (positive received, negative paid)."""
        self.funding += amount
        self._trade_funding += amount

    def apply(self, fill: OrderFilled) -> tuple[float, list[TradeRecord]]:
        """Apply a fill; return the realized P&L (before fees) and any trades it closed."""
        inst = self.instrument
        signed = fill.quantity * fill.side.sign
        fee = fill.fee
        self.fees += fee
        trades: list[TradeRecord] = []
        realized = 0.0
        # ``is_flat`` written out here and below: this runs twice per fill (account and book).
        if abs(self.quantity) <= _EPS or (self.quantity > 0) == (signed > 0):
            self._open(signed, fill.price, fill.ts_event, fill.strategy_id)
            self._trade_fees += fee
            return 0.0, trades
        closing = min(abs(signed), abs(self.quantity))
        closing_signed = closing if self.quantity > 0 else -closing
        realized = inst.pnl(closing_signed, self.avg_entry_price, fill.price)
        share = closing / fill.quantity
        self._trade_fees += fee * share
        self._trade_gross += realized
        self._exit_qty += closing
        self._exit_cost += closing / fill.price if inst.is_inverse else closing * fill.price
        self.realized_pnl += realized
        self._reduce(closing_signed)
        if abs(self.quantity) <= _EPS:
            trades.append(self._close_trade(fill))
        remainder = abs(signed) - closing
        if remainder > _EPS:
            self._open(
                remainder if signed > 0 else -remainder, fill.price, fill.ts_event, fill.strategy_id
            )
            self._trade_fees += fee * (1 - share)
        return realized, trades

    def _open(self, signed: float, price: float, ts: int, strategy_id: StrategyId) -> None:
        if abs(self.quantity) <= _EPS:
            self._reset_trade(ts, strategy_id)
        inverse = self.instrument.is_inverse
        self.quantity += signed
        self._cost += abs(signed) / price if inverse else abs(signed) * price
        qty = abs(self.quantity)
        self.avg_entry_price = qty / self._cost if inverse else self._cost / qty
        self._entry_qty += abs(signed)
        self._entry_cost += abs(signed) / price if inverse else abs(signed) * price

    def _reduce(self, closing_signed: float) -> None:
        remaining = self.quantity - closing_signed
        if abs(remaining) <= _EPS:
            self.quantity = 0.0
            self._cost = 0.0
            return
        self._cost *= abs(remaining) / abs(self.quantity)
        self.quantity = remaining

    def _reset_trade(self, ts: int, strategy_id: StrategyId) -> None:
        self._opened_ns = ts
        self._strategy_id = strategy_id
        self._entry_qty = self._entry_cost = self._exit_qty = self._exit_cost = 0.0
        self._trade_gross = self._trade_fees = self._trade_funding = 0.0

    def _close_trade(self, fill: OrderFilled) -> TradeRecord:
        inst = self.instrument
        inverse = inst.is_inverse
        entry_px = (
            self._entry_qty / self._entry_cost if inverse else self._entry_cost / self._entry_qty
        )
        exit_px = self._exit_qty / self._exit_cost if inverse else self._exit_cost / self._exit_qty
        long = fill.side is _SELL  # a sell closed it: the trade was long
        net = self._trade_gross - self._trade_fees + self._trade_funding
        entry_value = inst.notional(self._entry_qty, entry_px)
        return TradeRecord(
            instrument_id=inst.id,
            strategy_id=self._strategy_id,
            side="long" if long else "short",
            quantity=self._entry_qty,
            entry_time=self._opened_ns,
            exit_time=fill.ts_event,
            entry_price=entry_px,
            exit_price=exit_px,
            gross_pnl=self._trade_gross,
            fees=self._trade_fees,
            funding=self._trade_funding,
            pnl=net,
            return_pct=net / entry_value if entry_value else 0.0,
            currency=inst.settlement_currency,
            exit_tag=fill.tag,
        )


__all__ = ["Position", "TradeRecord"]
