"""``build_data_client(config)`` and ``build_gateway(config)``: the only place that creates the
venue's library objects (keys from the environment, testnet switch applied)."""

from __future__ import annotations

from tradebot.venues._template.config import TemplateVenueConfig
from tradebot.venues._template.data import TemplateDataClient
from tradebot.venues._template.execution import TemplateGateway


def build_data_client(config: TemplateVenueConfig) -> TemplateDataClient:
    """Market data client for ``config``."""
    raise NotImplementedError


def build_gateway(config: TemplateVenueConfig) -> TemplateGateway:
    """Order gateway for ``config``."""
    raise NotImplementedError


__all__ = ["build_data_client", "build_gateway"]
