"""When and how long to retry a venue call, by the class of its error (see ``errors.py``).

* :class:`~tradebot.execution.errors.RateLimitedError`: wait what the venue said
  (``retry_after_s``), or back off exponentially when it said nothing; up to
  ``rate_limit_attempts`` tries;
* network, timeout, unavailable: exponential back-off with jitter, ``attempts`` tries (3);
* everything else (refused orders, authentication, unknown orders): no retry.

The retry loop itself is tenacity's; the policy only supplies its stop, wait and retry rules.
Sleep and the jitter's random source are injected, so tests run in simulated time.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

import msgspec
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type

from tradebot.execution.errors import RateLimitedError, RetryableError

Sleep = Callable[[float], Awaitable[None]]
BeforeSleep = Callable[[RetryCallState], None]


class RetryPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """Retry settings of the live execution client.

    ``attempts`` counts tries, the first included. A wait is ``base_delay_s × 2^(n-1)`` capped
    at ``max_delay_s``, plus a random jitter of up to ``jitter`` × that wait.
    """

    attempts: int = 3
    base_delay_s: float = 0.25
    max_delay_s: float = 5.0
    jitter: float = 0.5
    rate_limit_attempts: int = 5
    rate_limit_delay_s: float = 1.0
    """Back-off base when a rate-limit answer carries no ``retry_after_s``."""

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.rate_limit_attempts < 1:
            raise ValueError("retry attempts must be at least 1")
        if self.base_delay_s < 0 or self.max_delay_s < 0 or self.jitter < 0:
            raise ValueError("retry delays and jitter must not be negative")


def _error(state: RetryCallState) -> BaseException | None:
    outcome = state.outcome
    return outcome.exception() if outcome is not None and outcome.failed else None


class _Stop:
    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def __call__(self, state: RetryCallState) -> bool:
        limit = (
            self.policy.rate_limit_attempts
            if isinstance(_error(state), RateLimitedError)
            else self.policy.attempts
        )
        return state.attempt_number >= limit


class _Wait:
    def __init__(self, policy: RetryPolicy, rng: random.Random) -> None:
        self.policy = policy
        self.rng = rng

    def __call__(self, state: RetryCallState) -> float:
        policy = self.policy
        exc = _error(state)
        base = policy.base_delay_s
        if isinstance(exc, RateLimitedError):
            if exc.retry_after_s is not None and exc.retry_after_s >= 0:
                return exc.retry_after_s  # the venue said how long: honour it exactly
            base = policy.rate_limit_delay_s
        delay = min(policy.max_delay_s, base * 2.0 ** (state.attempt_number - 1))
        return delay + self.rng.uniform(0.0, policy.jitter * delay)


def retrying(
    policy: RetryPolicy,
    *,
    sleep: Sleep = asyncio.sleep,
    rng: random.Random | None = None,
    before_sleep: BeforeSleep | None = None,
) -> AsyncRetrying:
    """A tenacity retryer for one venue call under ``policy``; the last error is re-raised."""
    return AsyncRetrying(
        sleep=sleep,
        stop=_Stop(policy),
        wait=_Wait(policy, rng or random.Random()),  # noqa: S311 - jitter, not cryptography
        retry=retry_if_exception_type(RetryableError),
        before_sleep=before_sleep,
        reraise=True,
    )


def delay_of(policy: RetryPolicy, attempt: int, exc: BaseException, rng: random.Random) -> float:
    """The wait after failed try ``attempt`` (for tests and documentation)."""
    state = RetryCallState(retry_object=AsyncRetrying(), fn=None, args=(), kwargs={})
    state.attempt_number = attempt
    state.set_exception((type(exc), exc, exc.__traceback__))
    return _Wait(policy, rng)(state)


__all__ = ["RetryPolicy", "delay_of", "retrying"]
