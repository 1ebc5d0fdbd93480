"""``<Name>VenueConfig``: which account, testnet or mainnet, options. Keys come from the
environment only (``TRADEBOT_<NAME>_API_KEY`` / ``_SECRET``), never from YAML."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class TemplateVenueConfig(BaseModel):
    """Settings of the venue; document every field with its default.

    Required: a testnet switch that defaults to True, and mainnet only behind two explicit
    switches (``live=True`` and ``confirm_mainnet=True``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    testnet: bool = True
    live: bool = False
    confirm_mainnet: bool = False


__all__ = ["TemplateVenueConfig"]
