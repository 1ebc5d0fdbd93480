"""Invalidation conditions: the whitelist grammar, NaN as unknown, and clear refusals."""

from __future__ import annotations

import math
import string
from dataclasses import dataclass

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tradebot.risk.exits import Condition, ConditionError, compile_condition, is_known_name
from tradebot.risk.exits.conditions import MAX_DEPTH, MAX_LENGTH, MAX_NODES

NAN = float("nan")
KNOWN = ("adx", "rsi_14", "close", "open", "ema_50", "atr", "bb_upper", "macd_hist", "volume")


def holds(text: str, **values: float) -> bool:
    return compile_condition(text, KNOWN).evaluate(values)


# --- what the grammar allows ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "adx", "expected"),
    [
        ("adx < 25", 20.0, True),
        ("adx < 25", 25.0, False),
        ("adx <= 25", 25.0, True),
        ("adx <= 25", 25.5, False),
        ("adx > 25", 30.0, True),
        ("adx > 25", 25.0, False),
        ("adx >= 25", 25.0, True),
        ("adx >= 25", 24.9, False),
        ("adx == 25", 25.0, True),
        ("adx == 25", 24.0, False),
        ("adx != 25", 24.0, True),
        ("adx != 25", 25.0, False),
        ("25 > adx", 20.0, True),
        ("adx > 2.5e1", 26.0, True),
        ("adx > 1_0", 11.0, True),
        ("adx < -3", -4.0, True),
        ("-adx > 3", -4.0, True),
        ("- -adx == 4", 4.0, True),
        ("adx == 0.1 + 0.2", 0.1 + 0.2, True),
    ],
)
def test_each_comparison_and_number_form(text: str, adx: float, expected: bool) -> None:
    assert holds(text, adx=adx) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("close < ema_50", True),  # 100 < 110
        ("close - ema_50 < -3 * atr", False),  # -10 < -12 is false
        ("close - ema_50 < -2 * atr / 2", True),  # * and / before -: -10 < -4
        ("1 + 2 * atr == 9", True),  # * before +
        ("(1 + 2) * atr == 12", True),  # parentheses
        ("10 - 4 - 3 == 3", True),  # left-associative
        ("atr / 2 / 2 == 1", True),
        ("(close + open) / 2 > close", True),  # (100 + 120) / 2 = 110
        ("close / ema_50 - 1 < -0.05", True),  # 100/110 - 1 ≈ -0.09
    ],
)
def test_arithmetic_follows_python_precedence(text: str, expected: bool) -> None:
    assert holds(text, close=100.0, ema_50=110.0, atr=4.0, open=120.0) is expected


@pytest.mark.parametrize(
    ("text", "adx", "expected"),
    [
        ("1 < adx < 3", 2.0, True),
        ("1 < adx < 3", 3.0, False),
        ("1 < adx < 3", 0.0, False),
        ("1 < adx <= 3 < 4", 3.0, True),
        ("1 < adx <= 3 < 2", 3.0, False),
        ("3 > adx > 1 != adx", 2.0, True),
        ("3 > adx > 1 != adx", 1.0, False),
    ],
)
def test_chains_hold_when_every_link_holds(text: str, adx: float, expected: bool) -> None:
    assert holds(text, adx=adx) is expected


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        # not binds tighter than and, and tighter than or (as in Python)
        ("not adx > 1 and rsi_14 > 1", {"adx": 0.0, "rsi_14": 2.0}, True),
        ("not adx > 1 and rsi_14 > 1", {"adx": 0.0, "rsi_14": 0.0}, False),
        ("not (adx > 1 and rsi_14 > 1)", {"adx": 2.0, "rsi_14": 0.0}, True),
        ("adx > 1 or rsi_14 > 1 and close > 1", {"adx": 2.0, "rsi_14": 0.0, "close": 0.0}, True),
        ("(adx > 1 or rsi_14 > 1) and close > 1", {"adx": 2.0, "rsi_14": 0.0, "close": 0.0}, False),
        ("adx > 1 and rsi_14 > 1 or close > 1", {"adx": 0.0, "rsi_14": 0.0, "close": 2.0}, True),
        ("adx > 1 and (rsi_14 > 1 or close > 1)", {"adx": 0.0, "rsi_14": 0.0, "close": 2.0}, False),
        ("not not adx > 1", {"adx": 2.0}, True),
        ("adx > 1 and rsi_14 > 1 and close > 1", {"adx": 2.0, "rsi_14": 2.0, "close": 2.0}, True),
        ("adx > 1 or rsi_14 > 1 or close > 1", {"adx": 0.0, "rsi_14": 0.0, "close": 0.0}, False),
        (
            "(macd_hist < 0) or not (adx > 0)",
            {"macd_hist": 0.5, "adx": -1.0},
            True,
        ),
        (
            "rsi_14 > 70 and close > bb_upper",
            {"rsi_14": 75.0, "close": 11.0, "bb_upper": 10.0},
            True,
        ),
    ],
)
def test_and_or_not_precedence(text: str, values: dict[str, float], expected: bool) -> None:
    assert holds(text, **values) is expected


def test_a_condition_knows_its_text_and_names() -> None:
    condition = compile_condition("rsi_14 > 70 and close > bb_upper + 0 * rsi_14", KNOWN)
    assert isinstance(condition, Condition)
    assert condition.text == "rsi_14 > 70 and close > bb_upper + 0 * rsi_14"
    assert condition.names == frozenset({"rsi_14", "close", "bb_upper"})
    assert "rsi_14 > 70" in repr(condition)


def test_surrounding_spaces_are_ignored_but_kept_in_the_text() -> None:
    condition = compile_condition("  adx < 25 ", KNOWN)
    assert condition.evaluate({"adx": 1.0}) is True
    assert condition.text == "  adx < 25 "


def test_a_callable_can_say_which_names_exist() -> None:
    condition = compile_condition("close < ema_200 and adx_20 > 25", is_known_name)
    assert condition.names == {"close", "ema_200", "adx_20"}
    assert condition.evaluate({"close": 1.0, "ema_200": 2.0, "adx_20": 30.0}) is True


# --- NaN, division by zero and missing values ---------------------------------------------------


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
def test_any_comparison_with_nan_is_false(op: str) -> None:
    assert holds(f"adx {op} 25", adx=NAN) is False
    assert holds(f"25 {op} adx", adx=NAN) is False
    assert holds(f"close {op} adx", adx=NAN, close=1.0) is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a warming-up indicator never invalidates, even negated: the comparison is unknown
        ("not (adx > 25)", False),
        ("not adx > 25 and close > 0", False),
        ("adx > 25 and close > 0", False),
        ("adx > 25 or close > 0", True),  # unknown or true: true
        ("adx > 25 or close < 0", False),  # unknown or false: unknown
        ("adx > 25 and close < 0", False),  # unknown and false: false
        ("not (adx > 25 and close < 0)", True),  # not false: true
        ("0 < adx < 50", False),
        ("1 > 2 > adx", False),  # a false link decides the chain despite the NaN
        ("not (1 > 2 > adx)", True),
        ("adx - adx == 0", False),
    ],
)
def test_nan_makes_a_comparison_unknown_and_unknown_does_not_hold(
    text: str, expected: bool
) -> None:
    assert holds(text, adx=NAN, close=1.0) is expected


@pytest.mark.parametrize(
    "text",
    [
        "close / volume > 1",
        "close / volume < 1",
        "close / volume != 1",
        "not (close / volume > 1)",
        "1 / 0 < 2",
        "close / (volume - volume) > 1",
    ],
)
def test_division_by_zero_makes_the_comparison_false(text: str) -> None:
    assert holds(text, close=1.0, volume=0.0) is False


def test_infinite_values_compare_normally() -> None:
    assert holds("adx > 1e300", adx=math.inf) is True
    assert holds("adx * 0 == 0", adx=math.inf) is False  # inf * 0 is NaN: unknown


def test_a_missing_value_raises_key_error_naming_it() -> None:
    condition = compile_condition("adx > 0 or close > 1", KNOWN)
    with pytest.raises(KeyError, match="close"):
        condition.evaluate({"adx": 5.0})  # even though adx > 0 alone decides it


# --- what the grammar refuses -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "construct"),
    [
        ("abs(adx) > 1", "a function call"),
        ("__import__('os')", "a function call"),
        ("__import__('os').system('ls') > 0", "a function call"),
        ("().__class__", "attribute access"),
        ("adx.real > 1", "attribute access"),
        ("().__class__.__bases__[0].__subclasses__()", "a function call"),
        ("adx[0] > 1", "subscripting"),
        ("adx > 'a'", "a string"),
        ("adx > b'a'", "bytes"),
        ("adx > f'{adx}'", "an f-string"),
        ("lambda: 1", "a lambda"),
        ("[x for x in adx] > 1", "a comprehension"),
        ("(x for x in adx) > 1", "a comprehension"),
        ("(adx := 1) > 0", "an assignment expression (':=')"),
        ("adx ** 2 > 1", "'**'"),
        ("adx % 2 > 1", "'%'"),
        ("adx // 2 > 1", "'//'"),
        ("adx @ adx > 1", "'@'"),
        ("adx & 1 > 0", "'&'"),
        ("adx | 1 > 0", "'|'"),
        ("adx ^ 1 > 0", "'^'"),
        ("adx << 1 > 0", "'<<'"),
        ("adx >> 1 > 0", "'>>'"),
        ("~adx > 0", "'~'"),
        ("+adx > 0", "unary '+'"),
        ("(1 if adx else 2) > 0", "an 'if' expression"),
        ("adx in (1, 2)", "'in'"),
        ("adx not in (1, 2)", "'not in'"),
        ("adx is 1", "'is'"),
        ("adx is not 1", "'is not'"),
        ("adx > True", "the constant True"),
        ("adx > None", "None"),
        ("adx > 1j", "a complex number"),
        ("adx > ...", "Ellipsis"),
        ("(adx, 1) > (0, 0)", "a tuple"),
        ("adx > [1]", "a list"),
        ("adx > {1}", "a set"),
        ("adx > {1: 2}", "a dict"),
    ],
)
def test_each_refused_construct_is_named(text: str, construct: str) -> None:
    with pytest.raises(ConditionError) as info:
        compile_condition(text, KNOWN)
    message = str(info.value)
    assert message.startswith(f'condition "{text}" ')
    assert f"uses {construct}" in message


def test_the_refusal_message_reads_as_one_sentence() -> None:
    with pytest.raises(ConditionError) as info:
        compile_condition("abs(x) > 1", KNOWN)
    assert str(info.value) == (
        'condition "abs(x) > 1" uses a function call, which conditions do not allow'
    )


@pytest.mark.parametrize("text", ["close", "1", "close + 1", "-adx", "(adx)", "adx and rsi_14 > 1"])
def test_a_number_is_not_a_condition(text: str) -> None:
    with pytest.raises(ConditionError, match="is not a condition"):
        compile_condition(text, KNOWN)


@pytest.mark.parametrize("text", ["(adx > 1) + 1 > 2", "(adx > 1) > 0", "-(adx > 1) < 0"])
def test_a_condition_is_not_a_number(text: str) -> None:
    with pytest.raises(ConditionError, match="where a number is needed"):
        compile_condition(text, KNOWN)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("adx <", 'condition "adx <" does not parse (column 5): invalid syntax'),
        ("adx < < 3", 'condition "adx < < 3" does not parse (column 7): invalid syntax'),
        ("  adx < < 3", 'condition "  adx < < 3" does not parse (column 9): invalid syntax'),
        ("adx < 3)", "condition \"adx < 3)\" does not parse (column 8): unmatched ')'"),
        ("adx = 3", 'condition "adx = 3" does not parse'),
        ("import os", 'condition "import os" does not parse'),
    ],
)
def test_a_syntax_error_gives_the_column(text: str, message: str) -> None:
    with pytest.raises(ConditionError) as info:
        compile_condition(text, KNOWN)
    assert str(info.value).startswith(message)


def test_an_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(ConditionError) as info:
        compile_condition("foo < 3", ["close", "atr", "adx"])
    assert str(info.value) == (
        "condition \"foo < 3\" names unknown indicator 'foo'; known: adx, atr, close"
    )


def test_a_long_list_of_known_names_is_shortened() -> None:
    known = [f"x{i:03d}" for i in range(100)]
    with pytest.raises(ConditionError, match=r"x029, \.\.\. \(100 in all\)$"):
        compile_condition("foo < 3", known)


def test_an_unknown_name_under_a_predicate_shows_the_naming_scheme() -> None:
    with pytest.raises(ConditionError) as info:
        compile_condition("close < emma_50", is_known_name)
    message = str(info.value)
    assert message.startswith("condition \"close < emma_50\" names unknown indicator 'emma_50'")
    assert "ema_N" in message
    assert "macd_hist" in message


@pytest.mark.parametrize("name", ["ADX", "Close", "_adx", "__import__", "adx\u00e9"])
def test_names_are_lower_case_ascii(name: str) -> None:
    with pytest.raises(ConditionError, match=r"(lower-case|printable ASCII)"):
        compile_condition(f"{name} > 1", lambda _: True)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("adx > 1 # and close > 2", "'#'"),
        ("adx\n> 1", "printable ASCII on one line"),
        ("adx > 1\x00", "printable ASCII"),
        ("\uff41dx > 1", "printable ASCII"),  # fullwidth 'a' would normalise to 'adx'
    ],
)
def test_odd_text_is_refused(text: str, reason: str) -> None:
    with pytest.raises(ConditionError, match=reason):
        compile_condition(text, KNOWN)


# --- hostile input ------------------------------------------------------------------------------


def test_very_long_input_is_refused_before_parsing() -> None:
    text = " or ".join(["adx > 1"] * 100)
    with pytest.raises(ConditionError, match=rf"is too long \({len(text)} characters"):
        compile_condition(text, KNOWN)
    with pytest.raises(ConditionError, match="too long"):
        compile_condition("(" * 10_000 + "adx > 1" + ")" * 10_000, KNOWN)
    compile_condition("adx > 1" + " " * (MAX_LENGTH - 7), KNOWN)  # exactly at the limit


@pytest.mark.parametrize(
    "text",
    [
        "not " * 40 + "adx > 1",
        "-" * 150 + "adx > 1",
        "1 + (" * 30 + "adx" + ")" * 30 + " > 1",
        "1+" * 90 + "adx > 1",
    ],
)
def test_deep_nesting_is_refused(text: str) -> None:
    assert len(text) <= MAX_LENGTH
    with pytest.raises(ConditionError, match=f"nested too deeply \\(more than {MAX_DEPTH}"):
        compile_condition(text, KNOWN)


def test_too_many_parts_are_refused() -> None:
    text = "a" + "<1" * 99  # a flat chain: 100 operands and the comparison
    assert len(text) <= MAX_LENGTH
    with pytest.raises(ConditionError, match=f"too complex \\(more than {MAX_NODES} parts"):
        compile_condition(text, ["a"])
    compile_condition("a" + "<1" * 98, ["a"])


def test_redundant_parentheses_are_not_nesting() -> None:
    text = "(" * 90 + "adx > 1" + ")" * 90
    assert compile_condition(text, KNOWN).evaluate({"adx": 2.0}) is True


@pytest.mark.parametrize("text", [123, None, b"adx > 1"])
def test_text_must_be_a_string(text: object) -> None:
    with pytest.raises(ConditionError, match="must be text"):
        compile_condition(text, KNOWN)  # type: ignore[arg-type]


PRINTABLE = st.text(alphabet=string.printable, max_size=60)
OPERANDS = st.sampled_from(
    [
        *KNOWN,
        *("1", "0", "2.5", "-adx", "(adx", "close)", "not adx", "1e999", "abs(adx)", "'x'"),
        *("True", "adx.real", "adx[0]", "(", ")", "emma_5", "rsi", "ema_0", "1/0"),
    ]
)
OPERATORS = st.sampled_from(
    ["<", "<=", ">", ">=", "==", "!=", "and", "or", "and not", "+", "-", "*", "/", "**", ","]
)
SOUP = st.lists(st.tuples(OPERANDS, OPERATORS), min_size=1, max_size=12).flatmap(
    lambda pairs: OPERANDS.map(lambda last: " ".join([*(f"{a} {o}" for a, o in pairs), last]))
)
ANY_VALUE = st.floats(allow_nan=True, allow_infinity=True)


def _evaluate_every_way(condition: Condition, data: st.DataObject) -> None:
    values = {name: data.draw(ANY_VALUE) for name in condition.names}
    assert type(condition.evaluate(values)) is bool


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(PRINTABLE, st.text(max_size=60)), data=st.data())
def test_random_text_compiles_or_raises_condition_error(text: str, data: st.DataObject) -> None:
    try:
        condition = compile_condition(text, KNOWN)
    except ConditionError:
        return
    _evaluate_every_way(condition, data)


@settings(max_examples=400, deadline=None)
@given(text=SOUP, data=st.data())
def test_random_token_soup_compiles_or_raises_condition_error(
    text: str, data: st.DataObject
) -> None:
    try:
        condition = compile_condition(text, is_known_name)
    except ConditionError:
        return
    _evaluate_every_way(condition, data)


# --- random well-formed conditions against a direct reading of the same tree ------------------


@dataclass(frozen=True)
class Expr:
    """A generated expression: its text and how to compute it (None = unknown)."""

    text: str
    number: bool


@dataclass(frozen=True)
class Leaf(Expr):
    value: float | str


@dataclass(frozen=True)
class Node(Expr):
    op: str
    parts: tuple[Expr, ...]


LEAVES: st.SearchStrategy[Expr] = st.one_of(
    st.sampled_from(["adx", "close", "atr"]).map(lambda n: Leaf(n, True, n)),
    st.integers(-5, 5).map(lambda i: Leaf(str(i), True, float(i))),
)


def _arithmetic(op: str, a: Expr, b: Expr) -> Expr:
    return Node(f"({a.text} {op} {b.text})", True, op, (a, b))


def _compare(op: str, a: Expr, b: Expr) -> Expr:
    return Node(f"{a.text} {op} {b.text}", False, op, (a, b))


def _join(op: str, a: Expr, b: Expr) -> Expr:
    return Node(f"({a.text}) {op} ({b.text})", False, op, (a, b))


def _numbers(depth: int) -> st.SearchStrategy[Expr]:
    """Arithmetic trees up to ``depth`` operators deep."""
    if depth == 0:
        return LEAVES
    sub = _numbers(depth - 1)
    return st.one_of(
        LEAVES,
        st.builds(_arithmetic, st.sampled_from(["+", "-", "*", "/"]), sub, sub),
        sub.map(lambda e: Node(f"-({e.text})", True, "neg", (e,))),
    )


def _conditions(depth: int) -> st.SearchStrategy[Expr]:
    """Comparisons combined by and / or / not up to ``depth`` deep."""
    numbers = _numbers(2)
    comparisons = st.builds(
        _compare, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), numbers, numbers
    )
    if depth == 0:
        return comparisons
    sub = _conditions(depth - 1)
    return st.one_of(
        comparisons,
        st.builds(_join, st.sampled_from(["and", "or"]), sub, sub),
        sub.map(lambda e: Node(f"not ({e.text})", False, "not", (e,))),
    )


CONDITIONS = _conditions(3)


def _number(e: Expr, values: dict[str, float]) -> float:
    if isinstance(e, Leaf):
        return values[e.value] if isinstance(e.value, str) else e.value
    assert isinstance(e, Node)
    if e.op == "neg":
        return -_number(e.parts[0], values)
    a, b = (_number(p, values) for p in e.parts)
    if e.op == "/":
        return NAN if b == 0 else a / b
    return {"+": a + b, "-": a - b, "*": a * b}[e.op]


def _truth(e: Expr, values: dict[str, float]) -> bool | None:
    assert isinstance(e, Node)
    if e.op == "not":
        inner = _truth(e.parts[0], values)
        return None if inner is None else not inner
    if e.op in ("and", "or"):
        a, b = (_truth(p, values) for p in e.parts)
        decisive = e.op == "or"  # the value that decides: True for or, False for and
        if decisive in (a, b):
            return decisive
        return None if None in (a, b) else not decisive
    x, y = (_number(p, values) for p in e.parts)
    if math.isnan(x) or math.isnan(y):
        return None
    return {
        "<": x < y,
        "<=": x <= y,
        ">": x > y,
        ">=": x >= y,
        "==": x == y,
        "!=": x != y,
    }[e.op]


@settings(max_examples=300, deadline=None)
@given(
    expr=CONDITIONS,
    adx=st.one_of(st.just(NAN), st.just(0.0), st.integers(-3, 3).map(float)),
    close=st.floats(-10, 10),
    atr=st.sampled_from([0.0, 1.0, -2.5, NAN]),
)
def test_generated_conditions_match_a_direct_reading(
    expr: Expr, adx: float, close: float, atr: float
) -> None:
    assume(len(expr.text) <= MAX_LENGTH)  # shorter trees stay within the node and depth limits
    values = {"adx": adx, "close": close, "atr": atr}
    condition = compile_condition(expr.text, KNOWN)
    assert condition.evaluate(values) is (_truth(expr, values) is True)
