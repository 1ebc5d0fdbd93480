"""covered_call (seed 003): the one scorer, the candidate filter, the exit rule, the presets and
the parameter checks. Expected numbers are worked out by hand here from the documented
formulas."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from tradebot.errors import ConfigError
from tradebot.options.chain import OptionChain
from tradebot.options.contract import OptionSpec
from tradebot.strategies.options.covered_call import CoveredCallParams
from tradebot.strategies.options.covered_call_presets import (
    PRESETS,
    TRAINING_PROFILES,
    apply_preset,
    preset_values,
)
from tradebot.strategies.options.covered_call_scoring import (
    ScoreSettings,
    candidates,
    exit_reason,
    score,
)
from tradebot.strategies.registry import get, parse_params

DAY = 86_400 * 10**9
T0 = 1_600_000_000 // 86_400 * 86_400 * 10**9
SETTINGS = ScoreSettings(
    dte_min=3,
    dte_max=14,
    delta_min=0.10,
    delta_max=0.30,
    target_delta=0.20,
    target_dte=7,
    target_yield=0.20,
    w_yield=1.0,
    w_delta=1.0,
    w_ivrv=0.5,
    w_dte=0.5,
)


def test_scores_of_three_candidates_by_hand_and_their_ranking() -> None:
    # A: Y = 0.30/0.20 = 1.5, D = 1, V = 0.2, T = 1        -> 1.5 + 1 + 0.1 + 0.5 = 3.1
    # B: Y = min(2.5, 2) = 2, D = 1 - 0.1/0.2 = 0.5, V = -0.1, T = 1 - 7/11
    # C: Y = 0.5, D = 1 - 0.05/0.2 = 0.75, V = 0.5, T = 1 - 2/11
    expected = {
        "A": 3.1,
        "B": 2.0 + 0.5 - 0.05 + 0.5 * (1 - 7 / 11),
        "C": 0.5 + 0.75 + 0.25 + 0.5 * (1 - 2 / 11),
    }
    features = {
        "A": (0.30, 0.20, 1.2, 7.0),
        "B": (0.50, 0.30, 0.9, 14.0),
        "C": (0.10, 0.15, 1.5, 5.0),
    }
    got = {k: score(*f, SETTINGS) for k, f in features.items()}
    for k in expected:
        assert got[k] == pytest.approx(expected[k], abs=1e-12)
    assert sorted(got, key=got.__getitem__, reverse=True) == ["A", "B", "C"]
    # The same function on arrays gives the same numbers.
    cols = [np.array([features[k][i] for k in "ABC"]) for i in range(4)]
    assert np.allclose(score(*cols, SETTINGS), [expected[k] for k in "ABC"], atol=1e-12)


def test_far_from_the_targets_the_closeness_terms_stop_at_zero() -> None:
    # |delta - 0.2| = 0.5 > width 0.2 and |dte - 7| = 30 > width 11: only Y and V count.
    assert score(0.2, 0.7, 1.0, 37.0, SETTINGS) == pytest.approx(1.0)


def _chain() -> OptionChain:
    spec = OptionSpec(venue="T")
    # rows: (days, strike, call, bid, delta, iv)
    table = [
        (7, 11_000.0, True, 0.010, 0.20, 0.60),  # kept
        (7, 12_000.0, True, 0.004, 0.09, 0.65),  # delta below 0.10
        (7, 10_500.0, True, 0.020, 0.35, 0.55),  # delta above 0.30
        (2, 11_000.0, True, 0.003, 0.15, 0.60),  # 2 days < dte_min
        (10, 11_000.0, True, 0.0, 0.25, 0.60),  # no bid
        (10, 11_500.0, True, 0.012, 0.18, 0.70),  # kept
        (7, 9_000.0, False, 0.010, -0.20, 0.60),  # a put
    ]
    return OptionChain.build(
        spec,
        T0,
        10_000.0,
        [T0 + d * DAY for d, *_ in table],
        [r[1] for r in table],
        [r[2] for r in table],
        bid=[r[3] for r in table],
        ask=[r[3] + 0.001 for r in table],
        mark=[r[3] + 0.0005 for r in table],
        delta=[r[4] for r in table],
        iv=[r[5] for r in table],
    )


def test_candidates_are_the_calls_inside_the_ranges_with_their_features() -> None:
    found = candidates(_chain(), 0.5, SETTINGS)
    assert len(found) == 2
    strikes = found.chain.strike[found.rows]
    assert list(strikes) == [11_000.0, 11_500.0]
    assert list(found.dte) == [7.0, 10.0]
    # Inverse options: the bid in BTC is the premium per BTC covered.
    assert list(found.yield_) == [0.010, 0.012]
    assert found.yield_ann == pytest.approx([0.010 * 365 / 7, 0.012 * 365 / 10])
    assert found.premium_usd == pytest.approx([100.0, 120.0])
    assert found.ivrv == pytest.approx([0.6 / 0.5, 0.7 / 0.5])
    assert found.moneyness == pytest.approx([0.10, 0.15])
    by_hand = [
        min(0.010 * 365 / 7 / 0.2, 2) + 1.0 + 0.5 * 0.2 + 0.5 * 1.0,
        min(0.012 * 365 / 10 / 0.2, 2) + (1 - 0.02 / 0.2) + 0.5 * 0.4 + 0.5 * (1 - 3 / 11),
    ]
    assert found.score == pytest.approx(by_hand)
    assert found.best(0.0, 0.0) == int(np.argmax(by_hand))
    assert found.best(10.0, 0.0) is None
    assert found.best(0.0, 1.3) == 1  # only the 11,500 call has IV/RV >= 1.3


def test_unknown_realised_vol_fails_a_positive_ivrv_floor_and_scores_v_as_zero() -> None:
    found = candidates(_chain(), math.nan, SETTINGS)
    assert np.isnan(found.ivrv).all()
    assert found.best(0.0, 0.5) is None
    assert found.best(0.0, 0.0) is not None
    assert found.score[0] == pytest.approx(min(0.010 * 365 / 7 / 0.2, 2) + 1.0 + 0.5)


RULE = {"take_profit": 0.7, "roll_hours": 24.0, "roll_delta": 0.55}


def test_take_profit_when_the_buy_back_costs_at_most_the_kept_share_of_the_premium() -> None:
    common = {
        "premium": 0.01,
        "spot": 10_000.0,
        "strike": 11_000.0,
        "hours_left": 100.0,
        "delta": 0.1,
    }
    assert exit_reason(ask=0.003, **common, **RULE) == "take_profit"  # 0.3 x 0.01
    assert exit_reason(ask=0.0031, **common, **RULE) is None


def test_roll_near_expiry_in_the_money_or_past_the_delta_cap() -> None:
    common = {"ask": 0.02, "premium": 0.01, "strike": 11_000.0, **RULE}
    assert exit_reason(spot=11_100.0, hours_left=24.0, delta=0.5, **common) == "roll"
    assert exit_reason(spot=10_900.0, hours_left=24.0, delta=0.5, **common) is None
    assert exit_reason(spot=11_100.0, hours_left=25.0, delta=0.5, **common) is None
    assert exit_reason(spot=10_900.0, hours_left=90.0, delta=0.56, **common) == "roll"


def test_presets_differ_as_documented() -> None:
    safe, bal, agg = (PRESETS[n] for n in ("ULTRA_SAFE", "BALANCED", "AGGRESSIVE"))
    assert (safe["delta_min"], safe["delta_max"], safe["target_delta"]) == (0.05, 0.15, 0.10)
    assert (bal["delta_min"], bal["delta_max"], bal["target_delta"]) == (0.10, 0.30, 0.20)
    assert (agg["delta_min"], agg["delta_max"], agg["target_delta"]) == (0.20, 0.45, 0.35)
    assert (safe["dte_min"], safe["dte_max"]) == (7.0, 21.0)
    assert (bal["dte_min"], bal["dte_max"]) == (3.0, 14.0)
    assert (agg["dte_min"], agg["dte_max"]) == (1.0, 10.0)
    for key in ("min_ivrv", "min_score", "roll_hours"):
        assert safe[key] > bal[key] > agg[key], key
    for key in ("take_profit", "roll_delta", "target_yield"):
        assert safe[key] < bal[key] < agg[key], key
    for name in PRESETS:
        CoveredCallParams(**preset_values(name)).validate()
    # The class defaults are BALANCED's values.
    defaults = CoveredCallParams()
    assert all(getattr(defaults, k) == v for k, v in bal.items())


def test_custom_is_balanced_with_the_overrides() -> None:
    items = apply_preset("covered_call", "custom", ["take_profit=0.5", "asset=ETH"])
    params = parse_params(get("covered_call"), dict(i.split("=", 1) for i in items))
    assert params.preset == "CUSTOM"  # type: ignore[attr-defined]
    assert params.take_profit == 0.5  # type: ignore[attr-defined]
    assert params.asset == "ETH"  # type: ignore[attr-defined]
    for key, value in PRESETS["BALANCED"].items():
        if key != "take_profit":
            assert getattr(params, key) == value


def test_a_fixed_preset_takes_no_overrides_and_unknown_presets_are_named() -> None:
    with pytest.raises(ConfigError, match=r"--preset ULTRA_SAFE is a fixed set.*take_profit"):
        apply_preset("covered_call", "ULTRA_SAFE", ["take_profit=0.5"])
    with pytest.raises(ConfigError, match="--preset was 'SAFE'; it must be one of ULTRA_SAFE"):
        apply_preset("covered_call", "SAFE", None)
    with pytest.raises(ConfigError, match="covered_call strategy"):
        apply_preset("sma_cross", "BALANCED", None)
    with pytest.raises(ValueError, match=r"'dte_min' was 3\.0 but preset ULTRA_SAFE sets 7\.0"):
        CoveredCallParams(preset="ULTRA_SAFE").validate()


def test_training_profiles_are_the_presets_with_a_lower_score_bar() -> None:
    for profile, preset in (
        ("conservative", "ULTRA_SAFE"),
        ("moderate", "BALANCED"),
        ("aggressive", "AGGRESSIVE"),
    ):
        values = TRAINING_PROFILES[profile]
        assert values["min_score"] == PRESETS[preset]["min_score"] - 0.5
        assert values["delta_max"] == PRESETS[preset]["delta_max"]
        CoveredCallParams(**values).validate()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"delta_max": 1.5}, "parameter 'delta_max' was 1.5; it must be in (0, 1]"),
        ({"delta_min": 0.4}, "parameter 'delta_min' was 0.4; it must be in [0, delta_max=0.3]"),
        ({"target_dte": 20.0}, "parameter 'target_dte' was 20.0; it must be in [dte_min=3"),
        ({"take_profit": 1.0}, "parameter 'take_profit' was 1.0; it must be in (0, 1)"),
        ({"underlying_fraction": 0.0}, "parameter 'underlying_fraction' was 0.0"),
        ({"decision_every_hours": -1.0}, "parameter 'decision_every_hours' was -1.0"),
        ({"w_ivrv": -0.5}, "parameter 'w_ivrv' was -0.5; it must be 0 or more"),
        ({"preset": "SAFE"}, "parameter 'preset' was 'SAFE'; it must be one of"),
        ({"asset": ""}, "parameter 'asset' was empty"),
        ({"rv_days": 0.5}, "parameter 'rv_days' was 0.5; it must be at least 1"),
    ],
)
def test_bad_parameters_name_the_parameter_value_and_what_is_allowed(
    values: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        CoveredCallParams(**values).validate()  # type: ignore[arg-type]
