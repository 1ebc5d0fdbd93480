"""Risk limits of an account, with the seeds' defaults."""

from __future__ import annotations

import msgspec


class RiskLimits(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Every pre-trade limit and circuit breaker; fractions are of net liquidation value (NLV).

    Parameters
    ----------
    max_risk_per_trade : float
        Loss at the stop (or option premium paid) per trade (default 0.01).
    max_position : float
        Largest position in one instrument, by value (default 0.20).
    min_position : float
        Smallest new order worth sending, by value (default 0.01).
    max_symbol_exposure : float
        All positions on one underlying together, by value (default 0.20).
    max_open_positions : int
        Instruments with an open position at once (default 10).
    max_daily_trades : int
        Opening orders per UTC day (default 20).
    max_leverage : float
        Gross exposure over NLV (default 5).
    margin_buffer : float
        Share of margin equity kept free when adding initial margin (default 0.10).
    daily_loss_limit : float
        Loss since the UTC day began that stops new positions until the next day (default 0.04).
    flatten_on_daily_loss : bool
        Also close every position when the daily loss limit is hit (default False).
    symbol_daily_loss : float
        Loss on one underlying in a UTC day that stops new positions on it (default 0.02).
    position_loss_limit : float
        Unrealized loss of one position that closes it (level 1 breaker, default 0.03).
    drawdown_close_only : float
        Drawdown from the equity peak that allows only closing orders (default 0.15).
    drawdown_pause : float
        Drawdown that pauses trading until a person resumes it (default 0.20).
    option_expiry_cutoff_minutes : float
        No new option positions this close to expiry (default 15).
    max_net_delta, max_net_gamma, max_net_vega : float | None
        Portfolio greek limits in underlying units (default None: no limit).
    stale_after_seconds : float
        Market data older than this (beyond its bar interval) on a traded symbol puts the
        account in safe mode: only closing orders (default 5).
    vol_scaling : bool
        Scale opening sizes down in high realised volatility (default True).
    """

    max_risk_per_trade: float = 0.01
    max_position: float = 0.20
    min_position: float = 0.01
    max_symbol_exposure: float = 0.20
    max_open_positions: int = 10
    max_daily_trades: int = 20
    max_leverage: float = 5.0
    margin_buffer: float = 0.10
    daily_loss_limit: float = 0.04
    flatten_on_daily_loss: bool = False
    symbol_daily_loss: float = 0.02
    position_loss_limit: float = 0.03
    drawdown_close_only: float = 0.15
    drawdown_pause: float = 0.20
    option_expiry_cutoff_minutes: float = 15.0
    max_net_delta: float | None = None
    max_net_gamma: float | None = None
    max_net_vega: float | None = None
    stale_after_seconds: float = 5.0
    vol_scaling: bool = True

    @classmethod
    def off(cls) -> RiskLimits:
        """No limits at all: for research runs that must size exactly as asked."""
        big = 1e18
        return cls(
            max_risk_per_trade=big,
            max_position=big,
            min_position=0.0,
            max_symbol_exposure=big,
            max_open_positions=2**62,
            max_daily_trades=2**62,
            max_leverage=big,
            margin_buffer=0.0,
            daily_loss_limit=big,
            symbol_daily_loss=big,
            position_loss_limit=big,
            drawdown_close_only=big,
            drawdown_pause=big,
            option_expiry_cutoff_minutes=0.0,
            stale_after_seconds=big,
            vol_scaling=False,
        )

    def validate(self) -> None:
        """Raise ``ValueError`` naming the limit that does not make sense."""
        for name in (
            "max_risk_per_trade",
            "max_position",
            "max_symbol_exposure",
            "max_leverage",
            "daily_loss_limit",
            "symbol_daily_loss",
            "position_loss_limit",
            "drawdown_close_only",
            "drawdown_pause",
            "stale_after_seconds",
        ):
            if not getattr(self, name) > 0:
                raise ValueError(f"risk limit '{name}' was {getattr(self, name)}; it must be > 0")
        if not 0 <= self.min_position <= self.max_position:
            raise ValueError("risk limit 'min_position' must be between 0 and 'max_position'")
        if not 0 <= self.margin_buffer < 1:
            raise ValueError("risk limit 'margin_buffer' must be in [0, 1)")
        if self.max_open_positions < 1 or self.max_daily_trades < 1:
            raise ValueError("risk limits 'max_open_positions' and 'max_daily_trades' must be ≥ 1")
        if self.drawdown_close_only > self.drawdown_pause:
            raise ValueError("risk limit 'drawdown_close_only' must not exceed 'drawdown_pause'")
        if self.option_expiry_cutoff_minutes < 0:
            raise ValueError("risk limit 'option_expiry_cutoff_minutes' must be ≥ 0")


__all__ = ["RiskLimits"]
