"""Event bus, clocks, the trading engine and its runners."""

from tradebot.engine.bus import MessageBus
from tradebot.engine.clock import Clock, SimulatedClock, WallClock
from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import build_paper_engine, run_events, run_replay
from tradebot.engine.trading_engine import TradingEngine

__all__ = [
    "Clock",
    "MessageBus",
    "SessionConfig",
    "SimulatedClock",
    "TradingEngine",
    "WallClock",
    "build_paper_engine",
    "run_events",
    "run_replay",
]
