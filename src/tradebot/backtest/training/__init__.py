"""Training data from covered-call backtests (seed 003): candidate CSV and chat JSONL."""

from tradebot.backtest.training.dataset import COLUMNS, candidate_rows, read_csv, write_csv
from tradebot.backtest.training.llm import (
    EXIT_STYLES,
    per_candidate,
    per_decision_ranking,
    write_llm_files,
)
from tradebot.backtest.training.outcomes import Outcome, OutcomeTracker
from tradebot.backtest.training.run import (
    TrainingRun,
    build_engine,
    run_training,
    training_strategies,
)

__all__ = [
    "COLUMNS",
    "EXIT_STYLES",
    "Outcome",
    "OutcomeTracker",
    "TrainingRun",
    "build_engine",
    "candidate_rows",
    "per_candidate",
    "per_decision_ranking",
    "read_csv",
    "run_training",
    "training_strategies",
    "write_csv",
    "write_llm_files",
]
