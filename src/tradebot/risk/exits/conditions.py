"""Invalidation conditions: short comparisons over indicator values, compiled without ``eval``.

A strategy writes the conditions that make its trade wrong as text (``"close < ema_50"``); the
exit monitor closes the position once one holds. The text comes from configuration and
strategies, so it is never executed: :func:`ast.parse` reads it, every node is checked against
a whitelist, and the allowed ones become a tree of closures once, at load time, so checking a
condition on each bar costs a few function calls. Grammar::

    condition  := comparison | condition "and" condition | condition "or" condition
                | "not" condition | "(" condition ")"
    comparison := number (op number)+          op: <  <=  >  >=  ==  !=   (chains as in Python)
    number     := NUMBER | name | "-" number | number ("+" | "-" | "*" | "/") number
                | "(" number ")"
    name       := lower-case letter, then lower-case letters, digits, underscores

A comparison with a NaN operand (an indicator still warming up) or with a division by zero in
it is *unknown*, not false: ``and``/``or``/``not`` follow three-valued logic (``not unknown`` is
unknown, ``unknown or true`` is true) and a condition that ends unknown does not hold. So a
warming-up indicator never invalidates a trade, whether or not the condition negates it.
"""

from __future__ import annotations

import ast
import operator
import re
import warnings
from collections.abc import Callable, Collection, Mapping
from itertools import pairwise

from tradebot.risk.exits.errors import ConditionError
from tradebot.risk.exits.names import NAMING_SCHEME

MAX_LENGTH = 200
"""Longest condition text, in characters."""
MAX_NODES = 100
"""Most syntax-tree nodes (names, numbers, operators) in one condition."""
MAX_DEPTH = 24
"""Deepest nesting; with the node limit it keeps a hostile string from exhausting the stack."""

Values = Mapping[str, float]
_Number = Callable[[Values], float]
_Truth = Callable[[Values], bool | None]
"""True, False, or None when unknown (a NaN was compared)."""

_NAN = float("nan")
_NAME = re.compile(r"[a-z][a-z0-9_]*")


def _divide(a: float, b: float) -> float:
    return a / b if b else _NAN


_ARITHMETIC: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: _divide,
}
_COMPARISONS: dict[type[ast.cmpop], Callable[[float, float], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_REFUSED_OPERATORS: dict[type[ast.AST], str] = {
    ast.Pow: "'**'",
    ast.Mod: "'%'",
    ast.FloorDiv: "'//'",
    ast.MatMult: "'@'",
    ast.LShift: "'<<'",
    ast.RShift: "'>>'",
    ast.BitOr: "'|'",
    ast.BitXor: "'^'",
    ast.BitAnd: "'&'",
    ast.UAdd: "unary '+'",
    ast.Invert: "'~'",
    ast.In: "'in'",
    ast.NotIn: "'not in'",
    ast.Is: "'is'",
    ast.IsNot: "'is not'",
}
_REFUSED_NODES: dict[type[ast.AST], str] = {
    ast.Call: "a function call",
    ast.Attribute: "attribute access ('.')",
    ast.Subscript: "subscripting ('[...]')",
    ast.Slice: "a slice",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.NamedExpr: "an assignment expression (':=')",
    ast.IfExp: "an 'if' expression",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.Starred: "'*' unpacking",
    ast.JoinedStr: "an f-string",
    ast.FormattedValue: "an f-string",
    ast.Await: "'await'",
    ast.Yield: "'yield'",
    ast.YieldFrom: "'yield'",
}


class Condition:
    """A compiled condition: ``evaluate`` it on the latest indicator values of each bar."""

    __slots__ = ("_check", "_order", "names", "text")

    def __init__(self, text: str, names: tuple[str, ...], check: _Truth) -> None:
        self.text = text
        """The condition as written."""
        self.names = frozenset(names)
        """Every indicator name the condition reads."""
        self._order = names
        self._check = check

    def evaluate(self, values: Values) -> bool:
        """True when the condition holds; False when it does not or is unknown (NaN, x / 0).

        Raises
        ------
        KeyError
            With the name, when ``values`` lacks a name the condition reads.
        """
        for name in self._order:
            if name not in values:
                raise KeyError(name)
        try:
            return self._check(values) is True
        except ArithmeticError:  # only reachable with huge ints among the values: no result
            return False

    def __repr__(self) -> str:
        return f"Condition({self.text!r})"


def compile_condition(text: str, known: Callable[[str], bool] | Collection[str]) -> Condition:
    """Check ``text`` against the grammar and build its evaluator.

    ``known`` says which indicator names exist: a predicate such as
    :func:`tradebot.risk.exits.names.is_known_name`, or the collection of names available.

    Raises
    ------
    ConditionError
        Naming the condition and what is wrong: it does not parse (with the column), uses a
        construct outside the grammar, names an unknown indicator, is not a comparison, or is
        too long or too complex.
    """
    if not isinstance(text, str):
        raise ConditionError(f"a condition must be text, not {type(text).__name__}")
    source, tree = _parse(text)
    compiler = _Compiler(text, source, known)
    check = compiler.truth(tree, 0)
    return Condition(text, tuple(compiler.names), check)


def _parse(text: str) -> tuple[str, ast.expr]:
    """The stripped text (which node positions refer to) and its syntax tree."""
    where = f'condition "{text}"'
    if len(text) > MAX_LENGTH:
        raise ConditionError(
            f'condition "{text[:40]}..." is too long ({len(text)} characters; '
            f"the limit is {MAX_LENGTH})"
        )
    for i, char in enumerate(text):
        if not (char.isascii() and char.isprintable()):
            raise ConditionError(
                f"condition {text!r} has {char!r} at column {i + 1}; "
                "conditions are printable ASCII on one line"
            )
    if "#" in text:
        raise ConditionError(f"{where} has a '#', which conditions do not allow")
    source = text.strip()
    if not source:
        raise ConditionError(f"{where} is empty")
    lead = len(text) - len(text.lstrip())
    try:
        with warnings.catch_warnings():  # e.g. invalid escapes in a string literal
            warnings.simplefilter("ignore")
            tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        offset = exc.offset if exc.offset and 0 < exc.offset <= len(source) else len(source)
        raise ConditionError(
            f"{where} does not parse (column {offset + lead}): {exc.msg}"
        ) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise ConditionError(f"{where} does not parse: {exc}") from None
    return source, tree.body


class _Compiler:
    """One pass over the tree: validates every node and returns its closure."""

    def __init__(
        self, text: str, source: str, known: Callable[[str], bool] | Collection[str]
    ) -> None:
        self.text = text
        self.source = source
        self.known = known if callable(known) else frozenset(known)
        self.names: dict[str, None] = {}
        self.nodes = 0

    def error(self, what: str) -> ConditionError:
        return ConditionError(f'condition "{self.text}" {what}')

    def refuse(self, what: str) -> ConditionError:
        return self.error(f"uses {what}, which conditions do not allow")

    def piece(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or "?"

    def enter(self, depth: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.error(f"is too complex (more than {MAX_NODES} parts)")
        if depth > MAX_DEPTH:
            raise self.error(f"is nested too deeply (more than {MAX_DEPTH} levels)")

    def truth(self, node: ast.expr, depth: int) -> _Truth:
        """A node that must be a condition: a comparison, ``and``, ``or`` or ``not``."""
        self.enter(depth)
        if isinstance(node, ast.Compare):
            return self.comparison(node, depth)
        if isinstance(node, ast.BoolOp):
            parts = [self.truth(value, depth + 1) for value in node.values]
            return _all(parts) if isinstance(node.op, ast.And) else _any(parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return _negate(self.truth(node.operand, depth + 1))
        self.number(node, depth)  # refuses what is outside the grammar with its own reason
        piece = self.piece(node)
        raise self.error(
            f"is not a condition: '{piece}' is a number; compare it, e.g. '{piece} > 0'"
        )

    def comparison(self, node: ast.Compare, depth: int) -> _Truth:
        tests = []
        for op in node.ops:
            test = _COMPARISONS.get(type(op))
            if test is None:
                raise self.refuse(_REFUSED_OPERATORS.get(type(op), type(op).__name__))
            tests.append(test)
        operands = [self.number(x, depth + 1) for x in (node.left, *node.comparators)]
        if len(tests) == 1:
            return _compare(tests[0], operands[0], operands[1])
        return _chain(tests, [_function(x) for x in operands])

    def number(self, node: ast.expr, depth: int) -> _Number | float:
        """A node that must be a number; a float when it is constant (folded at load time)."""
        self.enter(depth)
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.BinOp):
            arithmetic = _ARITHMETIC.get(type(node.op))
            if arithmetic is None:
                raise self.refuse(_REFUSED_OPERATORS.get(type(node.op), type(node.op).__name__))
            left = self.number(node.left, depth + 1)
            return _arithmetic(arithmetic, left, self.number(node.right, depth + 1))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return _arithmetic(operator.sub, 0.0, self.number(node.operand, depth + 1))
        if isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.Not):
            raise self.refuse(_REFUSED_OPERATORS.get(type(node.op), type(node.op).__name__))
        if isinstance(node, ast.Compare | ast.BoolOp | ast.UnaryOp):
            raise self.error(f"uses the condition '{self.piece(node)}' where a number is needed")
        raise self.refuse(_REFUSED_NODES.get(type(node), f"a {type(node).__name__} expression"))

    def constant(self, node: ast.Constant) -> float:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = {
                bool: f"the constant {value!r}",
                str: "a string",
                bytes: "bytes",
                complex: "a complex number",
                type(None): "None",
            }.get(type(value), repr(value))
            raise self.refuse(kind)
        try:
            return float(value)
        except OverflowError:
            raise self.error(f"uses a number too large for a float ({value:.6e})") from None

    def name(self, node: ast.Name) -> _Number:
        name = node.id
        if _NAME.fullmatch(name) is None:
            raise self.error(
                f"uses the name {name!r}; names are lower-case letters, digits and "
                "underscores, starting with a letter"
            )
        known = self.known
        if not (known(name) if callable(known) else name in known):
            raise self.error(f"names unknown indicator {name!r}; {self.listing()}")
        self.names[name] = None
        getter: _Number = operator.itemgetter(name)
        return getter

    def listing(self) -> str:
        if callable(self.known):
            return NAMING_SCHEME
        names = sorted(self.known)
        if not names:
            return "no indicators are known"
        shown = ", ".join(names[:30])
        return f"known: {shown}" + (f", ... ({len(names)} in all)" if len(names) > 30 else "")


def _function(x: _Number | float) -> _Number:
    if isinstance(x, float):
        value = x
        return lambda _values: value
    return x


def _arithmetic(
    op: Callable[[float, float], float], left: _Number | float, right: _Number | float
) -> _Number | float:
    if isinstance(left, float):
        if isinstance(right, float):
            return op(left, right)
        constant_left, g = left, right
        return lambda values: op(constant_left, g(values))
    f = left
    if isinstance(right, float):
        constant_right = right
        return lambda values: op(f(values), constant_right)
    h = right
    return lambda values: op(f(values), h(values))


def _compare(
    test: Callable[[float, float], bool], left: _Number | float, right: _Number | float
) -> _Truth:
    if isinstance(left, float) and isinstance(right, float):
        result = None if left != left or right != right else test(left, right)
        return lambda _values: result
    if not isinstance(left, float) and isinstance(right, float) and right == right:
        f, constant = left, right

        def against_constant(values: Values) -> bool | None:
            a = f(values)
            return None if a != a else test(a, constant)

        return against_constant
    g, h = _function(left), _function(right)

    def general(values: Values) -> bool | None:
        a = g(values)
        b = h(values)
        return None if a != a or b != b else test(a, b)

    return general


def _chain(tests: list[Callable[[float, float], bool]], operands: list[_Number]) -> _Truth:
    """``a < b < c``: true when every link holds, false when one fails, else unknown."""

    def check(values: Values) -> bool | None:
        numbers = [f(values) for f in operands]
        result: bool | None = True
        for test, (a, b) in zip(tests, pairwise(numbers), strict=True):
            if a != a or b != b:
                result = None
            elif not test(a, b):
                return False
        return result

    return check


def _all(parts: list[_Truth]) -> _Truth:
    def check(values: Values) -> bool | None:
        result: bool | None = True
        for part in parts:
            value = part(values)
            if value is False:
                return False
            if value is None:
                result = None
        return result

    return check


def _any(parts: list[_Truth]) -> _Truth:
    def check(values: Values) -> bool | None:
        result: bool | None = False
        for part in parts:
            value = part(values)
            if value is True:
                return True
            if value is None:
                result = None
        return result

    return check


def _negate(part: _Truth) -> _Truth:
    def check(values: Values) -> bool | None:
        value = part(values)
        return None if value is None else not value

    return check


__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NODES",
    "Condition",
    "ConditionError",
    "compile_condition",
]
