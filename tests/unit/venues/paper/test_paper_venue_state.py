"""The paper venue's books, captured and restored; idempotent client order ids."""

from __future__ import annotations

from fixtures.factories import MIN, PERP, flat_bar, order, paper_harness
from tradebot.model.enums import OrderSide, OrderType
from tradebot.venues.paper.state import capture_venue, decode_state, encode_state, restore_venue

BUY, SELL = OrderSide.BUY, OrderSide.SELL


def test_an_order_id_the_venue_already_has_is_not_doubled() -> None:
    h = paper_harness([PERP], {"USDT": 10_000.0})
    o = order(PERP, BUY, 0.1)

    h.submit(o)
    h.submit(o)  # re-sent after a restart
    h.feed(flat_bar(PERP, 1, 100.0))

    assert h.log.kinds(o) == ["accepted", "filled"]
    assert h.portfolio.position(PERP.id).quantity == 0.1


def test_captured_books_rebuild_an_identical_venue() -> None:
    h = paper_harness([PERP], {"USDT": 10_000.0}, leverage=2.0)
    h.submit(order(PERP, BUY, 0.3))
    h.feed(flat_bar(PERP, 1, 100.0))
    resting = h.submit(order(PERP, SELL, 0.1, OrderType.LIMIT, price=120.0))
    h.feed(flat_bar(PERP, 2, 101.0))
    state = decode_state(encode_state(capture_venue(h.venue, 2 * MIN)))

    other = paper_harness([PERP], {"USDT": 1.0}, leverage=2.0)
    [rebuilt] = restore_venue(other.venue, state, {o.client_order_id for o in [resting]})

    assert capture_venue(other.venue, 2 * MIN) == state
    assert rebuilt.client_order_id == resting.client_order_id
    assert other.portfolio.account.balances == h.portfolio.account.balances
    assert other.portfolio.position(PERP.id).quantity == 0.3
    # both carry on identically: the resting sell fills at its limit on the next bar
    for harness in (h, other):
        harness.feed(flat_bar(PERP, 3, 125.0))
    assert other.portfolio.account.balances == h.portfolio.account.balances
    assert other.portfolio.position(PERP.id).quantity == h.portfolio.position(PERP.id).quantity
    assert [f.trade_id for f in other.log.fills] == [f.trade_id for f in h.log.fills[-1:]]
