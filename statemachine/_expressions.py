"""Boolean guard expressions: ``cond="is_ready and not (retries > 3) or In('idle')"``.

A string condition is parsed once, at class creation, into a small tree of :class:`Expression`
nodes. At resolution each name becomes the callers of that name, and the tree compiles into a
single caller. Only an allowlist of syntax is accepted: names, constants, ``not``/``and``/``or``
(also ``!``, ``^`` and ``v``), comparisons, parentheses and ``In('state_id', ...)``.
"""

from __future__ import annotations

import ast
import operator
import re

from . import exceptions
from ._callbacks import all_of, awaited
from ._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from ._callbacks import Caller
    from ._event_data import EventData

    NameResolver = Callable[[str], list[Caller]]  # callers, in the general form

__all__ = ["Expression", "parse_condition", "python_source"]

_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
# Classic logic symbols: ``!a`` (not), ``a ^ b`` (and), ``a v b`` (or, only as a lone word).
_CLASSIC = [
    (re.compile(r"!(?!=)"), " not "),
    (re.compile(r"\^"), " and "),
    (re.compile(r"(?<![\w'\"])v(?![\w'\"])"), " or "),
]


class Expression:
    """A node of a parsed guard expression."""

    def names(self) -> list[str]:
        """Every callback name the expression refers to."""
        raise NotImplementedError

    def compile(self, resolve: NameResolver, is_async: bool = False) -> Caller:
        """Compile to a caller, resolving every name with ``resolve``. With ``is_async``
        (some name is a coroutine function) the caller is a coroutine function that awaits
        each awaitable operand, keeping the short-circuit order."""
        raise NotImplementedError


class _Name(Expression):
    def __init__(self, name: str) -> None:
        self.name = name

    def names(self) -> list[str]:
        return [self.name]

    def compile(self, resolve: NameResolver, is_async: bool = False) -> Caller:
        callers = resolve(self.name)
        if len(callers) == 1:
            return callers[0]
        return all_of(callers, is_async)


class _Const(Expression):
    def __init__(self, value: Any) -> None:
        self.value = value

    def names(self) -> list[str]:
        return []

    def compile(self, resolve: NameResolver, is_async: bool = False) -> Caller:
        value = self.value
        return lambda owners, ed: value


class _Not(Expression):
    def __init__(self, operand: Expression) -> None:
        self.operand = operand

    def names(self) -> list[str]:
        return self.operand.names()

    def compile(self, resolve: NameResolver, is_async: bool = False) -> Caller:
        inner = self.operand.compile(resolve, is_async)
        if not is_async:
            return lambda owners, ed: not inner(owners, ed)

        async def not_async(owners: tuple[Any, ...], ed: EventData) -> bool:
            return not await awaited(inner(owners, ed))

        return not_async


class _BoolOp(Expression):
    def __init__(self, is_and: bool, operands: list[Expression]) -> None:
        self.is_and = is_and
        self.operands = operands

    def names(self) -> list[str]:
        return [n for o in self.operands for n in o.names()]

    def compile(self, resolve: NameResolver, is_async: bool = False) -> Caller:
        parts = [o.compile(resolve, is_async) for o in self.operands]
        is_and = self.is_and
        if not is_async:
            if is_and:
                return lambda owners, ed: all(p(owners, ed) for p in parts)
            return lambda owners, ed: any(p(owners, ed) for p in parts)

        async def bool_async(owners: tuple[Any, ...], ed: EventData) -> bool:
            for p in parts:
                if bool(await awaited(p(owners, ed))) is not is_and:
                    return not is_and
            return is_and

        return bool_async


class _Compare(Expression):
    def __init__(
        self, left: Expression, ops: list[Callable[[Any, Any], Any]], rights: list[Expression]
    ) -> None:
        self.left = left
        self.ops = ops
        self.rights = rights

    def names(self) -> list[str]:
        return self.left.names() + [n for r in self.rights for n in r.names()]

    def compile(self, resolve: NameResolver, is_async: bool = False) -> Caller:
        left = self.left.compile(resolve, is_async)
        pairs = [
            (op, r.compile(resolve, is_async)) for op, r in zip(self.ops, self.rights, strict=True)
        ]

        def compare(owners: tuple[Any, ...], ed: EventData) -> bool:
            a = left(owners, ed)
            for op, right in pairs:
                b = right(owners, ed)
                if not op(a, b):
                    return False
                a = b
            return True

        async def compare_async(owners: tuple[Any, ...], ed: EventData) -> bool:
            a = await awaited(left(owners, ed))
            for op, right in pairs:
                b = await awaited(right(owners, ed))
                if not op(a, b):
                    return False
                a = b
            return True

        return compare_async if is_async else compare


class _In(Expression):
    """``In('a', 'b')``: true when every named state id is active."""

    def __init__(self, ids: tuple[str, ...]) -> None:
        self.ids = ids

    def names(self) -> list[str]:
        return []

    def compile(self, resolve: NameResolver, is_async: bool = False) -> Caller:
        ids = self.ids

        def in_states(owners: tuple[Any, ...], ed: EventData) -> bool:
            active = {s.id for s in owners[0].configuration}
            return all(i in active for i in ids)

        return in_states


def parse_condition(text: str) -> Expression | None:
    """Parse a condition string; return None when it is a plain name (the common case).

    Raises:
        InvalidExpression: on a syntax error or any construct outside the allowlist; its
            ``__cause__`` is the SyntaxError, or a ValueError naming the unsupported construct.
    """
    stripped = text.strip()
    if stripped.isidentifier() and stripped not in ("v", "not", "and", "or"):
        return None
    source = stripped
    for pattern, replacement in _CLASSIC:
        source = pattern.sub(replacement, source)
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as err:
        raise exceptions.bad_expression(text, err) from err
    try:
        return _convert(tree.body)
    except ValueError as err:
        raise exceptions.bad_expression(text, err) from err


def python_source(text: str) -> str:
    """A condition as plain Python (the classic ``!``, ``^`` and ``v`` spelled ``not``,
    ``and`` and ``or``), for documents whose expressions are Python."""
    source = text.strip()
    for pattern, replacement in _CLASSIC:
        source = pattern.sub(replacement, source)
    return ast.unparse(ast.parse(source.strip(), mode="eval"))


def _convert(node: ast.expr) -> Expression:
    """The expression tree of ``node``; ValueError on anything outside the allowlist."""
    if isinstance(node, ast.Name):
        return _Name(node.id)
    if isinstance(node, ast.Constant):
        return _Const(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _Not(_convert(node.operand))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        operand = _convert(node.operand)
        if isinstance(operand, _Const):
            return _Const(-operand.value)
    if isinstance(node, ast.BoolOp):
        return _BoolOp(isinstance(node.op, ast.And), [_convert(v) for v in node.values])
    if isinstance(node, ast.Compare):
        ops = []
        for op in node.ops:
            fn = _COMPARE.get(type(op))
            if fn is None:  # `is`, `in`...
                raise exceptions.unsupported_structure(type(op).__name__)
            ops.append(fn)
        return _Compare(_convert(node.left), ops, [_convert(c) for c in node.comparators])
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id != "In":
            raise exceptions.unsupported_function(node.func.id)
        ids = [a.value for a in node.args if isinstance(a, ast.Constant) and type(a.value) is str]
        if node.keywords or not ids or len(ids) != len(node.args):
            raise exceptions.bad_in_arguments()
        return _In(tuple(ids))
    raise exceptions.unsupported_structure(type(node).__name__)
