"""Named parameter sets of ``covered_call`` (seed 003): presets and training profiles.

Presets (``--preset NAME``)
---------------------------
=====================  ===========  ==========  ==========
parameter              ULTRA_SAFE   BALANCED    AGGRESSIVE
=====================  ===========  ==========  ==========
dte_min / dte_max      7 / 21       3 / 14      1 / 10
target_dte             14           7           5
delta_min / delta_max  0.05 / 0.15  0.10 / 0.30  0.20 / 0.45
target_delta           0.10         0.20        0.35
target_yield           0.10         0.20        0.35
min_ivrv               1.00         0.90        0.00
min_score              2.00         1.50        1.00
take_profit            0.50         0.70        0.80
roll_hours             48           24          12
roll_delta             0.35         0.55        0.70
=====================  ===========  ==========  ==========

* **ULTRA_SAFE**: far out of the money (|delta| 0.05-0.15), two to three weeks out, sold only
  when implied vol is at least realised vol and the score is high; banks half the
  premium early and rolls as soon as |delta| passes 0.35 or it is in the money two days before
  expiry. Few trades, little premium, the coin is rarely called away.
* **BALANCED**: |delta| 0.10-0.30 around 0.20, about a week out, IV/RV at least 0.9; buys back
  at 30 % of the premium, rolls above |delta| 0.55 or in the money a day before expiry.
* **AGGRESSIVE**: |delta| 0.20-0.45 around 0.35, one to ten days, no IV/RV floor, low score
  threshold; holds for 80 % of the premium and rolls late (|delta| 0.70, 12 h). Most premium,
  most often called away.
* **CUSTOM**: BALANCED with the user's ``--param`` overrides.

The score weights (``w_yield`` 1, ``w_delta`` 1, ``w_ivrv`` 0.5, ``w_dte`` 0.5), the decision
interval (24 h) and the realised-vol window (30 days) are the same in every preset.

Training profiles (``export-training --training-mode``)
-------------------------------------------------------
``conservative``, ``moderate`` and ``aggressive`` run side by side in one account, each with a
third of it (``underlying_fraction`` 1/3): ULTRA_SAFE, BALANCED and AGGRESSIVE respectively,
with ``min_score`` lowered by 0.5 so that each profile trades more often and the dataset sees
more outcomes.
"""

from __future__ import annotations

from typing import Any

from tradebot.errors import ConfigError

_COMMON: dict[str, Any] = {
    "w_yield": 1.0,
    "w_delta": 1.0,
    "w_ivrv": 0.5,
    "w_dte": 0.5,
    "decision_every_hours": 24.0,
    "rv_days": 30.0,
}

PRESETS: dict[str, dict[str, Any]] = {
    "ULTRA_SAFE": {
        **_COMMON,
        "dte_min": 7.0,
        "dte_max": 21.0,
        "target_dte": 14.0,
        "delta_min": 0.05,
        "delta_max": 0.15,
        "target_delta": 0.10,
        "target_yield": 0.10,
        "min_ivrv": 1.00,
        "min_score": 2.0,
        "take_profit": 0.50,
        "roll_hours": 48.0,
        "roll_delta": 0.35,
    },
    "BALANCED": {
        **_COMMON,
        "dte_min": 3.0,
        "dte_max": 14.0,
        "target_dte": 7.0,
        "delta_min": 0.10,
        "delta_max": 0.30,
        "target_delta": 0.20,
        "target_yield": 0.20,
        "min_ivrv": 0.90,
        "min_score": 1.5,
        "take_profit": 0.70,
        "roll_hours": 24.0,
        "roll_delta": 0.55,
    },
    "AGGRESSIVE": {
        **_COMMON,
        "dte_min": 1.0,
        "dte_max": 10.0,
        "target_dte": 5.0,
        "delta_min": 0.20,
        "delta_max": 0.45,
        "target_delta": 0.35,
        "target_yield": 0.35,
        "min_ivrv": 0.0,
        "min_score": 1.0,
        "take_profit": 0.80,
        "roll_hours": 12.0,
        "roll_delta": 0.70,
    },
}
"""Fixed presets: every value a preset sets (the rest keep the parameters' defaults)."""

CUSTOM = "CUSTOM"
PRESET_NAMES = (*PRESETS, CUSTOM)

TRAINING_PROFILES: dict[str, dict[str, Any]] = {
    profile: {
        **PRESETS[preset],
        "min_score": PRESETS[preset]["min_score"] - 0.5,
        "underlying_fraction": 1.0 / 3.0,
        "preset": CUSTOM,
    }
    for profile, preset in (
        ("conservative", "ULTRA_SAFE"),
        ("moderate", "BALANCED"),
        ("aggressive", "AGGRESSIVE"),
    )
}
"""Training-mode profiles: parameter values of each ``covered_call`` instance."""


def preset_values(name: str) -> dict[str, Any]:
    """The values ``name`` sets (CUSTOM: BALANCED's), labelled with the preset.

    Raises
    ------
    ConfigError
        Naming the preset and the ones that exist.
    """
    key = name.strip().upper()
    if key not in PRESET_NAMES:
        raise ConfigError(f"--preset was '{name}'; it must be one of {', '.join(PRESET_NAMES)}")
    base = PRESETS["BALANCED" if key == CUSTOM else key]
    return {**base, "preset": key}


def apply_preset(strategy: str, preset: str | None, params: list[str] | None) -> list[str]:
    """``--param`` items with ``--preset``'s values first, for ``covered_call`` runs.

    A fixed preset takes no overrides (use CUSTOM for that); with several strategies the
    values go to ``covered_call.KEY``.

    Raises
    ------
    ConfigError
        For an unknown preset, a strategy list without ``covered_call``, or overrides of a
        fixed preset.
    """
    items = list(params or [])
    if preset is None:
        return items
    names = [n.strip() for n in strategy.split(",")]
    if "covered_call" not in names:
        raise ConfigError(
            f"--preset applies to the covered_call strategy; --strategy was '{strategy}'"
        )
    values = preset_values(preset)
    prefix = "" if len(names) == 1 else "covered_call."
    own = [p for p in items if p.partition("=")[0].strip().removeprefix(prefix) in values]
    if own and values["preset"] != CUSTOM:
        raise ConfigError(
            f"--preset {values['preset']} is a fixed set; use --preset CUSTOM to change "
            f"{', '.join(p.partition('=')[0] for p in own)}"
        )
    return [f"{prefix}{k}={v}" for k, v in values.items()] + items


__all__ = [
    "CUSTOM",
    "PRESETS",
    "PRESET_NAMES",
    "TRAINING_PROFILES",
    "apply_preset",
    "preset_values",
]
