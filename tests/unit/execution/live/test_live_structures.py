"""Multi-leg structures through the live client: one combo order where the venue has them,
else every leg with a rollback when one is refused. Stub venue, simulated time."""

from __future__ import annotations

import random
from decimal import Decimal

from fixtures.factories import PERP, SPOT
from fixtures.live_harness import NO_POLL, SEED, Live, run
from fixtures.venue_stub import ComboStubGateway
from tradebot.execution.errors import InvalidOrderError
from tradebot.execution.live_client import LiveExecutionClient
from tradebot.execution.live_events import StructureRejected
from tradebot.model.account import Account
from tradebot.model.enums import OptionKind, OrderSide, OrderStatus, OrderType
from tradebot.model.identifiers import ClientOrderId, InstrumentId
from tradebot.model.instruments import Option
from tradebot.model.orders import Order
from tradebot.portfolio.portfolio import Portfolio

BUY, SELL = OrderSide.BUY, OrderSide.SELL
EXPIRY = 10**18


def _option(strike: float, kind: OptionKind) -> Option:
    letter = "C" if kind is OptionKind.CALL else "P"
    return Option(
        id=InstrumentId(f"BTC/USD:BTC-300101-{strike:g}-{letter}", "T"),
        base="BTC",
        quote="USD",
        price_increment=Decimal("0.0001"),
        size_increment=Decimal("0.1"),
        underlying="BTC",
        strike=strike,
        expiry_ns=EXPIRY,
        kind=kind,
    )


CALL_LO = _option(100.0, OptionKind.CALL)
CALL_HI = _option(110.0, OptionKind.CALL)


def _leg(live: Live, n: int, instrument: InstrumentId, side: OrderSide, qty: float) -> Order:
    return Order(
        ClientOrderId(f"spread-{n:06d}"),
        instrument,
        side,
        OrderType.MARKET,
        qty,
        strategy_id="spread",  # type: ignore[arg-type]
        ts_init=live.clock.now_ns(),
    )


def _combo_live() -> Live:
    live = Live()
    stub = ComboStubGateway("T", time=live.time)
    live.stub = stub
    live.portfolio = Portfolio(
        Account("USD", {"USD": 100_000.0, "BTC": 10.0}), [PERP, SPOT, CALL_LO, CALL_HI]
    )
    live.om._portfolio = live.portfolio
    live.client = LiveExecutionClient(
        stub,
        clock=live.clock,
        portfolio=live.portfolio,
        config=NO_POLL,
        publish=live.bus.publish,
        sleep=live.time.sleep,
        rng=random.Random(SEED),
    )
    live.om.add_client(live.client, default=True)
    return live


def test_option_structure_goes_out_as_one_combo_order_and_fills_every_leg() -> None:
    async def body() -> None:
        live = _combo_live()
        stub = live.stub
        assert isinstance(stub, ComboStubGateway)
        stub.combo_fill_at = {str(CALL_LO.id.symbol): 0.05, str(CALL_HI.id.symbol): 0.02}
        legs = [_leg(live, 1, CALL_LO.id, BUY, 2.0), _leg(live, 2, CALL_HI.id, SELL, 2.0)]
        live.om.submit_structure(legs)
        await live.settle()

        assert stub.count("create_combo_order") == 1
        assert stub.count("create_order") == 0  # no leg went out alone
        sent_legs, side, amount, label = stub.combo_requests[0]
        assert label == "spread-000001-combo"
        assert (side, amount) == ("buy", 2.0)
        assert [(leg.symbol, leg.side, leg.ratio) for leg in sent_legs] == [
            (CALL_LO.id.symbol, "buy", 1.0),
            (CALL_HI.id.symbol, "sell", 1.0),
        ]
        assert [o.status for o in legs] == [OrderStatus.FILLED, OrderStatus.FILLED]
        assert live.portfolio.holding(CALL_LO.id) == 2.0
        assert live.portfolio.holding(CALL_HI.id) == -2.0
        assert [f.price for f in live.om.fills] == [0.05, 0.02]

    run(body())


def test_refused_combo_rejects_every_leg_and_nothing_trades() -> None:
    async def body() -> None:
        live = _combo_live()
        live.stub.fail("create_combo_order", InvalidOrderError("T", "combo not allowed"))
        legs = [_leg(live, 1, CALL_LO.id, BUY, 1.0), _leg(live, 2, CALL_HI.id, SELL, 1.0)]
        live.om.submit_structure(legs)
        await live.settle()

        assert [o.status for o in legs] == [OrderStatus.REJECTED, OrderStatus.REJECTED]
        assert "combo not allowed" in legs[0].reason
        assert live.portfolio.holding(CALL_LO.id) == 0.0

    run(body())


def test_working_combo_is_canceled_as_one_order_at_shutdown() -> None:
    async def body() -> None:
        live = _combo_live()
        legs = [_leg(live, 1, CALL_LO.id, BUY, 1.0), _leg(live, 2, CALL_HI.id, SELL, 1.0)]
        live.om.submit_structure(legs)
        await live.settle()
        assert [o.status for o in legs] == [OrderStatus.ACCEPTED, OrderStatus.ACCEPTED]

        report = await live.client.shutdown(5.0)

        assert live.stub.count("cancel_order") == 1  # the combo, not each leg
        assert live.stub.orders["spread-000001-combo"].status == "canceled"
        assert [o.status for o in legs] == [OrderStatus.CANCELED, OrderStatus.CANCELED]
        assert report.still_open == ()

    run(body())


def test_legged_structure_without_combos_sends_each_leg() -> None:
    async def body() -> None:
        live = Live()  # the plain stub has no create_combo_order
        live.stub.fill_market_at = 100.0
        legs = [_leg(live, 1, PERP.id, BUY, 1.0), _leg(live, 2, SPOT.id, SELL, 1.0)]
        live.om.submit_structure(legs)
        await live.settle()

        assert live.stub.count("create_order") == 2
        assert [o.status for o in legs] == [OrderStatus.FILLED, OrderStatus.FILLED]
        assert not live.of(StructureRejected)

    run(body())


def test_refused_leg_rolls_back_the_filled_one_with_a_reduce_only_market_order() -> None:
    async def body() -> None:
        live = Live()
        live.stub.fill_market_at = 100.0
        published: list[StructureRejected] = []
        live.bus.subscribe(StructureRejected, published.append)

        # The second leg's create is refused for good; the first fills at once.
        original = live.stub.create_order

        async def create(request):  # type: ignore[no-untyped-def]
            if request.client_order_id == "spread-000002":
                await live.stub._enter("create_order", request)
                raise InvalidOrderError("T", "lot size filter")
            return await original(request)

        live.stub.create_order = create  # type: ignore[method-assign]
        legs = [_leg(live, 1, PERP.id, BUY, 1.0), _leg(live, 2, PERP.id, SELL, 3.0)]
        live.om.submit_structure(legs)
        await live.settle()

        assert legs[0].status is OrderStatus.FILLED
        assert legs[1].status is OrderStatus.REJECTED
        assert "lot size filter" in legs[1].reason
        rollback = live.stub.orders["spread-000001-rb"]
        assert (rollback.side, rollback.type, rollback.amount) == ("sell", "market", 1.0)
        sent = [r for name, r in live.stub.calls if name == "create_order"]
        assert sent[-1].reduce_only  # type: ignore[attr-defined]
        assert live.portfolio.holding(PERP.id) == 0.0  # the structure left nothing behind
        closing = live.om.orders[ClientOrderId("spread-000001-rb")]
        assert closing.status is OrderStatus.FILLED
        assert closing.strategy_id == "spread"
        [message] = published
        assert message.legs == ("spread-000001", "spread-000002")
        assert message.rollback_orders == ("spread-000001-rb",)
        assert "spread-000002" in message.reason

    run(body())


def test_refused_leg_cancels_a_resting_leg_that_did_not_fill() -> None:
    async def body() -> None:
        live = Live()
        live.stub.fail("create_order", InvalidOrderError("T", "price filter"))  # the first call
        first = _leg(live, 1, PERP.id, BUY, 1.0)
        second = Order(
            ClientOrderId("spread-000002"),
            PERP.id,
            SELL,
            OrderType.LIMIT,
            1.0,
            price=120.0,
            strategy_id="spread",  # type: ignore[arg-type]
            ts_init=0,
        )
        live.om.submit_structure([first, second])
        await live.settle()

        refused = [o for o in (first, second) if o.status is OrderStatus.REJECTED]
        assert len(refused) == 1
        other = second if refused[0] is first else first
        assert other.status is OrderStatus.CANCELED
        assert "structure rolled back" in other.reason
        assert live.portfolio.holding(PERP.id) == 0.0
        assert not any(cid.endswith("-rb") for cid in live.stub.orders)

    run(body())
