"""Pure functions: venue payloads → tradebot records. No I/O here, so each is unit-testable on a
recorded payload. Required (names may follow the venue):

* ``bar_from_…``, ``quote_from_…``, ``trade_from_…``, ``funding_from_…`` → ``Bar``,
  ``QuoteTick``, ``TradeTick``, ``FundingRate`` (``tradebot.model.data``);
* ``option_quote_from_…`` → ``tradebot.options.chain.OptionQuote`` when the venue lists options;
* ``order_from_…``, ``fill_from_…``, ``balances_from_…``, ``position_from_…`` →
  ``VenueOrder``, ``VenueFill``, ``VenueBalance``, ``VenuePosition``
  (``tradebot.execution.gateway``).
"""

from __future__ import annotations

__all__: list[str] = []
