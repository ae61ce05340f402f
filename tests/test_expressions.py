"""Boolean guard expressions in `cond=`/`unless=` strings (spec 3.6 and 3.10)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from statemachine import State, StateChart
from statemachine.exceptions import AttrNotFound, InvalidDefinition, InvalidExpression


class Flags:
    """A model whose instance attributes are the names used by the expressions."""

    def __init__(self, **values: Any) -> None:
        self.state = None
        self.__dict__.update(values)


def guarded(expr: str, *, unless: bool = False) -> type[StateChart]:
    """A two-state chart whose `go` event is guarded by ``expr``."""
    kwargs = {"unless": expr} if unless else {"cond": expr}

    class Guarded(StateChart):
        a = State(initial=True)
        b = State()
        go = a.to(b, **kwargs) | b.to(a)

    return Guarded


def fires(engine: Any, expr: str, **values: Any) -> bool:
    """Whether `go` moves the machine from `a` to `b` with these model values."""
    sm = engine.machine(guarded(expr), model=Flags(**values))
    engine.send(sm, "go")
    return bool(sm.b.is_active)


# --- boolean operators ----------------------------------------------------------------------


@pytest.mark.parametrize(("ready", "expected"), [(False, True), (True, False)])
def test_not_negates_a_name(engine, ready, expected):
    """`not ready` passes exactly when `ready` is falsy."""
    assert fires(engine, "not ready", ready=ready) is expected


@pytest.mark.parametrize(("ready", "expected"), [(False, True), (True, False)])
def test_exclamation_mark_is_not(engine, ready, expected):
    """`!ready` is the classic spelling of `not ready`."""
    assert fires(engine, "!ready", ready=ready) is expected


@pytest.mark.parametrize(
    ("x", "y", "expected"), [(True, True, True), (True, False, False), (False, True, False)]
)
def test_and_requires_both_operands(engine, x, y, expected):
    """`x and y` passes only when both are truthy."""
    assert fires(engine, "x and y", x=x, y=y) is expected


@pytest.mark.parametrize("expr", ["x ^ y", "x^y"])
@pytest.mark.parametrize(("y", "expected"), [(True, True), (False, False)])
def test_caret_is_and_with_or_without_spaces(engine, expr, y, expected):
    """`x ^ y` and `x^y` both mean `x and y`."""
    assert fires(engine, expr, x=True, y=y) is expected


@pytest.mark.parametrize(
    ("x", "y", "expected"), [(False, False, False), (True, False, True), (False, True, True)]
)
def test_or_requires_one_operand(engine, x, y, expected):
    """`x or y` passes when either is truthy."""
    assert fires(engine, "x or y", x=x, y=y) is expected


@pytest.mark.parametrize(("y", "expected"), [(True, True), (False, False)])
def test_lone_v_is_or(engine, y, expected):
    """A lone `v` between two names means `or`."""
    assert fires(engine, "x v y", x=False, y=y) is expected


def test_v_inside_a_name_is_not_or(engine):
    """Names containing the letter v (`valid`, `vip`, `nav_v2`) are left alone."""
    assert fires(engine, "valid and vip and not nav_v2", valid=True, vip=True, nav_v2=False)
    assert not fires(engine, "valid and vip and not nav_v2", valid=True, vip=False, nav_v2=False)


def test_exclamation_mark_before_equals_is_not_equal(engine):
    """`!=` stays the inequality operator; it is not read as `not` followed by `=`."""
    assert fires(engine, "count != 3", count=4)
    assert not fires(engine, "count != 3", count=3)


def test_double_negation_restores_the_value(engine):
    """`not not x` passes when `x` is truthy."""
    assert fires(engine, "not not x", x=True)


def test_and_binds_tighter_than_or(engine):
    """`x or y and z` is `x or (y and z)`: true when `x` alone is."""
    assert fires(engine, "x or y and z", x=True, y=False, z=False)


def test_parentheses_group_operands(engine):
    """`(x or y) and z` needs `z` even when `x` is truthy."""
    assert not fires(engine, "(x or y) and z", x=True, y=False, z=False)
    assert fires(engine, "(x or y) and z", x=False, y=True, z=True)


# --- comparisons and constants -------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "count", "expected"),
    [
        ("count == 2", 2, True),
        ("count == 2", 3, False),
        ("count != 2", 3, True),
        ("count < 2", 1, True),
        ("count < 2", 2, False),
        ("count <= 2", 2, True),
        ("count <= 2", 3, False),
        ("count > 2", 3, True),
        ("count > 2", 2, False),
        ("count >= 2", 2, True),
        ("count >= 2", 1, False),
    ],
)
def test_comparison_operators(engine, expr, count, expected):
    """Each of `== != < <= > >=` compares a name with a constant."""
    assert fires(engine, expr, count=count) is expected


@pytest.mark.parametrize(("count", "expected"), [(3, True), (1, False), (5, False), (7, False)])
def test_chained_comparison_requires_every_link(engine, count, expected):
    """`1 < count < 5` passes only when both comparisons hold."""
    assert fires(engine, "1 < count < 5", count=count) is expected


def test_chained_comparison_compares_neighbours_only(engine):
    """`low <= mid <= high` compares `mid` with both ends, left to right."""
    assert fires(engine, "low <= mid <= high", low=1, mid=1, high=2)
    assert not fires(engine, "low <= mid <= high", low=1, mid=3, high=2)


def test_two_names_can_be_compared(engine):
    """A comparison may have names on both sides."""
    assert fires(engine, "spent < budget", spent=10, budget=20)
    assert not fires(engine, "spent < budget", spent=30, budget=20)


def test_string_constants_compare_by_value(engine):
    """A quoted constant compares with a name's value."""
    assert fires(engine, "role == 'admin'", role="admin")
    assert not fires(engine, "role == 'admin'", role="guest")


def test_negative_number_constants(engine):
    """`-1` is a negative constant."""
    assert fires(engine, "balance == -1", balance=-1)
    assert not fires(engine, "balance == -1", balance=1)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [("x and True", True), ("x and False", False), ("x and None", False), ("x and 1", True)],
)
def test_constants_have_their_truth_value(engine, expr, expected):
    """`True`, `False`, `None` and numbers inside an expression count by their truth value."""
    assert fires(engine, expr, x=True) is expected


# --- In() -----------------------------------------------------------------------------------


class Wired(StateChart):
    idle = State(initial=True, value="IDLE")
    busy = State(value="BUSY")
    start = idle.to(busy, cond="In('idle')")
    stop = busy.to(idle, cond="In('idle', 'busy')")
    again = busy.to(idle, cond="In('busy') and not In('idle')")


def test_in_is_true_for_an_active_state_id(engine):
    """`In('idle')` passes while the state with id `idle` is active, whatever its value."""
    sm = engine.machine(Wired)
    engine.send(sm, "start")
    assert sm.busy.is_active


def test_in_with_several_ids_needs_all_of_them(engine):
    """`In('idle', 'busy')` fails when only one of the two is active."""
    sm = engine.machine(Wired)
    engine.send(sm, "start")
    engine.send(sm, "stop")
    assert sm.busy.is_active


def test_in_combines_with_boolean_operators(engine):
    """`In()` results compose with `and` and `not`."""
    sm = engine.machine(Wired)
    engine.send(sm, "start")
    engine.send(sm, "again")
    assert sm.idle.is_active


# --- resolution of names --------------------------------------------------------------------


class Order(StateChart):
    cart = State(initial=True)
    paid = State()
    pay = cart.to(paid, cond="enough and not blocked") | paid.to(cart)
    blocked = False

    def enough(self, amount: int = 0) -> bool:
        return amount >= 10


def test_names_are_methods_called_with_injected_arguments(engine):
    """A method named in an expression receives the event's arguments it declares."""
    sm = engine.machine(Order)
    engine.send(sm, "pay", amount=5)
    assert sm.cart.is_active
    engine.send(sm, "pay", amount=12)
    assert sm.paid.is_active


class Shared(StateChart):
    a = State(initial=True)
    b = State()
    go = a.to(b, cond="ready and not blocked") | b.to(a)
    ready = True
    blocked = False


def test_a_name_found_on_machine_and_model_needs_both_to_agree(engine):
    """When the machine and the model both define a name, the expression uses all of them."""
    vetoed = engine.machine(Shared, model=Flags(ready=False))
    engine.send(vetoed, "go")
    agreed = engine.machine(Shared, model=Flags(ready=True))
    engine.send(agreed, "go")
    assert vetoed.a.is_active
    assert agreed.b.is_active


def test_unless_expression_must_be_false(engine):
    """An `unless` expression blocks the transition when it evaluates true."""
    blocked = engine.machine(guarded("x and y", unless=True), model=Flags(x=True, y=True))
    engine.send(blocked, "go")
    allowed = engine.machine(guarded("x and y", unless=True), model=Flags(x=True, y=False))
    engine.send(allowed, "go")
    assert blocked.a.is_active
    assert allowed.b.is_active


def test_unknown_name_in_an_expression_fails_at_instantiation():
    """A name that resolves nowhere is reported, with the transition, when the machine is made."""
    cls = guarded("known and missing")
    with pytest.raises(AttrNotFound) as caught:
        cls(model=Flags(known=True))
    assert str(caught.value) == (
        "Error on transition go from A to B when resolving callbacks: "
        "Did not found name 'missing' from model or statemachine"
    )


def test_every_unknown_name_of_an_expression_is_reported_at_once():
    """All the names of one expression that resolve nowhere are listed, in reading order."""
    cls = guarded("first and known or second")
    with pytest.raises(AttrNotFound) as caught:
        cls(model=Flags(known=True))
    assert str(caught.value).endswith(
        "Did not found name 'first, second' from model or statemachine"
    )
    assert caught.value.name == "first, second"
    assert caught.value.__notes__ == [
        "Define 'first' and 'second' on the machine, its model or a listener (a method, "
        "property or attribute), or fix the spelling."
    ]


# --- rejected expressions (at class creation) ----------------------------------------------

STRUCTURE = "Unsupported expression structure: "
IN_ARGS = "In() takes one or more state ids as string literals: In('idle')"


@pytest.mark.parametrize(
    ("expr", "cause"),
    [
        ("x in things", STRUCTURE + "In"),
        ("x is None", STRUCTURE + "Is"),
        ("x not in things", STRUCTURE + "NotIn"),
        ("x + 1", STRUCTURE + "BinOp"),
        ("-x", STRUCTURE + "UnaryOp"),
        ("x.y", STRUCTURE + "Attribute"),
        ("[x, y]", STRUCTURE + "List"),
        ("x if y else z", STRUCTURE + "IfExp"),
        ("obj.check()", STRUCTURE + "Call"),
        ("check()", "Unsupported function: check"),
        ("In(x)", IN_ARGS),
        ("In(1)", IN_ARGS),
        ("In()", IN_ARGS),
        ("In(state='a')", IN_ARGS),
    ],
)
def test_unsupported_expressions_are_rejected_at_class_creation(expr, cause):
    """A construct outside the allowlist raises InvalidExpression with python-statemachine's
    message; the construct is named by the ValueError it is raised from, and by the note."""
    with pytest.raises(InvalidExpression) as caught:
        guarded(expr)
    assert str(caught.value) == f"Failed to parse boolean expression '{expr}'"
    assert type(caught.value.__cause__) is ValueError
    assert str(caught.value.__cause__) == cause
    assert caught.value.__notes__[0].startswith(f"{cause}. Guards may use names, `not`, `and`")


@pytest.mark.parametrize("expr", ["x and", "not", "(x", "x y"])
def test_syntax_errors_are_rejected_at_class_creation(expr):
    """A syntax error raises InvalidExpression from the SyntaxError; the note says what is wrong."""
    with pytest.raises(InvalidExpression) as caught:
        guarded(expr)
    assert str(caught.value) == f"Failed to parse boolean expression '{expr}'"
    assert isinstance(caught.value.__cause__, SyntaxError)
    note = caught.value.__notes__[0]
    assert note.startswith("invalid syntax")
    assert note.count("invalid syntax") == 1, note


def test_rejected_expression_message_quotes_the_original_text():
    """The error quotes the expression as written, classic symbols included."""
    with pytest.raises(InvalidDefinition) as caught:
        guarded("!x ^")
    assert str(caught.value) == "Failed to parse boolean expression '!x ^'"


def test_rejected_expression_in_unless_is_reported_too():
    """`unless=` strings are parsed with the same rules."""
    with pytest.raises(InvalidExpression) as caught:
        guarded("x in y", unless=True)
    assert str(caught.value) == "Failed to parse boolean expression 'x in y'"
    assert str(caught.value.__cause__) == STRUCTURE + "In"


# --- coroutine names (deliberate difference 3) ----------------------------------------------


class AsyncFlags:
    """A model whose names are coroutine methods; it records which ones were awaited."""

    def __init__(self, **values: Any) -> None:
        self.state = None
        self.values = values
        self.awaited: list[str] = []

    async def _get(self, name: str) -> Any:
        await asyncio.sleep(0)
        self.awaited.append(name)
        return self.values[name]

    async def ready(self) -> Any:
        return await self._get("ready")

    async def blocked(self) -> Any:
        return await self._get("blocked")

    async def count(self) -> Any:
        return await self._get("count")


def fires_async(engine: Any, expr: str, **values: Any) -> tuple[bool, list[str]]:
    """Whether `go` fires with coroutine names, and which names were awaited, in order."""
    model = AsyncFlags(**values)
    sm = engine.machine(guarded(expr), model=model)
    engine.send(sm, "go")
    return bool(sm.b.is_active), model.awaited


@pytest.mark.parametrize(("blocked", "expected"), [(True, False), (False, True)])
def test_not_awaits_a_coroutine_name(engine, blocked, expected):
    """`not blocked` with an `async def blocked` negates its awaited result, not the coroutine."""
    assert fires_async(engine, "not blocked", blocked=blocked)[0] is expected


@pytest.mark.parametrize(
    ("ready", "blocked", "expected"),
    [(True, False, True), (True, True, False), (False, False, False)],
)
def test_and_awaits_coroutine_operands(engine, ready, blocked, expected):
    """`ready and not blocked` combines the awaited results of coroutine names."""
    fired, _ = fires_async(engine, "ready and not blocked", ready=ready, blocked=blocked)
    assert fired is expected


def test_and_with_coroutines_stops_at_the_first_false_operand(engine):
    """A false coroutine operand of `and` leaves the following ones unawaited."""
    fired, awaited = fires_async(engine, "blocked and ready", blocked=False, ready=True)
    assert not fired
    assert awaited == ["blocked"]


def test_or_with_coroutines_stops_at_the_first_true_operand(engine):
    """A true coroutine operand of `or` makes the expression pass without the rest."""
    fired, awaited = fires_async(engine, "ready or blocked", ready=True, blocked=True)
    assert fired
    assert awaited == ["ready"]


def test_or_with_coroutines_fails_when_every_operand_is_false(engine):
    """`ready or blocked` fails when both awaited results are false."""
    fired, awaited = fires_async(engine, "ready or blocked", ready=False, blocked=False)
    assert not fired
    assert awaited == ["ready", "blocked"]


@pytest.mark.parametrize(("count", "expected"), [(3, True), (0, False), (9, False)])
def test_chained_comparison_awaits_a_coroutine_name(engine, count, expected):
    """`1 < count < 5` compares the awaited value of an `async def count`."""
    assert fires_async(engine, "1 < count < 5", count=count)[0] is expected


def test_coroutine_names_mix_with_constants_and_in(engine):
    """Awaited names, constants and `In()` combine in one expression."""
    fired, _ = fires_async(engine, "count == 3 and In('a') and not False", count=3)
    assert fired


class BothAsync(StateChart):
    a = State(initial=True)
    b = State()
    go = a.to(b, cond="ready and not False") | b.to(a)

    async def ready(self) -> bool:
        await asyncio.sleep(0)
        return True


def test_a_coroutine_name_on_machine_and_model_needs_both_to_agree(engine):
    """When machine and model both define `async def ready`, every result must be true."""
    vetoed = engine.machine(BothAsync, model=AsyncFlags(ready=False))
    engine.send(vetoed, "go")
    agreed = engine.machine(BothAsync, model=AsyncFlags(ready=True))
    engine.send(agreed, "go")
    assert vetoed.a.is_active
    assert agreed.b.is_active
