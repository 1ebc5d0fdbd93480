"""Per-venue token buckets with endpoint weights, and the retry policy's waits."""

from __future__ import annotations

import random

import pytest

from fixtures.live_harness import Live, run
from fixtures.venue_stub import FakeTime
from tradebot.execution.errors import RateLimitedError, VenueTimeoutError
from tradebot.execution.rate_limit import VENUE_LIMITS, RateLimiter, limiter_for
from tradebot.execution.retry import RetryPolicy, delay_of
from tradebot.model.enums import OrderStatus


def test_the_table_lists_each_venue_with_its_source() -> None:
    assert set(VENUE_LIMITS) >= {"binanceusdm", "bybit", "deribit", "mexc"}
    assert all(limits.source for limits in VENUE_LIMITS.values())
    binance = {b.name: b for b in VENUE_LIMITS["binanceusdm"].buckets}
    assert (binance["weight"].capacity, binance["weight"].per_second) == (2400, 40)
    assert (binance["orders_1s"].capacity, binance["orders_1s"].per_second) == (10, 10)
    assert VENUE_LIMITS["mexc"].buckets[0].per_second == 20
    assert limiter_for("nowhere") is None


def test_binance_order_limit_makes_the_eleventh_order_in_a_second_wait() -> None:
    async def body() -> None:
        time = FakeTime()
        limiter = RateLimiter(
            VENUE_LIMITS["binanceusdm"], sleep=time.sleep, monotonic=time.monotonic
        )
        for _ in range(10):
            await limiter.acquire("create_order")
        assert time.sleeps == []
        await limiter.acquire("create_order")
        assert time.sleeps == pytest.approx([0.1])  # one token of a 10/s bucket
        assert limiter.available("weight") == pytest.approx(2400 - 11 + 0.1 * 40)

    run(body())


def test_heavy_endpoints_spend_their_weight() -> None:
    time = FakeTime()
    limiter = RateLimiter(VENUE_LIMITS["binanceusdm"], monotonic=time.monotonic)
    for _ in range(60):
        assert limiter.reserve("fetch_open_orders_all") == 0.0  # 60 × 40 = 2400
    # the 61st needs 40 more weight: one second of refill at 2400/min
    assert limiter.reserve("fetch_open_orders_all") == pytest.approx(1.0)
    time.now += 5.0
    assert limiter.available("weight") == pytest.approx(-40 + 5 * 40)


def test_bybit_counts_each_endpoint_apart() -> None:
    time = FakeTime()
    limiter = RateLimiter(VENUE_LIMITS["bybit"], monotonic=time.monotonic)
    waits = [limiter.reserve("create_order") for _ in range(11)]
    assert waits[:10] == [0.0] * 10
    assert waits[10] == pytest.approx(0.1)
    assert limiter.reserve("cancel_order") == 0.0


def test_deribit_credit_pool_and_matching_engine() -> None:
    time = FakeTime()
    limiter = RateLimiter(VENUE_LIMITS["deribit"], monotonic=time.monotonic)
    waits = [limiter.reserve("fetch_positions") for _ in range(101)]
    assert waits[:100] == [0.0] * 100  # 100 × 500 credits = the 50,000 pool
    assert waits[100] == pytest.approx(500 / 10_000)
    orders = [limiter.reserve("create_order") for _ in range(21)]
    assert orders[:20] == [0.0] * 20
    assert orders[20] == pytest.approx(0.5)


def test_the_client_waits_under_the_limiter_without_real_time() -> None:
    async def body() -> None:
        live = Live()
        live.client.limiter = RateLimiter(
            VENUE_LIMITS["binanceusdm"], sleep=live.time.sleep, monotonic=live.time.monotonic
        )
        orders = [live.submit() for _ in range(12)]
        await live.settle()
        assert all(o.status is OrderStatus.ACCEPTED for o in orders)
        assert len(live.stub.orders) == 12
        assert live.time.sleeps
        assert max(live.time.sleeps) <= 0.2 + 1e-9
        assert live.client.limiter.waited_s > 0

    run(body())


def test_a_rate_limit_answer_holds_back_the_other_calls() -> None:
    time = FakeTime()
    limiter = RateLimiter(VENUE_LIMITS["mexc"], monotonic=time.monotonic)
    limiter.penalize(3.0)
    assert limiter.reserve("fetch_order") == pytest.approx(3.0 + 1 / 20)


def test_retry_waits_by_error_class() -> None:
    policy = RetryPolicy(base_delay_s=0.5, max_delay_s=3.0, jitter=0.0)
    rng = random.Random(1)
    timeout = VenueTimeoutError("T", "slow")
    assert [delay_of(policy, n, timeout, rng) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert delay_of(policy, 1, RateLimitedError("T", "429", retry_after_s=7.0), rng) == 7.0
    assert delay_of(policy, 2, RateLimitedError("T", "429"), rng) == 2.0  # 1.0 × 2
    jittered = RetryPolicy(base_delay_s=1.0, jitter=0.5)
    waits = {delay_of(jittered, 1, timeout, random.Random(s)) for s in range(20)}
    assert len(waits) > 1
    assert all(1.0 <= w <= 1.5 for w in waits)


def test_policy_validation() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RetryPolicy(attempts=0)
