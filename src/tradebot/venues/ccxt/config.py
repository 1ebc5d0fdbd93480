"""Settings of a CCXT venue: which exchange, testnet or mainnet, and where the keys come from.

Keys are never part of the configuration: they are read from the environment only, as
``TRADEBOT_<VENUE>_API_KEY`` and ``TRADEBOT_<VENUE>_SECRET`` (``<VENUE>`` is the exchange id in
capitals, e.g. ``TRADEBOT_BINANCEUSDM_API_KEY``). Mainnet needs two deliberate switches:
``live=True`` *and* ``confirm_mainnet=True``; everything else runs on the exchange's testnet.

Exchange quirks (the parameter that carries our client order id, how an order is looked up by
it, ccxt options) are data in :data:`VENUE_QUIRKS`, not branches in the adapter.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, SecretStr, model_validator

from tradebot.errors import ConfigError

ExchangeId = Literal["binanceusdm", "bybit", "mexc", "deribit"]
SUPPORTED_EXCHANGES: tuple[str, ...] = ("binanceusdm", "bybit", "mexc", "deribit")


@dataclass(frozen=True, slots=True)
class VenueQuirks:
    """How one exchange differs, as data.

    Parameters
    ----------
    client_id_param : str
        The request parameter that carries our client order id on create (ccxt passes it
        through unchanged): binance ``newClientOrderId``, bybit ``orderLinkId``, deribit
        ``label``, mexc ``clientOrderId`` (ccxt renames it to ``newClientOrderId`` for spot).
    lookup_param : str
        The parameter ccxt's ``cancel_order`` / ``fetch_order`` take to address an order by our
        id instead of the venue's (empty when the venue has dedicated by-label endpoints).
    by_label : bool
        Deribit: cancel, amend and look up through ``*_by_label`` endpoints.
    realtime_lookup : bool
        Bybit: look an order up by ``orderLinkId`` on ``/v5/order/realtime`` then
        ``/v5/order/history`` (ccxt's ``fetch_order`` needs the venue id there).
    has_testnet : bool
        Whether the exchange has a test environment ccxt can reach (MEXC has none).
    testnet_mode : {"sandbox", "demo"}
        ``sandbox``: ccxt ``set_sandbox_mode(True)``; ``demo``: ``enable_demo_trading(True)``
        (Binance USD-M: ccxt refuses the retired futures testnet and points at demo trading,
        ``demo-fapi.binance.com``).
    default_type : str
        ccxt ``defaultType`` when the configuration names none.
    ccxt_options : Mapping[str, Any]
        Extra ccxt options (e.g. bybit's unified-account flags, which otherwise cost two
        private calls before the first order).
    """

    client_id_param: str
    lookup_param: str
    by_label: bool = False
    realtime_lookup: bool = False
    has_testnet: bool = True
    testnet_mode: Literal["sandbox", "demo"] = "sandbox"
    default_type: str = "swap"
    ccxt_options: Mapping[str, Any] = field(default_factory=dict)


VENUE_QUIRKS: dict[str, VenueQuirks] = {
    "binanceusdm": VenueQuirks(
        "newClientOrderId", "origClientOrderId", testnet_mode="demo", default_type="future"
    ),
    "bybit": VenueQuirks(
        "orderLinkId",
        "orderLinkId",
        realtime_lookup=True,
        ccxt_options={"enableUnifiedAccount": True, "enableUnifiedMargin": False},
    ),
    "mexc": VenueQuirks("clientOrderId", "clientOrderId", has_testnet=False, default_type="spot"),
    "deribit": VenueQuirks("label", "", by_label=True),
}


class CcxtVenueConfig(BaseModel):
    """One CCXT exchange account.

    Parameters
    ----------
    exchange : {"binanceusdm", "bybit", "mexc", "deribit"}
        ccxt exchange id.
    testnet : bool
        Use the exchange's test environment (default True): its sandbox, or Binance's
        demo trading. ``False`` needs ``live`` and
        ``confirm_mainnet``.
    live : bool
        Allow real money (default False).
    confirm_mainnet : bool
        Second switch for mainnet, written out in the configuration file (default False).
    read_only : bool
        Public market data only, never keys: mainnet needs no switches (default False).
    default_type : str | None
        ccxt ``defaultType`` (``spot``, ``swap``, ``future``, ``option``); None takes the
        exchange's usual one (default None).
    venue_name : str | None
        Venue in our instrument ids (default: the exchange id in capitals, e.g. ``BYBIT``).
    timeout_ms : int
        ccxt request timeout (default 10000).
    options : dict[str, Any]
        Extra ccxt options merged over the built-in quirks (default empty).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    exchange: ExchangeId
    testnet: bool = True
    live: bool = False
    confirm_mainnet: bool = False
    read_only: bool = False
    default_type: str | None = None
    venue_name: str | None = None
    timeout_ms: int = 10_000
    options: dict[str, Any] = {}

    @model_validator(mode="after")
    def _mainnet_needs_two_switches(self) -> CcxtVenueConfig:
        if self.read_only:
            return self
        if not self.testnet and not (self.live and self.confirm_mainnet):
            raise ValueError(
                f"{self.exchange}: mainnet needs live=True and confirm_mainnet: true "
                "(--live --confirm-mainnet); "
                "was live="
                f"{self.live}, confirm_mainnet={self.confirm_mainnet}"
            )
        if self.testnet and not self.quirks.has_testnet:
            raise ValueError(
                f"{self.exchange} has no testnet (ccxt knows no sandbox URLs for it); "
                "only mainnet (--live --confirm-mainnet, or live=True and confirm_mainnet: true)"
            )
        return self

    @property
    def quirks(self) -> VenueQuirks:
        """The exchange's quirks."""
        return VENUE_QUIRKS[self.exchange]

    @property
    def venue(self) -> str:
        """Venue name used in instrument ids."""
        return self.venue_name or self.exchange.upper()

    @property
    def market_type(self) -> str:
        """The ccxt ``defaultType`` in force."""
        return self.default_type or self.quirks.default_type

    def env_names(self) -> tuple[str, str]:
        """Names of the environment variables holding the key and the secret."""
        prefix = f"TRADEBOT_{self.exchange.upper()}"
        return f"{prefix}_API_KEY", f"{prefix}_SECRET"

    def ccxt_options(self) -> dict[str, Any]:
        """ccxt options: quirks, default type, then the configured extras."""
        return {**self.quirks.ccxt_options, "defaultType": self.market_type, **self.options}


@dataclass(frozen=True, slots=True)
class CcxtCredentials:
    """API key and secret; ``repr`` never shows them."""

    api_key: SecretStr
    secret: SecretStr


def missing_credentials(
    config: CcxtVenueConfig, environ: Mapping[str, str] | None = None
) -> list[str]:
    """Names of the key variables that are unset or empty."""
    env = os.environ if environ is None else environ
    return [name for name in config.env_names() if not env.get(name, "").strip()]


def credentials_from_env(
    config: CcxtVenueConfig, environ: Mapping[str, str] | None = None
) -> CcxtCredentials:
    """Read the keys from the environment.

    Raises
    ------
    ConfigError
        Naming every variable that is missing.
    """
    env = os.environ if environ is None else environ
    missing = missing_credentials(config, env)
    if missing:
        raise ConfigError(
            f"{config.exchange}: set the environment variable(s) {', '.join(missing)}"
        )
    key_name, secret_name = config.env_names()
    return CcxtCredentials(SecretStr(env[key_name].strip()), SecretStr(env[secret_name].strip()))


__all__ = [
    "SUPPORTED_EXCHANGES",
    "VENUE_QUIRKS",
    "CcxtCredentials",
    "CcxtVenueConfig",
    "ExchangeId",
    "VenueQuirks",
    "credentials_from_env",
    "missing_credentials",
]
