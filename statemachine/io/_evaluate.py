"""Expressions and scripts of documents: checked and compiled once, at load.

Two modes:

* **restricted** (the default, ``trusted=False``): an allow-list over Python's :mod:`ast`.
  Comparisons, boolean operators, arithmetic, conditional expressions, indexing and slicing,
  list/tuple/set/dict literals, reads of public attributes, names (the document's variables,
  the model's public attributes, and the system variables ``_event``, ``_sessionid``,
  ``_name``, ``_ioprocessors``), and the ``In('state')`` predicate. Anything else (calls,
  builtins, lambdas, comprehensions, f-strings, ``_``-prefixed attributes, the interpreter's
  frame and code attributes, ``script``) is :class:`~statemachine.exceptions.InvalidDefinition`
  when the document is loaded, naming the expression and where it is. Arithmetic that would
  build huge values (``10 ** 10 ** 10``, ``'x' * 10 ** 9``) is refused: at load when it is
  made of literals only, else when it runs, which the machine reports as
  ``error.execution``; so is ``%`` string formatting.
* **trusted** (``trusted=True``): full Python, ``eval``/``exec``, for documents you
  control. A syntax error is reported when the expression runs (``error.execution``), as
  SCXML expects.

Expressions run against a *scope* (see :mod:`statemachine.io._runtime`): a mapping that
reads and writes the document's variables on the machine's model.
"""

from __future__ import annotations

import array
import ast
import builtins
import copy
import operator
import textwrap
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from statemachine.exceptions import InvalidDefinition

__all__ = [
    "Expression",
    "LimitExceeded",
    "Script",
    "check_location",
    "compile_expression",
    "compile_script",
]

SYSTEM_VARIABLES = frozenset(("_event", "_sessionid", "_name", "_ioprocessors"))
MAX_LENGTH = 10_000  # characters of one restricted expression
MAX_INT_BITS = 4096  # restricted arithmetic: no integer beyond this size
MAX_ITEMS = 100_000  # restricted arithmetic: no sequence built (* or +) beyond this length

# Attributes without a leading underscore that still reach the interpreter's internals: a
# generator's or coroutine's frame and code, a frame's globals and builtins, a traceback's
# frame. With any of them, an expression could read the globals of the host's modules.
INTERNAL_ATTRIBUTES = frozenset(
    (
        *("gi_frame", "gi_code", "gi_yieldfrom", "gi_suspended"),
        *("cr_frame", "cr_code", "cr_await", "cr_origin", "cr_suspended"),
        *("ag_frame", "ag_code", "ag_await"),
        *("f_back", "f_builtins", "f_code", "f_globals", "f_locals", "f_trace"),
        *("tb_frame", "tb_next"),
        *("co_code", "co_consts", "co_names"),
    )
)

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


def _shown(source: str) -> str:
    """The expression as a message shows it: long ones are cut (the limit is 10,000
    characters, and a message should stay readable)."""
    return source if len(source) <= 80 else source[:60] + "..."


def _reject(source: str, where: str, why: str) -> InvalidDefinition:
    place = f" at {where}" if where else ""
    return InvalidDefinition(
        f"Expression {_shown(source)!r}{place} is not allowed: {why}. Documents are loaded with a "
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
        elif isinstance(node, ast.Attribute) and node.attr in INTERNAL_ATTRIBUTES:
            raise _reject(source, where, f"the attribute {node.attr!r} reaches the interpreter")
        elif isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id == "In"):
                raise _reject(source, where, "calls are not allowed (only In('state'))")
            if node.keywords or not all(
                isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args
            ):
                raise _reject(source, where, "In() takes state ids as string literals")


class LimitExceeded(ValueError):
    """Restricted arithmetic refused to build a value (too large, or ``%`` formatting)."""


# The operators whose result can be much larger than their operands, and the size-checked
# helpers the restricted evaluator runs instead of them.
_CHECKED: dict[type[ast.operator], str] = {
    ast.Pow: "__sm_pow__",
    ast.Mult: "__sm_mul__",
    ast.Add: "__sm_add__",
    ast.Mod: "__sm_mod__",
}


class _SafeOps(ast.NodeTransformer):
    """Route ``**``, ``*``, ``+`` and ``%`` through the size-checked helpers."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        helper = _CHECKED.get(type(node.op))
        if helper is None:
            return node
        call = ast.Call(ast.Name(helper, ast.Load()), [node.left, node.right], [])
        return ast.copy_location(call, node)


# (The messages show sizes, never the values: a huge integer may not even convert to text.)
_TOO_LARGE = f"the result is too large (integers are limited to {MAX_INT_BITS} bits)"


def _int_too_big(value: Any) -> bool:
    return isinstance(value, int) and value.bit_length() > MAX_INT_BITS


def _count(value: Any) -> int | None:
    """``value`` as a repetition count (ints, and anything with ``__index__``), else None."""
    if isinstance(value, int):
        return value
    try:
        return operator.index(value)
    except TypeError:
        return None


def _is_sequence(value: Any) -> bool:
    return isinstance(value, (Sequence, array.array))


def _safe_pow(base: Any, exponent: Any) -> Any:
    grows = isinstance(base, int) and isinstance(exponent, int) and abs(base) > 1
    if grows and exponent > 0 and exponent * max(base.bit_length(), 1) > MAX_INT_BITS:
        raise LimitExceeded(_TOO_LARGE)
    result = base**exponent
    if _int_too_big(result):
        raise LimitExceeded(_TOO_LARGE)
    return result


def _safe_mul(left: Any, right: Any) -> Any:
    for seq, times in ((left, right), (right, left)):
        count = _count(times) if _is_sequence(seq) else None
        if count is not None and count > 0 and len(seq) * count > MAX_ITEMS:
            raise LimitExceeded(f"repeating a sequence of {len(seq)} items {count} times")
    both_ints = isinstance(left, int) and isinstance(right, int)
    if both_ints and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        raise LimitExceeded(_TOO_LARGE)
    return left * right


def _safe_add(left: Any, right: Any) -> Any:
    if _is_sequence(left) and _is_sequence(right) and len(left) + len(right) > MAX_ITEMS:
        raise LimitExceeded(f"joining sequences of {len(left)} and {len(right)} items")
    return left + right


def _safe_mod(left: Any, right: Any) -> Any:
    # A format such as '%999999999d' builds a string of any size from a tiny expression.
    if isinstance(left, (str, bytes, bytearray)):
        raise LimitExceeded("'%' string formatting is not allowed")
    return left % right


_OPERATORS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Pow: _safe_pow,
    ast.Mult: _safe_mul,
    ast.Add: _safe_add,
    ast.Mod: _safe_mod,
    ast.Sub: operator.sub,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
}
_UNKNOWN = object()  # a subexpression whose value is known only when it runs


def _fold(node: ast.AST) -> Any:
    """The value of ``node`` if it is made of literals only, computed with the run-time
    limits (so ``10 ** 10 ** 10`` is refused at load), else ``_UNKNOWN``; every
    subexpression is visited.

    Raises:
        LimitExceeded: a literal subexpression builds a value beyond the limits.
    """
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.BinOp):
        left, right = _fold(node.left), _fold(node.right)
        if isinstance(node.op, ast.Mod) and isinstance(left, (str, bytes)):
            _safe_mod(left, right)  # refused whatever the right-hand side is
        if left is _UNKNOWN or right is _UNKNOWN:
            return _UNKNOWN
        try:
            return _OPERATORS[type(node.op)](left, right)
        except LimitExceeded:
            raise
        except Exception:  # 1 / 0, 'a' - 1: reported when the expression runs
            return _UNKNOWN
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _fold(node.operand)
        if isinstance(operand, (int, float, complex)):
            return -operand if isinstance(node.op, ast.USub) else +operand
        return _UNKNOWN
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [_fold(item) for item in node.elts]
        if any(item is _UNKNOWN for item in items):
            return _UNKNOWN
        return tuple(items) if isinstance(node, ast.Tuple) else items
    for child in ast.iter_child_nodes(node):
        _fold(child)
    return _UNKNOWN


_RESTRICTED_GLOBALS: dict[str, Any] = {
    "__builtins__": {},
    **{_CHECKED[op]: _OPERATORS[op] for op in _CHECKED},
}
_TRUSTED_GLOBALS: dict[str, Any] = {"__builtins__": builtins}


class Expression:
    """A compiled expression.

    Attributes:
        source: the text, as written in the document.
        where: where it is in the document (for messages).
        name: the bare identifier when the expression is one (a guard naming a method is
            called with the event's arguments; see the runtime).
        on_model: for a restricted expression that reads only the model's attributes (no
            system variable, ``In()``, constant name or bare name): the same expression as
            a function of the model, ``on_model(model)``, which reads each name as an
            attribute of it. Guards run it directly: no scope is built per event.
    """

    __slots__ = ("_code", "_error", "_globals", "name", "on_model", "source", "where")

    def __init__(
        self,
        source: str,
        where: str,
        code: Any,
        globals_: dict[str, Any],
        error: BaseException | None = None,
        name: str | None = None,
        on_model: Callable[[Any], Any] | None = None,
    ) -> None:
        self.source = source
        self.where = where
        self._code = code
        self._globals = globals_
        self._error = error
        self.name = name
        self.on_model = on_model

    def evaluate(self, scope: Mapping[str, Any]) -> Any:
        """The value of the expression in ``scope``."""
        if self._error is not None:
            raise self._error
        return eval(self._code, self._globals, scope)

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"


# Names a scope answers other than with the model's attributes (see the runtime's Scope).
_SCOPE_NAMES = SYSTEM_VARIABLES | {"In", "true", "false", "null"}


class _OnModel(ast.NodeTransformer):
    """``a + b.c`` -> ``model.a + model.b.c``: the names of a checked expression read from
    the model parameter of a lambda."""

    def visit_Name(self, node: ast.Name) -> ast.AST:
        read = ast.Attribute(ast.Name("model", ast.Load()), node.id, ast.Load())
        return ast.copy_location(read, node)


def _model_function(tree: ast.Expression, source: str) -> Callable[[Any], Any] | None:
    """``lambda model: <expression>`` for a checked tree that reads only model attributes
    (see :attr:`Expression.on_model`), else None."""
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    if isinstance(tree.body, ast.Name) or names & _SCOPE_NAMES:
        return None
    body = _SafeOps().visit(_OnModel().visit(copy.deepcopy(tree.body)))
    arguments = ast.arguments(
        posonlyargs=[], args=[ast.arg("model")], kwonlyargs=[], kw_defaults=[], defaults=[]
    )
    lambda_tree = ast.fix_missing_locations(ast.Expression(ast.Lambda(arguments, body)))
    function: Callable[[Any], Any] = eval(
        compile(lambda_tree, "<document>", "eval"), _RESTRICTED_GLOBALS
    )
    function.__name__ = function.__qualname__ = f"cond {source}"
    return function


# Documents repeat their expressions (every transition of a ring guarded by ``n >= 0``):
# each text is parsed, checked and compiled once per process.
_COMPILED: dict[tuple[str, bool], tuple[Any, str | None, Callable[[Any], Any] | None]] = {}
_COMPILED_MAX = 4096


def _failure(exc: BaseException) -> str:
    """Why the parser or the compiler gave up, as a message says it (a parser stack overflow
    is a MemoryError with no text)."""
    if isinstance(exc, (RecursionError, MemoryError)):
        return "it is nested too deeply"
    return str(exc)


def compile_expression(source: str, where: str, trusted: bool) -> Expression:
    """Check (restricted mode) and compile one expression.

    Raises:
        InvalidDefinition: restricted mode, and the expression is malformed, too long, too
            deeply nested, uses something the restricted evaluator does not allow, or
            builds a value beyond the limits from literals alone.
    """
    text = " ".join(str(source).strip().splitlines()) if "\n" in str(source) else str(source)
    text = text.strip()
    cached = _COMPILED.get((text, trusted))
    if cached is not None:
        code, name, on_model = cached
        globals_ = _TRUSTED_GLOBALS if trusted else _RESTRICTED_GLOBALS
        return Expression(text, where, code, globals_, name=name, on_model=on_model)
    if not trusted and len(text) > MAX_LENGTH:
        raise _reject(text, where, f"it is longer than {MAX_LENGTH} characters")
    try:
        with warnings.catch_warnings():  # a document's oddities are reported when they run
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(text, mode="eval")
        name = tree.body.id if isinstance(tree.body, ast.Name) else None
        if trusted:
            code = compile(tree, "<document>", "eval")
            _remember(text, trusted, code, name, None)
            return Expression(text, where, code, _TRUSTED_GLOBALS, name=name)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        if not trusted:
            raise InvalidDefinition(
                f"Expression {_shown(text)!r} at {where} cannot be parsed: {_failure(exc)}."
            ) from None
        # Trusted documents hear of it when the expression runs (SCXML's error.execution).
        error = exc if isinstance(exc, SyntaxError) else SyntaxError(_failure(exc))
        return Expression(text, where, None, _TRUSTED_GLOBALS, error=error)
    try:
        _check(tree, text, where)
        _fold(tree)
        on_model = _model_function(tree, text)
        tree = ast.fix_missing_locations(_SafeOps().visit(tree))
        code = compile(tree, "<document>", "eval")
    except LimitExceeded as exc:
        raise _reject(text, where, str(exc)) from None
    except (RecursionError, MemoryError):
        raise _reject(text, where, "it is nested too deeply") from None
    _remember(text, trusted, code, name, on_model)
    return Expression(text, where, code, _RESTRICTED_GLOBALS, name=name, on_model=on_model)


def _remember(
    text: str, trusted: bool, code: Any, name: str | None, on_model: Callable[[Any], Any] | None
) -> None:
    if len(_COMPILED) >= _COMPILED_MAX:
        _COMPILED.clear()
    _COMPILED[(text, trusted)] = (code, name, on_model)


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
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        error = exc if isinstance(exc, (SyntaxError, ValueError)) else SyntaxError(_failure(exc))
        return Script(text, where, None, error)
    return Script(text, where, code, None)
