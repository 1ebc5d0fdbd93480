"""``<Name>InstrumentProvider``: the venue's listings as tradebot instruments."""

from __future__ import annotations

from tradebot.model.instruments import Instrument


class TemplateInstrumentProvider:
    """Required methods."""

    async def load(self, reload: bool = False) -> dict[str, Instrument]:
        """Fetch listings and return Spot / Perpetual / Future / Option by symbol."""
        raise NotImplementedError

    def find(self, symbol: str) -> Instrument | None:
        """The instrument of a loaded symbol, or None."""
        raise NotImplementedError


__all__ = ["TemplateInstrumentProvider"]
