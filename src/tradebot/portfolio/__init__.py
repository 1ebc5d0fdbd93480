"""Positions, P&L and valuation of the account."""

from tradebot.portfolio.portfolio import Portfolio

__all__ = ["Portfolio"]
