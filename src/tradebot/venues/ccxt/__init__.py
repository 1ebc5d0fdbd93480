"""CCXT venues (Binance USD-M, Bybit, MEXC, Deribit): instruments, market data and orders.

Public API::

    CcxtVenueConfig            config.py     exchange, testnet/mainnet switches, env keys
    CcxtInstrumentProvider     providers.py  markets → Spot / Perpetual / Future / Option
    CcxtDataClient             data.py       REST fetch/poll and ccxt.pro streams of our events
    CcxtGateway                execution.py  tradebot.execution.gateway.VenueGateway
    build_exchange / build_data_client / build_gateway   factories.py
"""

from tradebot.venues.ccxt.config import (
    SUPPORTED_EXCHANGES,
    VENUE_QUIRKS,
    CcxtCredentials,
    CcxtVenueConfig,
    VenueQuirks,
    credentials_from_env,
    missing_credentials,
)
from tradebot.venues.ccxt.data import CcxtDataClient
from tradebot.venues.ccxt.execution import CcxtGateway, ComboLeg
from tradebot.venues.ccxt.factories import build_data_client, build_exchange, build_gateway
from tradebot.venues.ccxt.providers import CcxtInstrumentProvider, instrument_from_market

__all__ = [
    "SUPPORTED_EXCHANGES",
    "VENUE_QUIRKS",
    "CcxtCredentials",
    "CcxtDataClient",
    "CcxtGateway",
    "CcxtInstrumentProvider",
    "CcxtVenueConfig",
    "ComboLeg",
    "VenueQuirks",
    "build_data_client",
    "build_exchange",
    "build_gateway",
    "credentials_from_env",
    "instrument_from_market",
    "missing_credentials",
]
