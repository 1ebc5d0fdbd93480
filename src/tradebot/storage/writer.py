"""The storage writer: two ways to write, for two needs of the trading path.

``record(message)`` — for everything that must be kept but must never slow trading (fills,
order updates, funding, signals, risk blocks, snapshots). It only appends to an in-memory
queue (O(1), no I/O, no lock on the database) and returns. A background thread takes
whatever has queued up, writes it in one transaction (group commit: the busier the engine,
the bigger the batches), and repeats. If the database fails, the thread logs it and retries
the same batch with exponential back-off, while ``record`` keeps queueing; nothing is lost
unless the process exits first. A message the database refuses for good (a constraint, an
amount out of range) is isolated by splitting the batch, logged and dropped alone.

``write_order_now(order)`` — the write-ahead record crash recovery needs: it commits the
order on the caller's thread before returning, so call it *before* sending the order; if it
raises, do not send. Both paths may touch the same order in any order; see
:mod:`tradebot.storage.orders` for why the row still ends up right.

Typical wiring::

    writer = StorageWriter(open_database("sqlite:///tradebot.db"))
    writer.attach(engine.bus)                # fills, order updates, funding, risk, failures
    writer.write_order_now(order)            # then send it
    writer.record(AccountSnapshot.of(...))   # whenever
    writer.close()                           # drains the queue

With ``checkpoints=True`` (a session that must survive a crash) a transaction ends only at a
:class:`~tradebot.storage.records.Checkpoint`: what was recorded after the newest checkpoint
waits for the next one, so the database always holds the state of a whole number of market
events, never half of one. ``flush`` and ``close`` still write everything.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from queue import Empty, SimpleQueue
from types import TracebackType
from typing import Any, Protocol

import msgspec
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_when_event_set,
    wait_exponential,
)

from tradebot.engine.trading_engine import SignalRecord, StrategyFailed
from tradebot.model.events import FundingPaid, OrderFilled, OrderUpdated, PositionLiquidated
from tradebot.model.orders import Order
from tradebot.risk.exits.exit_plan import ExitPlan
from tradebot.risk.state import RiskStateChanged
from tradebot.storage.batch import HANDLED_TYPES, write_batch
from tradebot.storage.database import Database, is_transient
from tradebot.storage.orders import write_order
from tradebot.storage.records import Checkpoint, ExitPlanState, OrderSnapshot

log = logging.getLogger("tradebot.storage")

BUS_MESSAGES: tuple[type, ...] = (
    OrderUpdated,
    OrderFilled,
    FundingPaid,
    PositionLiquidated,
    RiskStateChanged,
    StrategyFailed,
    SignalRecord,
)
"""What :meth:`StorageWriter.attach` subscribes to."""


class Subscriber(Protocol):
    """Anything with the message bus's ``subscribe`` (the engine's ``MessageBus``)."""

    def subscribe(self, message_type: type, handler: Callable[[Any], None]) -> None:
        """Call ``handler(message)`` for every published message of ``message_type``."""


class WriterHealth(msgspec.Struct, frozen=True):
    """How the writer is doing: show it on the dashboard, alert on ``failing``."""

    pending: int
    """Messages queued and not yet written."""
    written: int
    """Messages committed."""
    retries: int
    """Failed attempts that were retried."""
    dropped: int
    """Messages given up on (refused by the database, or still queued when closing failed)."""
    failing: bool
    """The last attempt failed and the writer is retrying."""
    last_error: str
    """The most recent failure, one line, password masked."""


class _Marker:
    __slots__ = ("done", "stop")

    def __init__(self, *, stop: bool = False) -> None:
        self.done = threading.Event()
        self.stop = stop


class StorageWriter:
    """Writes recorded messages in the background; writes orders ahead when asked.

    Parameters
    ----------
    database : Database
        Where to write (see :func:`~tradebot.storage.database.open_database`).
    max_batch : int
        Most messages per transaction (default 5,000).
    max_backoff : float
        Longest wait between retries of a failing write, in seconds (default 5).
    on_error : callable, optional
        Called with a one-line description when writing starts failing and when messages are
        dropped (from the writer thread), to raise an alert.
    checkpoints : bool
        Commit only up to the newest :class:`~tradebot.storage.records.Checkpoint` recorded
        (default False: commit whatever has queued up).
    """

    def __init__(
        self,
        database: Database,
        *,
        max_batch: int = 5000,
        max_backoff: float = 5.0,
        on_error: Callable[[str], None] | None = None,
        checkpoints: bool = False,
    ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch was {max_batch}; it must be at least 1")
        self._db = database
        self._max_batch = max_batch
        self._on_error = on_error
        self._queue: SimpleQueue[object] = SimpleQueue()
        self._atomic = checkpoints
        self._held: list[object] = []
        """Checkpoint mode: messages recorded after the newest checkpoint, not written yet."""
        self._closed = False
        self._abandon = threading.Event()
        self._written = 0
        self._retries = 0
        self._dropped = 0
        self._failing = False
        self._last_error = ""
        self._retrying = Retrying(
            retry=retry_if_exception(is_transient),
            wait=wait_exponential(multiplier=0.05, max=max_backoff),
            stop=stop_when_event_set(self._abandon),
            sleep=self._sleep,
            before_sleep=self._before_retry,
            reraise=True,
        )
        self._thread = threading.Thread(target=self._run, name="tradebot-storage", daemon=True)
        self._thread.start()

    # -- the caller's side -----------------------------------------------------------------------
    def record(self, message: object) -> None:
        """Queue ``message`` for writing and return at once (no I/O, no database lock).

        Accepts the bus events in :data:`BUS_MESSAGES`, the snapshots of
        :mod:`tradebot.storage.records`, and an ``Order`` or ``ExitPlan`` (copied now, as they
        change later). After :meth:`close` the message is counted as dropped.

        Raises
        ------
        TypeError
            If storage has no table for this kind of message.
        """
        if type(message) is Order:
            message = OrderSnapshot.of(message)
        elif type(message) is ExitPlan:
            message = ExitPlanState.of(message, message.seen_ns)
        elif type(message) not in HANDLED_TYPES:
            raise TypeError(f"storage cannot record a {type(message).__name__}")
        if self._closed:
            self._dropped += 1
            log.warning("storage_record_after_close: %s dropped", type(message).__name__)
            return
        self._queue.put(message)

    def write_order_now(self, order: Order) -> None:
        """Commit ``order`` before returning: call it before sending the order.

        Raises
        ------
        StorageUnavailableError
            If the database is down or locked past its busy timeout; then do not send.
        """
        write_order(self._db, order)

    def attach(self, bus: Subscriber) -> None:
        """Record every message of the types in :data:`BUS_MESSAGES` published on ``bus``."""
        for message_type in BUS_MESSAGES:
            bus.subscribe(message_type, self.record)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything recorded so far was written (or dropped); False on timeout."""
        if not self._thread.is_alive():
            return self._queue.empty()
        marker = _Marker()
        self._queue.put(marker)
        return marker.done.wait(timeout)

    def close(self, timeout: float | None = 30.0) -> WriterHealth:
        """Write what is queued, then stop the thread; return the final health.

        If the database is still failing after ``timeout`` seconds, the messages not yet
        written are given up, counted in ``dropped`` and logged.
        """
        if not self._closed:
            self._closed = True
            marker = _Marker(stop=True)
            self._queue.put(marker)
            if not marker.done.wait(timeout):
                self._abandon.set()
            self._thread.join()
        return self.health()

    def health(self) -> WriterHealth:
        """Counters and the last error, for monitoring."""
        return WriterHealth(
            pending=self._queue.qsize() + len(self._held),
            written=self._written,
            retries=self._retries,
            dropped=self._dropped,
            failing=self._failing,
            last_error=self._last_error,
        )

    def __enter__(self) -> StorageWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the writer thread -----------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            items = [self._queue.get()]
            while len(items) < self._max_batch:
                try:
                    items.append(self._queue.get_nowait())
                except Empty:
                    break
            messages: list[object] = self._held
            self._held = []
            stop: _Marker | None = None
            for item in items:
                if isinstance(item, _Marker):
                    if messages:
                        self._write(messages)
                        messages = []
                    if item.stop:
                        stop = item
                    else:
                        item.done.set()
                else:
                    messages.append(item)
            if messages and self._atomic and stop is None:
                messages = self._up_to_checkpoint(messages)
            if messages:
                self._write(messages)
            if stop is not None and self._queue.empty():
                stop.done.set()
                return
            if stop is not None:  # messages raced in behind the stop marker: write them too
                self._queue.put(stop)

    def _up_to_checkpoint(self, messages: list[object]) -> list[object]:
        """Keep back what follows the last checkpoint; return what may be committed now."""
        for i in range(len(messages) - 1, -1, -1):
            if type(messages[i]) is Checkpoint:
                self._held = messages[i + 1 :]
                return messages[: i + 1]
        self._held = messages
        return []

    def _write(self, messages: list[object]) -> None:
        if self._abandon.is_set():
            self._drop(messages, "the database was still failing when the writer closed")
            return
        try:
            self._retrying(self._commit, messages)
        except Exception as exc:  # queue boundary: log, isolate, carry on
            if is_transient(exc):
                self._drop(messages, f"the database was still failing: {self._db.describe(exc)}")
            elif len(messages) > 1:
                middle = len(messages) // 2
                self._write(messages[:middle])
                self._write(messages[middle:])
            else:
                self._drop(messages, self._db.describe(exc), exc)
            return
        self._written += len(messages)
        if self._failing:
            self._failing = False
            log.info("storage_write_recovered: %s, %d retries so far", self._db.url, self._retries)

    def _commit(self, messages: list[object]) -> None:
        with self._db.writing() as session:
            write_batch(session, messages)

    def _sleep(self, seconds: float) -> None:
        self._abandon.wait(seconds)

    def _before_retry(self, state: RetryCallState) -> None:
        self._retries += 1
        exc = state.outcome.exception() if state.outcome is not None else None
        self._last_error = self._db.describe(exc) if exc is not None else "unknown error"
        log.warning(
            "storage_write_failed: %s (attempt %d, %d queued, retrying): %s",
            self._db.url,
            state.attempt_number,
            self._queue.qsize(),
            self._last_error,
        )
        if not self._failing:
            self._failing = True
            self._alert(f"storage writes failing on {self._db.url}: {self._last_error}")

    def _drop(self, messages: list[object], reason: str, exc: BaseException | None = None) -> None:
        self._dropped += len(messages)
        self._last_error = reason
        kinds = sorted({type(m).__name__ for m in messages})
        log.error(
            "storage_messages_dropped: %d (%s) on %s: %s",
            len(messages),
            ", ".join(kinds),
            self._db.url,
            reason,
            exc_info=exc if exc is not None and not hasattr(exc, "orig") else None,
        )
        if len(messages) == 1:
            log.error("storage_dropped_message: %r", messages[0])
        self._alert(f"storage dropped {len(messages)} message(s) ({', '.join(kinds)}): {reason}")

    def _alert(self, text: str) -> None:
        if self._on_error is None:
            return
        try:
            self._on_error(text)
        except Exception:  # an alerting bug must not stop the writer
            log.exception("storage_on_error_callback_failed")


__all__ = ["BUS_MESSAGES", "StorageWriter", "Subscriber", "WriterHealth"]
