"""Give strategies that trade options an option market on the command line.

A strategy names the underlyings it trades options on (:meth:`Strategy.option_assets`); a
backtest or paper session then lists synthetic options on those assets, priced from the bars
of the data's instrument on the same asset, with the IV model from ``--iv-multiplier`` and a
``--skew`` file written by ``tradebot calibrate``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec

from tradebot.errors import ConfigError
from tradebot.model.instruments import Instrument, Option
from tradebot.options.market import OptionMarket
from tradebot.options.recorded import RecordedOptionMarket, load_snapshot
from tradebot.options.synthetic import IVModel, SyntheticMarketConfig, SyntheticOptionMarket
from tradebot.options.synthetic.params_file import read_iv_model, with_multiplier
from tradebot.strategies.base import Strategy


def option_assets(strategies: Sequence[Strategy[Any]]) -> tuple[str, ...]:
    """Every asset some strategy trades options on, in first-seen order."""
    seen: dict[str, None] = {}
    for strategy in strategies:
        for asset in strategy.option_assets():
            seen.setdefault(asset, None)
    return tuple(seen)


def adopt_data_asset(
    strategies: Sequence[Strategy[Any]],
    instruments: Sequence[Instrument],
    params: dict[str, Any],
    raw_params: Sequence[str] | None,
) -> None:
    """Let an options strategy left at its default ``asset`` trade the data's one underlying.

    ``--dataset eth_usd_1d --strategy covered_call`` then sells ETH calls without also saying
    ``--param asset=ETH``. An ``asset`` given with ``--param`` is never changed; ``params``
    (what the report shows) follows the change.
    """
    if any(
        item.partition("=")[0].strip().rpartition(".")[2] == "asset" for item in raw_params or ()
    ):
        return
    bases = {i.base for i in instruments if not isinstance(i, Option)}
    if len(bases) != 1:
        return
    (base,) = bases
    for strategy in strategies:
        own = strategy.params
        if not strategy.option_assets() or base in strategy.option_assets():
            continue
        if "asset" not in getattr(own, "__struct_fields__", ()):
            continue
        strategy.params = msgspec.structs.replace(own, asset=base)
        strategy.params.validate()
        section = params.get(strategy.name) if len(strategies) > 1 else params
        if isinstance(section, dict) and "asset" in section:
            section["asset"] = base


def build_option_market(
    strategies: Sequence[Strategy[Any]],
    instruments: Sequence[Instrument],
    *,
    iv_multiplier: float | None = None,
    skew: Path | None = None,
    snapshots: Sequence[Path] = (),
) -> OptionMarket | None:
    """A synthetic option market for the strategies that need one (None when none do).

    With ``snapshots`` (``--option-snapshot``, real chains), orders fill at those real quotes
    while a snapshot is fresh and at the synthetic chain everywhere else.

    Raises
    ------
    ConfigError
        When ``--iv-multiplier`` is not a positive number, or the data holds no instrument on
        an asset a strategy trades options on.
    DataError
        When the ``--skew`` file cannot be read.
    """
    if iv_multiplier is not None and not (iv_multiplier > 0 and math.isfinite(iv_multiplier)):
        raise ConfigError(f"--iv-multiplier was {iv_multiplier}; it must be a number above 0")
    assets = option_assets(strategies)
    if not assets:
        return None
    bases = [i.base for i in instruments if not isinstance(i, Option)]
    for asset in assets:
        if asset not in bases:
            names = ", ".join(str(i.id) for i in instruments) or "nothing"
            raise ConfigError(
                f"a strategy trades {asset} options but the data has no {asset} instrument to "
                f"price them from (it has {names})"
            )
    model = read_iv_model(skew) if skew is not None else IVModel()
    if iv_multiplier is not None:
        model = with_multiplier(model, iv_multiplier)
    synthetic = SyntheticOptionMarket(assets, SyntheticMarketConfig(iv=model))
    if not snapshots:
        return synthetic
    chains = [chain for path in snapshots for chain in load_snapshot(path)]
    return RecordedOptionMarket(chains, synthetic)


__all__ = ["adopt_data_asset", "build_option_market", "option_assets"]
