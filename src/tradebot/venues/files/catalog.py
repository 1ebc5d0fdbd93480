"""The bundled real datasets and symbol parsing.

Bundled files live in ``tradebot/data`` with their provenance in ``tradebot/data/PROVENANCE.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path

from tradebot.errors import ConfigError
from tradebot.model.enums import Settlement
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Instrument, Perpetual, Spot
from tradebot.venues.files.frames import Frame
from tradebot.venues.files.loaders import load_bars, load_funding, load_quotes
from tradebot.venues.files.source import FileDataSource

QUOTE_SUFFIXES = ("USDT", "USDC", "BUSD", "FDUSD", "USD", "EUR", "BTC", "ETH")


@dataclass(frozen=True, slots=True)
class BundledFile:
    """One bundled file and what it holds."""

    name: str
    kind: str  # bars | quotes | funding
    instrument_id: InstrumentId


@dataclass(frozen=True, slots=True)
class BundledDataset:
    """A named set of bundled files with the instruments they describe."""

    name: str
    description: str
    timeframe: str
    instruments: list[Instrument]
    files: list[BundledFile] = field(default_factory=list)


def _spot(symbol: str, venue: str, tick: str, lot: str) -> Spot:
    base, quote = symbol.split("/")
    return Spot(
        id=InstrumentId(symbol, venue),
        base=base,
        quote=quote,
        price_increment=Decimal(tick),
        size_increment=Decimal(lot),
    )


_COINBASE_BTC = _spot("BTC/USD", "COINBASE", "0.01", "0.00000001")
_COINBASE_ETH = _spot("ETH/USD", "COINBASE", "0.01", "0.00000001")
_BYBIT_BTC = _spot("BTC/USDT", "BYBIT", "0.01", "0.000001")
_BYBIT_PERP = Perpetual(
    id=InstrumentId("BTC/USDT:USDT", "BYBIT"),
    base="BTC",
    quote="USDT",
    price_increment=Decimal("0.5"),
    size_increment=Decimal("0.001"),
    min_quantity=Decimal("0.001"),
    max_leverage=100.0,
    maintenance_margin=0.005,
)
_BINANCE_BTC = _spot("BTC/USDT", "BINANCE", "0.01", "0.000001")
_BINANCE_ETH = _spot("ETH/USDT", "BINANCE", "0.01", "0.0001")

BUNDLED: dict[str, BundledDataset] = {
    ds.name: ds
    for ds in (
        BundledDataset(
            "btc_usd_4h",
            "Coinbase BTC/USD 4h candles, 2016-05-18 .. 2025-10-28 (ta4j, MIT)",
            "4h",
            [_COINBASE_BTC],
            [
                BundledFile(
                    "coinbase_BTCUSD_4h_20160518_20251028_ta4j.csv.gz", "bars", _COINBASE_BTC.id
                )
            ],
        ),
        BundledDataset(
            "eth_usd_1d",
            "Coinbase ETH/USD daily candles, 2016-05-18 .. 2026-03-10 (ta4j, MIT)",
            "1d",
            [_COINBASE_ETH],
            [
                BundledFile(
                    "coinbase_ETHUSD_1d_20160517_20260310_ta4j.csv.gz", "bars", _COINBASE_ETH.id
                )
            ],
        ),
        BundledDataset(
            "bybit_btc_usdt_1m",
            "Bybit spot BTC/USDT 1m candles and quotes, 2022-12-13 (QuantConnect Lean, Apache-2.0)",
            "1m",
            [_BYBIT_BTC],
            [
                BundledFile("bybit_spot_BTCUSDT_1m_trade_20221213_lean.csv", "bars", _BYBIT_BTC.id),
                BundledFile(
                    "bybit_spot_BTCUSDT_1m_quote_20221213_lean.csv", "quotes", _BYBIT_BTC.id
                ),
            ],
        ),
        BundledDataset(
            "bybit_btc_usdt_perp_1m",
            "Bybit BTC/USDT:USDT perpetual 1m candles, quotes and funding, 2022-12-13 00-12 UTC "
            "(QuantConnect Lean, Apache-2.0)",
            "1m",
            [_BYBIT_PERP],
            [
                BundledFile(
                    "bybit_linear_perp_BTCUSDT_1m_trade_20221213_lean.csv", "bars", _BYBIT_PERP.id
                ),
                BundledFile(
                    "bybit_linear_perp_BTCUSDT_1m_quote_20221213_lean.csv", "quotes", _BYBIT_PERP.id
                ),
                BundledFile(
                    "bybit_linear_perp_BTCUSDT_fundingrate_lean.csv", "funding", _BYBIT_PERP.id
                ),
            ],
        ),
        BundledDataset(
            "binance_btc_eth_1m",
            "Binance spot BTC/USDT and ETH/USDT 1m candles, 2018 (OctoBot, Apache-2.0)",
            "1m",
            [_BINANCE_BTC, _BINANCE_ETH],
            [
                BundledFile("binance_spot_BTCUSDT_1m_octobot.csv", "bars", _BINANCE_BTC.id),
                BundledFile("binance_spot_ETHUSDT_1m_octobot.csv", "bars", _BINANCE_ETH.id),
            ],
        ),
    )
}


def bundled_path(name: str) -> Path:
    """Filesystem path of a bundled data file."""
    return Path(str(resources.files("tradebot.data").joinpath(name)))


def open_dataset(name: str, timeframe: str | None = None) -> FileDataSource:
    """Load a bundled dataset (bars resampled to ``timeframe`` when given).

    Raises
    ------
    ConfigError
        If no dataset has that name.
    """
    if name not in BUNDLED:
        raise ConfigError(f"unknown dataset '{name}'; bundled: {', '.join(BUNDLED)}")
    ds = BUNDLED[name]
    frames: list[Frame] = []
    for f in ds.files:
        path = bundled_path(f.name)
        if f.kind == "bars":
            frames.append(load_bars(path, f.instrument_id, timeframe))
        elif f.kind == "quotes":
            frames.append(load_quotes(path, f.instrument_id))
        else:
            frames.append(load_funding(path, f.instrument_id))
    return FileDataSource(frames, list(ds.instruments))


_CCXT = re.compile(r"^([A-Z0-9]+)/([A-Z0-9]+)(?::([A-Z0-9]+))?$")


def instrument_for_symbol(symbol: str, venue: str) -> Instrument:
    """An instrument from a symbol: CCXT unified (``BTC/USDT``, ``BTC/USDT:USDT`` linear
    perpetual, ``BTC/USD:BTC`` inverse perpetual) or a plain pair (``BTCUSDT``, ``BTC-USD``).

    Increments default to a 0.01 tick and a 1e-8 lot; inverse contracts are worth 1 quote unit.

    Raises
    ------
    ConfigError
        If the symbol is in none of these forms.
    """
    text = symbol.strip().upper()
    match = _CCXT.match(text)
    if match is None:
        plain = re.sub(r"[-_]", "", text)
        for suffix in QUOTE_SUFFIXES:
            if plain.endswith(suffix) and len(plain) > len(suffix) and plain.isalnum():
                match = _CCXT.match(f"{plain[: -len(suffix)]}/{suffix}")
                break
    if match is None:
        raise ConfigError(
            f"symbol '{symbol}' is not understood; use BTC/USDT, BTC/USDT:USDT (linear "
            "perpetual), BTC/USD:BTC (inverse perpetual) or BTCUSDT"
        )
    base, quote, settle = match.groups()
    if settle is None:
        return Spot(id=InstrumentId(f"{base}/{quote}", venue), base=base, quote=quote)
    settlement = Settlement.INVERSE if settle == base else Settlement.LINEAR
    if settle not in (base, quote):
        raise ConfigError(f"symbol '{symbol}': settlement {settle} is neither {base} nor {quote}")
    return Perpetual(
        id=InstrumentId(f"{base}/{quote}:{settle}", venue),
        base=base,
        quote=quote,
        settlement=settlement,
    )


def default_symbol_from_path(path: Path) -> str | None:
    """Guess ``BTC/USDT`` from a file name such as ``binance_spot_BTCUSDT_1m_octobot.csv``."""
    perpetual = "perp" in path.name.lower()
    for token in re.split(r"[_\-.]", path.name):
        upper = token.upper()
        for suffix in QUOTE_SUFFIXES:
            if upper == token and upper.endswith(suffix) and len(upper) > len(suffix):
                base = upper[: -len(suffix)]
                return f"{base}/{suffix}:{suffix}" if perpetual else f"{base}/{suffix}"
    return None


__all__ = [
    "BUNDLED",
    "BundledDataset",
    "BundledFile",
    "bundled_path",
    "default_symbol_from_path",
    "instrument_for_symbol",
    "open_dataset",
]
