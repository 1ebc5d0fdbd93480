"""Per-strategy books: who holds what and who earned what when several strategies share an account.

The venue and the portfolio see one net position per instrument. When several strategies trade
the same instrument, each one still needs its own position (to size its exits) and its own P&L
(to be judged and weighted). Every fill carries the id of the strategy whose order it was, so
each strategy gets a private :class:`Position` per instrument fed only by its own fills.

Funding is charged on the net position; each strategy's share is its signed quantity over the
net quantity, which splits a linear payment exactly (the parts add up to the whole).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import msgspec

from tradebot.model.events import FundingPaid, OrderFilled
from tradebot.model.identifiers import InstrumentId, StrategyId
from tradebot.model.instruments import Instrument
from tradebot.model.positions import Position, TradeRecord

_EPS = 1e-12


class StrategyPnl(msgspec.Struct, frozen=True):
    """What one strategy earned, in the account's base currency.

    ``net_pnl`` = ``realized_pnl`` + ``unrealized_pnl`` − ``fees`` + ``funding``.
    """

    strategy_id: str
    realized_pnl: float
    unrealized_pnl: float
    fees: float
    funding: float
    net_pnl: float
    trades: int
    wins: int
    exposure: float
    """Gross value of the positions still open at the end."""


class _Ledger:
    __slots__ = ("fees", "funding", "positions", "realized", "trades")

    def __init__(self) -> None:
        self.positions: dict[InstrumentId, Position] = {}
        self.realized = 0.0
        self.fees = 0.0
        self.funding = 0.0
        self.trades: list[TradeRecord] = []


Rate = Callable[[str], float]
"""Value of one unit of a currency in the account's base currency."""


class StrategyBook:
    """Positions and P&L per strategy, built from the fills each strategy's orders received.

    Parameters
    ----------
    instruments : Mapping[InstrumentId, Instrument]
        Definitions of everything that may be traded.
    rate : Callable[[str], float]
        Converts a currency into the account's base currency at the current prices; money is
        booked in the base currency at the time of the fill or payment.
    """

    def __init__(self, instruments: Mapping[InstrumentId, Instrument], rate: Rate) -> None:
        self._instruments = instruments
        self._rate = rate
        self._ledgers: dict[StrategyId, _Ledger] = {}

    def _ledger(self, strategy_id: StrategyId) -> _Ledger:
        ledger = self._ledgers.get(strategy_id)
        if ledger is None:
            ledger = self._ledgers[strategy_id] = _Ledger()
        return ledger

    def _position(self, ledger: _Ledger, instrument_id: InstrumentId) -> Position:
        pos = ledger.positions.get(instrument_id)
        if pos is None:
            pos = ledger.positions[instrument_id] = Position(self._instruments[instrument_id])
        return pos

    def on_fill(self, fill: OrderFilled) -> list[TradeRecord]:
        """Book ``fill`` to the strategy that sent the order; return the trades it closed."""
        ledger = self._ledger(fill.strategy_id)
        pos = self._position(ledger, fill.instrument_id)
        realized, closed = pos.apply(fill)
        inst = pos.instrument
        if realized:
            ledger.realized += realized * self._rate(inst.settlement_currency)
        if fill.fee:
            ledger.fees += fill.fee * self._rate(fill.fee_currency)
        if closed:
            ledger.trades.extend(closed)
        return closed

    def on_funding(self, event: FundingPaid) -> None:
        """Split a funding payment on the net position between the strategies holding it."""
        holders = [
            (ledger, ledger.positions[event.instrument_id])
            for ledger in self._ledgers.values()
            if event.instrument_id in ledger.positions
            and not ledger.positions[event.instrument_id].is_flat
        ]
        net = sum(pos.quantity for _, pos in holders)
        if abs(net) <= _EPS:
            return
        rate = self._rate(event.currency)
        for ledger, pos in holders:
            share = event.amount * pos.quantity / net
            pos.add_funding(share)
            ledger.funding += share * rate

    def held(self) -> list[tuple[StrategyId, Position]]:
        """Every (strategy, position) the book has opened, flat ones included."""
        return [
            (sid, pos) for sid, ledger in self._ledgers.items() for pos in ledger.positions.values()
        ]

    def reset(self) -> None:
        """Forget every strategy's positions and P&L (a restart rebuilds them from storage)."""
        self._ledgers.clear()

    def set_totals(
        self, strategy_id: StrategyId, *, realized: float, fees: float, funding: float
    ) -> None:
        """Set a strategy's realized P&L, fees and funding (base currency) after a restart."""
        ledger = self._ledger(strategy_id)
        ledger.realized, ledger.fees, ledger.funding = realized, fees, funding

    def quantity(self, strategy_id: StrategyId, instrument_id: InstrumentId) -> float:
        """Signed quantity ``strategy_id`` holds in ``instrument_id``."""
        ledger = self._ledgers.get(strategy_id)
        if ledger is None:
            return 0.0
        pos = ledger.positions.get(instrument_id)
        return 0.0 if pos is None else pos.quantity

    def position(self, strategy_id: StrategyId, instrument_id: InstrumentId) -> Position:
        """The strategy's own position (flat when it never traded ``instrument_id``)."""
        return self._position(self._ledger(strategy_id), instrument_id)

    def exposure(self, strategy_id: StrategyId, prices: Mapping[InstrumentId, float]) -> float:
        """Gross value of the strategy's open positions in the base currency."""
        ledger = self._ledgers.get(strategy_id)
        if ledger is None:
            return 0.0
        return self._exposure(ledger, prices)

    def total_exposure(self, prices: Mapping[InstrumentId, float]) -> float:
        """Sum of every strategy's gross exposure (positions that net out still count)."""
        return sum(self._exposure(ledger, prices) for ledger in self._ledgers.values())

    def _exposure(self, ledger: _Ledger, prices: Mapping[InstrumentId, float]) -> float:
        total = 0.0
        for iid, pos in ledger.positions.items():
            if pos.is_flat:
                continue
            price = prices.get(iid, 0.0)
            if price > 0:
                inst = pos.instrument
                total += inst.notional(abs(pos.quantity), price) * self._rate(
                    inst.settlement_currency
                )
        return total

    def trades(self, strategy_id: StrategyId | None = None) -> list[TradeRecord]:
        """Closed round trips of one strategy, or of all of them ordered by exit time."""
        if strategy_id is not None:
            ledger = self._ledgers.get(strategy_id)
            return list(ledger.trades) if ledger else []
        every = [t for ledger in self._ledgers.values() for t in ledger.trades]
        return sorted(every, key=lambda t: (t.exit_time, t.entry_time))

    def summary(
        self, prices: Mapping[InstrumentId, float], strategy_ids: list[StrategyId]
    ) -> list[StrategyPnl]:
        """P&L per strategy, marked at ``prices``, in the order of ``strategy_ids``."""
        rows = []
        for sid in strategy_ids:
            ledger = self._ledgers.get(sid) or _Ledger()
            unrealized = 0.0
            for iid, pos in ledger.positions.items():
                price = prices.get(iid, 0.0)
                unrealized += pos.unrealized_pnl(price) * self._rate(
                    pos.instrument.settlement_currency
                )
            net = ledger.realized + unrealized - ledger.fees + ledger.funding
            rows.append(
                StrategyPnl(
                    strategy_id=str(sid),
                    realized_pnl=ledger.realized,
                    unrealized_pnl=unrealized,
                    fees=ledger.fees,
                    funding=ledger.funding,
                    net_pnl=net,
                    trades=len(ledger.trades),
                    wins=sum(1 for t in ledger.trades if t.pnl > 0),
                    exposure=self._exposure(ledger, prices),
                )
            )
        return rows


__all__ = ["StrategyBook", "StrategyPnl"]
