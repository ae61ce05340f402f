"""Expressions and scripts of documents: checked and compiled once, at load.

Two modes:

* **restricted** (the default, ``trusted=False``): an allow-list over Python's :mod:`ast`.
  Comparisons, boolean operators, arithmetic, conditional expressions, indexing and slicing,
  list/tuple/set/dict literals, reads of public attributes, names (the document's variables,
  the model's public attributes, and the system variables ``_event``, ``_sessionid``,
  ``_name``, ``_ioprocessors``), and the ``In('state')`` predicate. Anything else (calls,
  builtins, lambdas, comprehensions, f-strings, ``_``-prefixed attributes, ``script``) is
  :class:`~statemachine.exceptions.InvalidDefinition` when the document is loaded, naming
  the expression and where it is. Arithmetic that would build huge values (``10 ** 10 **
  10``, ``'x' * 10 ** 9``) raises at run time, which the machine reports as
  ``error.execution``.
* **trusted** (``trusted=True``): full Python, ``eval``/``exec``, for documents you
  control. A syntax error is reported when the expression runs (``error.execution``), as
  SCXML expects.

Expressions run against a *scope* (see :mod:`statemachine.io._runtime`): a mapping that
reads and writes the document's variables on the machine's model.
"""

from __future__ import annotations

import ast
import builtins
import textwrap
import warnings
from collections.abc import Mapping
from typing import Any

from statemachine.exceptions import InvalidDefinition

__all__ = ["Expression", "Script", "check_location", "compile_expression", "compile_script"]

SYSTEM_VARIABLES = frozenset(("_event", "_sessionid", "_name", "_ioprocessors"))
MAX_LENGTH = 10_000  # characters of one restricted expression
MAX_INT_BITS = 4096  # restricted arithmetic: no integer beyond this size
MAX_ITEMS = 100_000  # restricted arithmetic: no sequence repeated beyond this length

_ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.Pow,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.Is,
    ast.IsNot,
    ast.In,
    ast.NotIn,
    ast.IfExp,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Attribute,
    ast.Subscript,
    ast.Slice,
    ast.List,
    ast.Tuple,
    ast.Set,
    ast.Dict,
    ast.Call,  # only In('id', ...), checked below
)


def _reject(source: str, where: str, why: str) -> InvalidDefinition:
    place = f" at {where}" if where else ""
    return InvalidDefinition(
        f"Expression {source!r}{place} is not allowed: {why}. Documents are loaded with a "
        "restricted evaluator (comparisons, boolean operators, arithmetic, literals, public "
        "attributes, indexing and In('state')); pass trusted=True only for documents you "
        "control."
    )


def _check(tree: ast.AST, source: str, where: str) -> None:
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise _reject(source, where, f"{type(node).__name__} is not supported")
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            if node.id not in SYSTEM_VARIABLES:
                raise _reject(source, where, f"the name {node.id!r} starts with '_'")
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise _reject(source, where, f"the attribute {node.attr!r} starts with '_'")
        elif isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id == "In"):
                raise _reject(source, where, "calls are not allowed (only In('state'))")
            if node.keywords or not all(
                isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args
            ):
                raise _reject(source, where, "In() takes state ids as string literals")


class _SafeOps(ast.NodeTransformer):
    """Route ``*``, ``**`` and ``<<``-free arithmetic through size-checked helpers."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        helper = {ast.Pow: "__sm_pow__", ast.Mult: "__sm_mul__"}.get(type(node.op))
        if helper is None:
            return node
        call = ast.Call(ast.Name(helper, ast.Load()), [node.left, node.right], [])
        return ast.copy_location(call, node)


def _int_too_big(value: Any) -> bool:
    return isinstance(value, int) and value.bit_length() > MAX_INT_BITS


def _safe_pow(base: Any, exponent: Any) -> Any:
    grows = isinstance(base, int) and isinstance(exponent, int) and abs(base) > 1
    if grows and exponent > 0 and exponent * max(base.bit_length(), 1) > MAX_INT_BITS:
        raise ValueError(f"{base} ** {exponent} is too large")
    result = base**exponent
    if _int_too_big(result):
        raise ValueError("the result is too large")
    return result


def _safe_mul(left: Any, right: Any) -> Any:
    for seq, count in ((left, right), (right, left)):
        repeats = isinstance(seq, (str, bytes, list, tuple)) and isinstance(count, int)
        if repeats and count > 0 and len(seq) * count > MAX_ITEMS:
            raise ValueError(f"repeating a sequence of {len(seq)} items {count} times")
    both_ints = isinstance(left, int) and isinstance(right, int)
    if both_ints and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        raise ValueError("the result is too large")
    return left * right


_RESTRICTED_GLOBALS: dict[str, Any] = {
    "__builtins__": {},
    "__sm_pow__": _safe_pow,
    "__sm_mul__": _safe_mul,
}
_TRUSTED_GLOBALS: dict[str, Any] = {"__builtins__": builtins}


class Expression:
    """A compiled expression.

    Attributes:
        source: the text, as written in the document.
        where: where it is in the document (for messages).
        name: the bare identifier when the expression is one (a guard naming a method is
            called with the event's arguments; see the runtime).
    """

    __slots__ = ("_code", "_error", "_globals", "name", "source", "where")

    def __init__(
        self,
        source: str,
        where: str,
        code: Any,
        globals_: dict[str, Any],
        error: BaseException | None = None,
        name: str | None = None,
    ) -> None:
        self.source = source
        self.where = where
        self._code = code
        self._globals = globals_
        self._error = error
        self.name = name

    def evaluate(self, scope: Mapping[str, Any]) -> Any:
        """The value of the expression in ``scope``."""
        if self._error is not None:
            raise self._error
        return eval(self._code, self._globals, scope)

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"


def compile_expression(source: str, where: str, trusted: bool) -> Expression:
    """Check (restricted mode) and compile one expression.

    Raises:
        InvalidDefinition: restricted mode, and the expression is malformed, too long, or
            uses something the restricted evaluator does not allow.
    """
    text = " ".join(str(source).strip().splitlines()) if "\n" in str(source) else str(source)
    text = text.strip()
    if not trusted and len(text) > MAX_LENGTH:
        raise _reject(text[:60] + "...", where, f"it is longer than {MAX_LENGTH} characters")
    try:
        with warnings.catch_warnings():  # a document's oddities are reported when they run
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        if not trusted:
            raise InvalidDefinition(
                f"Expression {text!r} at {where} cannot be parsed: {exc}."
            ) from None
        error = exc if isinstance(exc, SyntaxError) else SyntaxError(str(exc))
        return Expression(text, where, None, _TRUSTED_GLOBALS, error=error)
    name = tree.body.id if isinstance(tree.body, ast.Name) else None
    if trusted:
        return Expression(
            text, where, compile(tree, where or "<document>", "eval"), _TRUSTED_GLOBALS, name=name
        )
    try:
        _check(tree, text, where)
        tree = ast.fix_missing_locations(_SafeOps().visit(tree))
        code = compile(tree, where or "<document>", "eval")
    except RecursionError:
        raise _reject(text[:60], where, "it is nested too deeply") from None
    return Expression(text, where, code, _RESTRICTED_GLOBALS, name=name)


def check_location(location: str, where: str, trusted: bool) -> list[str]:
    """A location (the left-hand side of an assignment), as its dotted parts:
    ``"Var1"`` -> ``["Var1"]``, ``"foo.bar"`` -> ``["foo", "bar"]``.

    Raises:
        InvalidDefinition: the location is not a name or a dotted path of names (or, in
            restricted mode, a part starts with ``_``, except the system variables, which
            the runtime refuses to assign).
    """
    parts = [p.strip() for p in str(location).strip().split(".")]
    if not parts or not all(p.isidentifier() for p in parts):
        raise InvalidDefinition(
            f"Location {location!r} at {where} is not a variable name (or a dotted path of names)."
        )
    if not trusted:
        for p in parts[1:] if parts[0] in SYSTEM_VARIABLES else parts:
            if p.startswith("_"):
                raise _reject(location, where, f"the name {p!r} starts with '_'")
    return parts


class Script:
    """A compiled block of Python statements (trusted documents only)."""

    __slots__ = ("_code", "_error", "source", "where")

    def __init__(self, source: str, where: str, code: Any, error: BaseException | None) -> None:
        self.source = source
        self.where = where
        self._code = code
        self._error = error

    def run(self, scope: Mapping[str, Any]) -> None:
        if self._error is not None:
            raise self._error
        exec(self._code, _TRUSTED_GLOBALS, scope)

    def __repr__(self) -> str:
        return f"Script({self.source[:40]!r})"


def compile_script(source: str, where: str, trusted: bool) -> Script:
    """Compile a script block.

    Raises:
        InvalidDefinition: the document was not loaded with ``trusted=True``.
    """
    if not trusted:
        raise InvalidDefinition(
            f"A script at {where} needs trusted=True: scripts run arbitrary Python, so they "
            "are refused in documents loaded with the restricted evaluator."
        )
    text = textwrap.dedent(str(source)).strip("\n")
    try:
        code = compile(text, where or "<script>", "exec")
    except (SyntaxError, ValueError) as exc:
        return Script(text, where, None, exc)
    return Script(text, where, code, None)
