"""Column types shared by every table.

Money, prices and quantities (:class:`Amount`)
    PostgreSQL stores them as ``NUMERIC(38, 18)``: exact, so sums and comparisons in SQL are
    exact, and 20 integer digits with 18 decimals hold any price, balance or quantity a venue
    reports (satoshis are 1e-8, Ethereum's wei 1e-18). SQLite has no decimal type: it would
    either keep them as text (exact, but ``ORDER BY`` and ``SUM`` then work on strings) or as an
    IEEE double. The engine computes in doubles, so a double stores exactly what it computed,
    bit for bit, and keeps SQL arithmetic numeric; we take that. Both backends hand back the
    same :class:`~decimal.Decimal`: the value's shortest decimal form, rounded to 18 decimals.
    Values of 1e20 or more, NaN and infinities are refused before they reach the database.

Timestamps
    Plain ``BIGINT`` UTC nanoseconds, the unit the whole domain uses (``ts_event``,
    ``ts_init``): exact, zone-free, and sortable; readable in SQL with
    ``to_timestamp(ts / 1e9)`` (PostgreSQL) or ``datetime(ts / 1e9, 'unixepoch')`` (SQLite).

JSON
    ``JSONB`` on PostgreSQL, ``JSON`` (text) on SQLite. NaN and infinities, which JSON lacks,
    become null.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, Integer, Numeric
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

SCALE = 18
"""Decimal places kept for every amount."""
LIMIT = Decimal(10) ** (38 - SCALE)
"""Amounts must be smaller than this in magnitude (NUMERIC(38, 18) has 20 integer digits)."""

_QUANTUM = Decimal(1).scaleb(-SCALE)
_CONTEXT = Context(prec=38, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation])
_ONE = Decimal(1)


def to_decimal(value: Decimal | float | int) -> Decimal:
    """Convert ``value`` to the exact decimal both backends store.

    A float is read through its shortest repr (``0.1`` gives ``Decimal('0.1')``, not the
    binary expansion), then rounded to 18 decimals.

    Raises
    ------
    ValueError
        If the value is NaN, infinite, or 1e20 or more in magnitude.
    """
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite() or abs(number) >= LIMIT:
        raise ValueError(f"amount {value!r} cannot be stored: it must be finite and below 1e20")
    rounded = number.quantize(_QUANTUM, context=_CONTEXT)
    if rounded == rounded.to_integral_value():
        return rounded.quantize(_ONE)
    return rounded.normalize(_CONTEXT)


class Amount(TypeDecorator[Decimal]):
    """Money, price or quantity: ``NUMERIC(38, 18)`` on PostgreSQL, ``REAL`` on SQLite.

    Accepts ``float``, ``int`` or ``Decimal``; always returns ``Decimal``.
    """

    impl = Numeric(38, SCALE)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Float())
        return dialect.type_descriptor(Numeric(38, SCALE, asdecimal=True))

    def process_bind_param(
        self, value: Decimal | float | int | None, dialect: Dialect
    ) -> Decimal | float | None:
        if value is None:
            return None
        number = to_decimal(value)
        return float(number) if dialect.name == "sqlite" else number

    def process_result_value(self, value: Any | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return to_decimal(value)


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


class Json(TypeDecorator[Any]):
    """JSON document: ``JSONB`` on PostgreSQL, ``JSON`` on SQLite; NaN and inf become null."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())

    def process_bind_param(self, value: Any | None, dialect: Dialect) -> Any:
        return None if value is None else _clean(value)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> Any:
        return value


RowId = BigInteger().with_variant(Integer(), "sqlite")
"""Surrogate primary key: ``BIGINT`` identity on PostgreSQL; on SQLite it must be spelled
``INTEGER PRIMARY KEY`` to become the auto-incrementing rowid."""

__all__ = ["LIMIT", "SCALE", "Amount", "Json", "RowId", "to_decimal"]
