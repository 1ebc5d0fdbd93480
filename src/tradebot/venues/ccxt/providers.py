"""Markets of a CCXT exchange as our instruments.

ccxt's ``load_markets`` gives unified market dicts; :func:`instrument_from_market` turns one
into a :class:`~tradebot.model.instruments.Spot`, ``Perpetual``, ``Future`` or ``Option``:

* tick and lot come from ``precision`` (ccxt's ``TICK_SIZE`` mode; decimal places are
  converted), the minimum size from ``limits.amount.min``, the contract size from
  ``contractSize`` (Deribit BTC perpetual: 10 USD; Bybit inverse: 1 USD);
* linear or inverse from ``linear`` / ``inverse``;
* inverse options (Deribit BTC/ETH) follow :class:`tradebot.options.contract.OptionSpec`:
  premium and settlement in the coin (``quote == underlying``), strike in USD; linear options
  (USDC-settled) keep their quote currency.

Markets of other kinds (leveraged tokens, index markets, combos with no single expiry) are
skipped and counted in :attr:`CcxtInstrumentProvider.skipped`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tradebot.model.enums import OptionKind, Settlement
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Future, Instrument, Option, Perpetual, Spot
from tradebot.options.contract import OptionSpec
from tradebot.venues.ccxt.errors import is_ccxt_error, translate

_TICK_SIZE = 4  # ccxt.base.decimal_to_precision.TICK_SIZE
_NS_PER_MS = 1_000_000


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def _increment(value: Any, precision_mode: int) -> Decimal | None:
    number = _decimal(value)
    if number is None:
        return None
    if precision_mode != _TICK_SIZE:
        return Decimal(1).scaleb(-int(number))
    return number if number > 0 else None


def _fee(market: dict[str, Any], key: str, default: float) -> float:
    value = market.get(key)
    return float(value) if isinstance(value, int | float) else default


def _common(market: dict[str, Any], venue: str, precision_mode: int) -> dict[str, Any] | None:
    precision = market.get("precision") or {}
    tick = _increment(precision.get("price"), precision_mode)
    lot = _increment(precision.get("amount"), precision_mode)
    if tick is None or lot is None:
        return None
    limits = (market.get("limits") or {}).get("amount") or {}
    minimum = _decimal(limits.get("min")) or Decimal(0)
    size = _decimal(market.get("contractSize")) or Decimal(1)
    return {
        "id": InstrumentId(str(market["symbol"]), venue),
        "base": str(market.get("base")),
        "quote": str(market.get("quote")),
        "price_increment": tick,
        "size_increment": lot,
        "min_quantity": max(minimum, Decimal(0)),
        "multiplier": size if size > 0 else Decimal(1),
        "maker_fee": _fee(market, "maker", 0.0002),
        "taker_fee": _fee(market, "taker", 0.0006),
    }


def _settlement(market: dict[str, Any]) -> Settlement:
    # A contract settled in its base coin is inverse, whatever flag the venue sent.
    base, quote, settle = market.get("base"), market.get("quote"), market.get("settle")
    coin_settled = settle is not None and settle == base and settle != quote
    return (
        Settlement.INVERSE if market.get("inverse") is True or coin_settled else Settlement.LINEAR
    )


def _max_leverage(market: dict[str, Any], default: float) -> float:
    leverage = ((market.get("limits") or {}).get("leverage") or {}).get("max")
    return float(leverage) if isinstance(leverage, int | float) and leverage > 0 else default


def _option(market: dict[str, Any], fields: dict[str, Any], venue: str) -> Option | None:
    strike = market.get("strike")
    expiry = market.get("expiry")
    kind_text = str(market.get("optionType") or "").lower()
    if strike is None or expiry is None or kind_text not in ("call", "put"):
        return None
    kind = OptionKind.CALL if kind_text == "call" else OptionKind.PUT
    expiry_ns = int(expiry) * _NS_PER_MS
    base = fields["base"]
    settle = str(market.get("settle") or fields["quote"])
    if market.get("inverse") is True or settle == base:
        spec = OptionSpec(
            venue=venue,
            underlying=base,
            quote=settle,
            price_increment=fields["price_increment"],
            size_increment=fields["size_increment"],
            min_quantity=fields["min_quantity"],
            multiplier=fields["multiplier"],
            maker_fee=fields["maker_fee"],
            taker_fee=fields["taker_fee"],
        )
        option = spec.instrument(expiry_ns, float(strike), kind)
        if option.id != fields["id"]:
            # Keep ccxt's symbol so that orders address the same market.
            option = Option(
                **{**fields, "quote": settle},
                settlement=Settlement.LINEAR,
                underlying=base,
                strike=float(strike),
                expiry_ns=expiry_ns,
                kind=kind,
            )
        return option
    return Option(
        **fields,
        settlement=Settlement.LINEAR,
        underlying=base,
        strike=float(strike),
        expiry_ns=expiry_ns,
        kind=kind,
    )


def instrument_from_market(
    market: dict[str, Any], venue: str, precision_mode: int = _TICK_SIZE
) -> Instrument | None:
    """Our instrument for one ccxt market, or None for kinds we do not model.

    Parameters
    ----------
    market : dict[str, Any]
        A ccxt unified market.
    venue : str
        Venue name of the instrument id.
    precision_mode : int
        The exchange's ``precisionMode`` (4 = tick size, ccxt's default for these venues).
    """
    fields = _common(market, venue, precision_mode)
    if fields is None:
        return None
    kind = market.get("type")
    if kind == "spot" or market.get("spot") is True:
        return Spot(**fields)
    if kind == "swap":
        return Perpetual(
            **fields, settlement=_settlement(market), max_leverage=_max_leverage(market, 100.0)
        )
    if kind == "future":
        if market.get("expiry") is None:
            return None
        return Future(
            **fields,
            settlement=_settlement(market),
            expiry_ns=int(market["expiry"]) * _NS_PER_MS,
            max_leverage=_max_leverage(market, 50.0),
        )
    if kind == "option":
        return _option(market, fields, venue)
    return None


class CcxtInstrumentProvider:
    """Loads an exchange's markets once and keeps them as our instruments, keyed by symbol.

    Parameters
    ----------
    exchange : Any
        A ccxt (async_support) exchange instance.
    venue : str
        Venue name of the instrument ids.
    """

    def __init__(self, exchange: Any, venue: str) -> None:
        self._exchange = exchange
        self.venue = venue
        self.instruments: dict[str, Instrument] = {}
        self.skipped: list[str] = []

    async def load(self, reload: bool = False) -> dict[str, Instrument]:
        """Load the markets (ccxt ``load_markets``) and convert them.

        Raises
        ------
        tradebot.execution.errors.VenueCallError
            When the exchange cannot be reached or refuses (translated from ccxt).
        """
        try:
            markets = await self._exchange.load_markets(reload)
        except Exception as exc:
            if is_ccxt_error(exc):
                raise translate(self.venue, exc, "load_markets") from exc
            raise
        return self.convert(markets)

    def convert(self, markets: dict[str, dict[str, Any]]) -> dict[str, Instrument]:
        """Convert ccxt markets that are already loaded."""
        mode = int(getattr(self._exchange, "precisionMode", _TICK_SIZE))
        instruments: dict[str, Instrument] = {}
        skipped: list[str] = []
        for symbol, market in markets.items():
            try:
                instrument = instrument_from_market(market, self.venue, mode)
            except (ValueError, TypeError, KeyError):
                instrument = None
            if instrument is None:
                skipped.append(symbol)
            else:
                instruments[symbol] = instrument
        self.instruments = instruments
        self.skipped = skipped
        return instruments

    def find(self, symbol: str) -> Instrument | None:
        """The instrument of a ccxt symbol, or None."""
        return self.instruments.get(symbol)


__all__ = ["CcxtInstrumentProvider", "instrument_from_market"]
