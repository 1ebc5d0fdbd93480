"""In-process message bus: components publish events, observers subscribe by type.

The hot path (market data → strategy → risk → order) does not go through the bus; the bus
carries what observers need (fills, order updates, funding, equity) to reports, the CLI, and
later storage, the API and Telegram.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

Handler = Callable[[Any], None]


class MessageBus:
    """Publish/subscribe keyed by the message's type."""

    def __init__(self) -> None:
        self._handlers: dict[type, list[Handler]] = defaultdict(list)

    def subscribe(self, message_type: type, handler: Handler) -> None:
        """Call ``handler(message)`` for every published message of ``message_type``."""
        self._handlers[message_type].append(handler)

    def publish(self, message: object) -> None:
        """Deliver ``message`` to the handlers of its exact type."""
        handlers = self._handlers.get(type(message))
        if handlers:
            for handler in handlers:
                handler(message)


__all__ = ["Handler", "MessageBus"]
