"""The fitted-parameter file and how the command line gives options strategies a market."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fixtures.factories import spot
from tradebot.app.option_market import build_option_market, option_assets
from tradebot.errors import ConfigError, DataError
from tradebot.options.synthetic import IVModel, SkewModel, SyntheticOptionMarket
from tradebot.options.synthetic.params_file import read_iv_model, write_iv_model
from tradebot.strategies.options.momentum_option import (
    MomentumOptionParams,
    MomentumOptionStrategy,
)
from tradebot.strategies.technical.sma_cross import SmaCross


def test_params_file_round_trip(tmp_path: Path) -> None:
    model = IVModel(multiplier=1.2, floor=0.3, skew=SkewModel(a=-0.1, b=0.05, term=0.2))
    path = tmp_path / "p.json"
    write_iv_model(path, model, fit={"note": "x"})
    assert read_iv_model(path) == model
    assert json.loads(path.read_text())["fit"] == {"note": "x"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not a JSON file"),
        ("[]", "expected a JSON object"),
        ('{"skew": {}}', "'iv_multiplier' is missing"),
        ('{"iv_multiplier": "high"}', "'iv_multiplier' must be a finite number"),
        ('{"iv_multiplier": -1}', "iv multiplier must be a positive number"),
        ('{"iv_multiplier": 1, "skew": {"lo": 2}}', "skew clip"),
    ],
)
def test_bad_params_files_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(DataError) as info:
        read_iv_model(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_strategies_say_which_options_they_trade() -> None:
    mo = MomentumOptionStrategy(MomentumOptionParams(asset="ETH"))
    assert mo.option_assets() == ("ETH",)
    assert SmaCross().option_assets() == ()
    assert option_assets([SmaCross(), mo, MomentumOptionStrategy()]) == ("ETH", "BTC")


def test_build_option_market(tmp_path: Path) -> None:
    btc = spot("BTC/USD")
    assert build_option_market([SmaCross()], [btc]) is None
    path = tmp_path / "p.json"
    write_iv_model(path, IVModel(multiplier=1.3, skew=SkewModel(b=0.1)))
    market = build_option_market([MomentumOptionStrategy()], [btc], iv_multiplier=1.1, skew=path)
    assert isinstance(market, SyntheticOptionMarket)
    assert market.underlyings() == ("BTC",)
    assert market.config.iv.multiplier == 1.1  # the flag wins over the file
    assert market.config.iv.skew.b == 0.1
    assert np.isclose(market.config.rate, 0.0)
    with pytest.raises(ConfigError, match="no ETH instrument"):
        build_option_market([MomentumOptionStrategy(MomentumOptionParams(asset="ETH"))], [btc])
    with pytest.raises(ConfigError, match="--iv-multiplier"):
        build_option_market([MomentumOptionStrategy()], [btc], iv_multiplier=0.0)
