"""Build the ccxt exchange objects, the data client and the gateway from a configuration.

``build_exchange`` is the one place where ccxt instances are made: keys from the environment,
sandbox mode unless mainnet was confirmed, quirk options, and currency loading switched off
(``fetch_currencies`` is a private wallet call on Binance, Bybit and MEXC that testnet keys
often may not make, and nothing here needs it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ccxt.async_support as ccxt_async

from tradebot.errors import ConfigError
from tradebot.venues.ccxt.config import CcxtCredentials, CcxtVenueConfig, credentials_from_env
from tradebot.venues.ccxt.data import CcxtDataClient
from tradebot.venues.ccxt.execution import CcxtGateway


def _settings(config: CcxtVenueConfig, credentials: CcxtCredentials | None) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "enableRateLimit": True,
        "timeout": config.timeout_ms,
        "options": config.ccxt_options(),
    }
    if credentials is not None:
        settings["apiKey"] = credentials.api_key.get_secret_value()
        settings["secret"] = credentials.secret.get_secret_value()
    return settings


def _prepare(exchange: Any, config: CcxtVenueConfig) -> Any:
    exchange.has["fetchCurrencies"] = False
    if config.testnet:
        if config.quirks.testnet_mode == "demo":
            exchange.enable_demo_trading(True)
        else:
            exchange.set_sandbox_mode(True)
    if config.exchange == "binanceusdm":
        # Open orders of every symbol on request: the live client reconciles them all.
        fetch_open = dict(exchange.options.get("fetchOpenOrders") or {})
        fetch_open["warnWithoutSymbol"] = False
        exchange.options["fetchOpenOrders"] = fetch_open
    return exchange


def build_exchange(
    config: CcxtVenueConfig,
    *,
    credentials: CcxtCredentials | None = None,
    environ: Mapping[str, str] | None = None,
    private: bool = True,
    pro: bool = False,
) -> Any:
    """A ccxt ``async_support`` (or ccxt.pro with ``pro=True``) exchange for ``config``.

    Parameters
    ----------
    config : CcxtVenueConfig
        Exchange, testnet switch, options.
    credentials : CcxtCredentials | None
        Keys; None reads them from the environment when ``private``.
    environ : Mapping[str, str] | None
        Environment to read (default ``os.environ``).
    private : bool
        Whether keys are needed (public market data needs none).
    pro : bool
        Build the ccxt.pro (WebSocket) class instead.

    Raises
    ------
    ConfigError
        When keys are missing or ccxt does not know the exchange.
    """
    if private and config.read_only:
        raise ConfigError(f"{config.exchange}: a read-only configuration carries no keys")
    if private and credentials is None:
        credentials = credentials_from_env(config, environ)
    if pro:
        import ccxt.pro as ccxt_pro

        module: Any = ccxt_pro
    else:
        module = ccxt_async
    cls = getattr(module, config.exchange, None)
    if cls is None:
        raise ConfigError(f"ccxt has no exchange '{config.exchange}'")
    return _prepare(cls(_settings(config, credentials)), config)


def build_data_client(
    config: CcxtVenueConfig,
    *,
    environ: Mapping[str, str] | None = None,
    streams: bool = True,
    exchange: Any | None = None,
) -> CcxtDataClient:
    """A data client: public REST, plus ccxt.pro streams when ``streams``."""
    rest = (
        exchange if exchange is not None else build_exchange(config, environ=environ, private=False)
    )
    stream = build_exchange(config, environ=environ, private=False, pro=True) if streams else None
    return CcxtDataClient(rest, config.venue, stream_exchange=stream)


def build_gateway(
    config: CcxtVenueConfig,
    *,
    environ: Mapping[str, str] | None = None,
    exchange: Any | None = None,
) -> CcxtGateway:
    """A gateway on a private (keyed) exchange instance."""
    private = exchange if exchange is not None else build_exchange(config, environ=environ)
    return CcxtGateway(private, config)


__all__ = ["build_data_client", "build_exchange", "build_gateway"]
