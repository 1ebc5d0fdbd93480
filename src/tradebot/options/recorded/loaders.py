"""Read real option-chain snapshots into :class:`~tradebot.options.chain.OptionChain`.

Two formats are understood: the CSV of schepal/deribit_data_collector (one Deribit
``get_order_book`` row per instrument, greeks as a Python-dict string) and Deribit ticker
payloads as JSON lines (a bare ticker, a JSON-RPC subscription message, or cryptofeed's
``{kind, ts, data}`` wrapper around one). Deribit's units are converted to the chain's: IVs
from per cent to fractions, vega from per 1 % to per 1.00 of vol, theta from per day to per
year; a zero best bid or ask means no quote and becomes NaN.
"""

from __future__ import annotations

import ast
import csv
import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tradebot.errors import DataError
from tradebot.options.chain import OptionChain
from tradebot.options.pricing import deribit_expiry_ns
from tradebot.options.synthetic.market import spec_for

SCHEPAL_COLUMNS = (
    "instrument_name",
    "strike",
    "expiration_timestamp",
    "underlying_price",
    "index_price",
    "mark_price",
    "mark_iv",
    "best_bid_price",
    "best_ask_price",
    "timestamp",
)
_NAME = re.compile(r"^([A-Z0-9]+)-(\d{1,2}[A-Z]{3}\d{2})-(\d+(?:\.\d+)?)-([CP])$")
_MS_TO_NS = 1_000_000


@dataclass(slots=True)
class _Row:
    asset: str
    expiry_ns: int
    strike: float
    is_call: bool
    forward: float
    index: float
    mark: float
    iv: float
    bid: float
    ask: float
    ts_ns: int
    delta: float = math.nan
    gamma: float = math.nan
    vega: float = math.nan
    theta: float = math.nan
    open_interest: float = math.nan


def parse_instrument_name(name: str) -> tuple[str, int, float, bool] | None:
    """``BTC-24SEP21-8000-P`` → (asset, expiry ns, strike, is_call); None if not an option."""
    match = _NAME.match(name.strip().upper())
    if match is None:
        return None
    asset, code, strike, right = match.groups()
    return asset, deribit_expiry_ns(code), float(strike), right == "C"


def _quote(value: float) -> float:
    return value if value > 0 and math.isfinite(value) else math.nan


def _greeks(raw: Any) -> dict[str, float]:
    if isinstance(raw, str):
        raw = ast.literal_eval(raw) if raw.strip() else {}
    if not isinstance(raw, dict):
        return {}
    return {str(k): float(v) for k, v in raw.items() if isinstance(v, int | float)}


def _apply_greeks(row: _Row, greeks: dict[str, float]) -> None:
    row.delta = greeks.get("delta", math.nan)
    row.gamma = greeks.get("gamma", math.nan)
    row.vega = greeks.get("vega", math.nan) * 100.0
    row.theta = greeks.get("theta", math.nan) * 365.0


def load_schepal_csv(path: Path) -> list[OptionChain]:
    """One chain per underlying from a schepal/deribit_data_collector snapshot CSV.

    The chain's time is the last row's ``timestamp`` (the snapshot took about 2.5 minutes)
    and its spot the median ``index_price``; each row keeps its own forward
    (``underlying_price``).

    Raises
    ------
    DataError
        Naming the file, the row and the column for a missing file, a missing column or a
        value that is not a number.
    """
    where = str(path)
    if not path.is_file():
        raise DataError(where, "no such file")
    rows: list[_Row] = []
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            missing = [c for c in SCHEPAL_COLUMNS if c not in header]
            if missing:
                raise DataError(
                    where, f"not a Deribit chain snapshot: missing column(s) {', '.join(missing)}"
                )
            for line, rec in enumerate(reader, start=2):
                rows.append(_schepal_row(where, line, rec))
    except UnicodeDecodeError as exc:
        raise DataError(where, f"not a text CSV file ({exc.reason})") from None
    if not rows:
        raise DataError(where, "holds no option rows")
    return _chains(where, rows)


def _schepal_row(where: str, line: int, rec: dict[str, str]) -> _Row:
    name = rec["instrument_name"] or ""
    parsed = parse_instrument_name(name)
    if parsed is None:
        raise DataError(where, f"'{name}' is not an option name", row=line, field="instrument_name")
    asset, _, _, is_call = parsed

    def num(col: str) -> float:
        text = (rec.get(col) or "").strip()
        try:
            return float(text) if text else math.nan
        except ValueError:
            raise DataError(where, f"'{text}' is not a number", row=line, field=col) from None

    row = _Row(
        asset=asset,
        expiry_ns=int(num("expiration_timestamp")) * _MS_TO_NS,
        strike=num("strike"),
        is_call=is_call,
        forward=num("underlying_price"),
        index=num("index_price"),
        mark=num("mark_price"),
        iv=num("mark_iv") / 100.0,
        bid=_quote(num("best_bid_price")),
        ask=_quote(num("best_ask_price")),
        ts_ns=int(num("timestamp")) * _MS_TO_NS,
        open_interest=num("open_interest") if "open_interest" in rec else math.nan,
    )
    if not (row.strike > 0 and row.forward > 0 and row.index > 0 and row.expiry_ns > 0):
        raise DataError(where, "strike, prices and expiry must be positive", row=line)
    try:
        _apply_greeks(row, _greeks(rec.get("greeks") or ""))
    except (ValueError, SyntaxError):
        raise DataError(where, "greeks are not a dict", row=line, field="greeks") from None
    return row


def load_deribit_tickers(path: Path) -> list[OptionChain]:
    """Chains from Deribit option ticker payloads, one JSON object per line.

    The last ticker of each instrument is kept; lines that are not option tickers
    (subscription replies, book or trade messages, perpetuals) are skipped.

    Raises
    ------
    DataError
        For a missing file, a line that is not JSON, or a file without any option ticker.
    """
    where = str(path)
    if not path.is_file():
        raise DataError(where, "no such file")
    latest: dict[str, _Row] = {}
    try:
        with path.open(encoding="utf-8") as fh:
            for line, text in enumerate(fh, start=1):
                if not text.strip():
                    continue
                try:
                    message = json.loads(text)
                except json.JSONDecodeError:
                    raise DataError(where, "not a JSON line", row=line) from None
                for ticker in _tickers(message):
                    row = _ticker_row(ticker)
                    if row is not None:
                        name = str(ticker["instrument_name"])
                        if name not in latest or latest[name].ts_ns <= row.ts_ns:
                            latest[name] = row
    except UnicodeDecodeError as exc:
        raise DataError(where, f"not a text file ({exc.reason})") from None
    if not latest:
        raise DataError(where, "holds no Deribit option ticker (instrument_name, mark_price, ...)")
    return _chains(where, list(latest.values()))


def _tickers(message: Any) -> Iterator[dict[str, Any]]:
    """Ticker dicts in one message, whichever wrapper it came in."""
    if not isinstance(message, dict):
        return
    if "instrument_name" in message and "mark_price" in message:
        yield message
        return
    for key in ("data", "params", "result"):
        inner = message.get(key)
        if isinstance(inner, dict):
            yield from _tickers(inner)
        elif isinstance(inner, list):
            for item in inner:
                yield from _tickers(item)


def _ticker_row(t: dict[str, Any]) -> _Row | None:
    parsed = parse_instrument_name(str(t.get("instrument_name", "")))
    if parsed is None:
        return None
    asset, expiry_ns, strike, is_call = parsed
    try:
        row = _Row(
            asset=asset,
            expiry_ns=expiry_ns,
            strike=strike,
            is_call=is_call,
            forward=float(t["underlying_price"]),
            index=float(t["index_price"]),
            mark=float(t["mark_price"]),
            iv=float(t.get("mark_iv", math.nan)) / 100.0,
            bid=_quote(float(t.get("best_bid_price") or 0.0)),
            ask=_quote(float(t.get("best_ask_price") or 0.0)),
            ts_ns=int(t["timestamp"]) * _MS_TO_NS,
            open_interest=float(t.get("open_interest", math.nan)),
        )
    except (KeyError, TypeError, ValueError):
        return None
    _apply_greeks(row, _greeks(t.get("greeks", {})))
    return row


def _chains(where: str, rows: Iterable[_Row]) -> list[OptionChain]:
    by_asset: dict[str, list[_Row]] = {}
    for row in rows:
        by_asset.setdefault(row.asset, []).append(row)
    chains = []
    for asset, items in sorted(by_asset.items()):

        def col(name: str, items: list[_Row] = items) -> np.ndarray:
            return np.array([getattr(r, name) for r in items])

        chains.append(
            OptionChain.build(
                spec_for(asset),
                int(max(r.ts_ns for r in items)),
                float(np.median(col("index"))),
                col("expiry_ns").astype(np.int64),
                col("strike").astype(np.float64),
                col("is_call").astype(np.bool_),
                forward=col("forward"),
                bid=col("bid"),
                ask=col("ask"),
                mark=col("mark"),
                iv=col("iv"),
                delta=col("delta"),
                gamma=col("gamma"),
                vega=col("vega"),
                theta=col("theta"),
                open_interest=col("open_interest"),
            )
        )
    if not chains:  # pragma: no cover - callers check for rows first
        raise DataError(where, "holds no option rows")
    return chains


def load_snapshot(path: Path) -> list[OptionChain]:
    """Chains from a snapshot file: ``.csv`` is schepal's format, ``.json``/``.jsonl`` tickers.

    Raises
    ------
    DataError
        For a missing file, an unknown suffix, or what the format's loader rejects.
    """
    name = path.name.lower()
    if name.endswith(".csv"):
        return load_schepal_csv(path)
    if name.endswith((".jsonl", ".json", ".ndjson")):
        return load_deribit_tickers(path)
    if not path.exists():
        raise DataError(str(path), "no such file")
    raise DataError(
        str(path), "unknown snapshot format: give a schepal .csv or Deribit tickers .jsonl"
    )


__all__ = [
    "SCHEPAL_COLUMNS",
    "load_deribit_tickers",
    "load_schepal_csv",
    "load_snapshot",
    "parse_instrument_name",
]
