"""`States`: the named collection of states, and `States.from_enum` (spec 1.1 and 5)."""

from __future__ import annotations

import copy
import pickle
from enum import Enum

import pytest

from statemachine import State, StateMachine
from statemachine.exceptions import InvalidDefinition
from statemachine.states import States


class Phase(Enum):
    PLANNED = 1
    RUNNING = 2
    DONE = 3
    CANCELLED = 4


class Labelled(Enum):
    """An enum whose members carry a display label, like Django's TextChoices."""

    DRAFT = "draft"
    SENT = "sent"

    @property
    def label(self) -> str:
        return f"The {self.value} one"


def make_states() -> States:
    return States({"idle": State(), "busy": State(name="Working")})


# --- the collection ---------------------------------------------------------------------------


def test_keys_become_the_ids_of_unnamed_states():
    """A state put in a States under a key takes that key as its id."""
    states = make_states()
    assert [s.id for s in states] == ["idle", "busy"]


def test_a_state_that_already_has_an_id_keeps_it():
    """A state that already has an id (declared on a machine) keeps it under another key."""

    class Switch(StateMachine):
        off = State(initial=True)
        on = State()
        flip = off.to(on) | on.to(off)

    states = States({"alias": Switch.off})
    assert states.alias.id == "off"


def test_empty_collection_has_no_states():
    """States() with no mapping is empty."""
    states = States()
    assert len(states) == 0
    assert list(states) == []


def test_attribute_access_returns_the_state_of_that_key():
    """`states.<key>` is the state stored under that key."""
    states = make_states()
    assert states.busy.name == "Working"


def test_attribute_access_to_a_missing_key_raises_attribute_error():
    """`states.<unknown>` raises AttributeError naming the key and listing the known ones."""
    states = make_states()
    with pytest.raises(AttributeError, match=r"No state 'nope' in \['idle', 'busy'\]"):
        states.nope


def test_missing_dunder_attribute_raises_attribute_error_with_its_name():
    """An undefined dunder is not looked up as a state key: AttributeError names the dunder."""
    with pytest.raises(AttributeError, match=r"^__missing_protocol__$"):
        make_states().__missing_protocol__


def test_shallow_copy_holds_the_same_states():
    """`copy.copy` of a States is an equal collection sharing the same State objects."""
    states = make_states()
    clone = copy.copy(states)
    assert clone == states
    assert clone.idle is states.idle


def test_pickle_round_trip_keeps_keys_and_ids():
    """A States survives pickling with its keys and state ids in order."""
    restored = pickle.loads(pickle.dumps(make_states()))
    assert [key for key, _ in restored.items()] == ["idle", "busy"]
    assert restored.busy.id == "busy"


def test_item_access_by_key_returns_the_state():
    """`states["key"]` is the state stored under that key."""
    states = make_states()
    assert states["idle"] is states.idle


def test_item_access_by_missing_key_raises_key_error():
    """`states["unknown"]` raises KeyError."""
    with pytest.raises(KeyError, match="nope"):
        make_states()["nope"]


def test_item_access_by_position_follows_insertion_order():
    """`states[0]` is the first state and `states[-1]` the last."""
    states = make_states()
    assert states[0] is states.idle
    assert states[-1] is states.busy


def test_len_counts_the_states():
    """`len(states)` is the number of states."""
    assert len(make_states()) == 2


def test_contains_accepts_a_state_or_a_key():
    """`in` is true for a contained State and for a key, false otherwise."""
    states = make_states()
    assert states.idle in states
    assert "busy" in states
    assert "sleeping" not in states
    assert State(value="other") not in states


def test_items_lists_key_state_pairs_in_order():
    """`items()` returns `(key, state)` pairs in insertion order."""
    states = make_states()
    assert states.items() == [("idle", states.idle), ("busy", states.busy)]


def test_equal_to_a_collection_with_the_same_states():
    """Two States holding the same states in the same order are equal."""
    first = make_states()
    second = States(dict(first.items()))
    assert first == second


def test_equal_to_a_list_of_the_same_states():
    """A States equals the list of its states, in order."""
    states = make_states()
    assert states == [states.idle, states.busy]
    assert states != [states.busy, states.idle]


def test_not_equal_to_other_types():
    """A States never equals a value that is neither a States nor a list."""
    assert make_states() != ("idle", "busy")


def test_is_unhashable():
    """A States cannot be hashed (its equality compares contents)."""
    with pytest.raises(TypeError, match="unhashable"):
        hash(make_states())


def test_repr_lists_the_keys():
    """The repr shows the keys in order."""
    assert repr(make_states()) == "States(['idle', 'busy'])"


def test_class_level_states_lists_the_top_level_states():
    """A machine class's `states` is a States of its top-level states, in declaration order."""

    class Door(StateMachine):
        closed = State(initial=True)
        opened = State()
        toggle = closed.to(opened) | opened.to(closed)

    assert isinstance(Door.states, States)
    assert [s.id for s in Door.states] == ["closed", "opened"]
    assert Door.states.opened is Door.opened


class Job(StateMachine):
    _ = States({"waiting": State(initial=True), "working": State()})
    start = _.waiting.to(_.working)
    stop = _.working.to(_.waiting)


def test_collection_assigned_in_a_class_body_declares_its_states(engine):
    """A States assigned to a class attribute makes each of its states a state of the machine."""
    sm = engine.machine(Job)
    engine.send(sm, "start")
    assert sm.working.is_active
    assert Job.waiting.initial


# --- from_enum ------------------------------------------------------------------------------


def test_from_enum_makes_one_state_per_member_keyed_by_name():
    """from_enum creates a state for each member, with the member name as key and id."""
    states = States.from_enum(Phase, initial=Phase.PLANNED)
    assert [key for key, _ in states.items()] == ["PLANNED", "RUNNING", "DONE", "CANCELLED"]
    assert states.RUNNING.id == "RUNNING"


def test_from_enum_stores_the_members_as_values_by_default():
    """With the default use_enum_instance=True, each state's value is the enum member."""
    states = States.from_enum(Phase, initial=Phase.PLANNED)
    assert states.DONE.value is Phase.DONE


def test_from_enum_can_store_the_raw_values():
    """With use_enum_instance=False, each state's value is the member's `.value`."""
    states = States.from_enum(Phase, initial=Phase.PLANNED, use_enum_instance=False)
    assert [s.value for s in states] == [1, 2, 3, 4]


def test_from_enum_marks_only_the_initial_member_as_initial():
    """Exactly the state of the `initial` member is initial."""
    states = States.from_enum(Phase, initial=Phase.RUNNING)
    assert [s.id for s in states if s.initial] == ["RUNNING"]


def test_from_enum_without_final_declares_no_final_state():
    """With final=None no state is final."""
    states = States.from_enum(Phase, initial=Phase.PLANNED)
    assert not any(s.final for s in states)


def test_from_enum_accepts_a_single_final_member():
    """A single member as `final` makes that one state final."""
    states = States.from_enum(Phase, initial=Phase.PLANNED, final=Phase.DONE)
    assert [s.id for s in states if s.final] == ["DONE"]


@pytest.mark.parametrize("container", [list, tuple, set, frozenset])
def test_from_enum_accepts_a_collection_of_final_members(container):
    """A list, tuple, set or frozenset of members as `final` makes each of them final."""
    states = States.from_enum(
        Phase, initial=Phase.PLANNED, final=container([Phase.DONE, Phase.CANCELLED])
    )
    assert [s.id for s in states if s.final] == ["DONE", "CANCELLED"]


def test_from_enum_with_raw_values_still_takes_members_for_initial_and_final():
    """With use_enum_instance=False, `initial` and `final` are still given as members."""
    states = States.from_enum(
        Phase, initial=Phase.PLANNED, final=Phase.DONE, use_enum_instance=False
    )
    assert states.PLANNED.initial
    assert states.DONE.final
    assert states.DONE.value == 3


def test_from_enum_names_states_after_member_labels():
    """A member with a `label` attribute gives its state that display name."""
    states = States.from_enum(Labelled, initial=Labelled.DRAFT)
    assert states.SENT.name == "The sent one"


def test_from_enum_humanizes_the_member_name_without_a_label():
    """Without a `label`, the state's name is the humanized member name."""
    states = States.from_enum(Phase, initial=Phase.PLANNED)
    assert states.PLANNED.name == "Planned"


class Project(StateMachine):
    _ = States.from_enum(Phase, initial=Phase.PLANNED, final=[Phase.DONE, Phase.CANCELLED])
    start = _.PLANNED.to(_.RUNNING)
    finish = _.RUNNING.to(_.DONE)
    cancel = _.PLANNED.to(_.CANCELLED) | _.RUNNING.to(_.CANCELLED)


class RawProject(StateMachine):
    _ = States.from_enum(Phase, initial=Phase.PLANNED, final=Phase.DONE, use_enum_instance=False)
    start = _.PLANNED.to(_.RUNNING)
    finish = _.RUNNING.to(_.DONE)
    drop = _.PLANNED.to(_.CANCELLED)
    resume = _.CANCELLED.to(_.PLANNED)


def test_machine_from_enum_stores_the_member_on_the_model(engine):
    """A machine built from an enum writes the member itself to the model."""
    sm = engine.machine(Project)
    engine.send(sm, "start")
    assert sm.model.state is Phase.RUNNING


def test_machine_from_enum_with_raw_values_stores_the_value_on_the_model(engine):
    """With use_enum_instance=False the model holds the member's raw value."""
    sm = engine.machine(RawProject)
    engine.send(sm, "start")
    assert sm.model.state == 2


def test_machine_from_enum_terminates_in_any_of_its_final_members(engine):
    """Each member listed as final is a final state of the machine."""
    sm = engine.machine(Project)
    engine.send(sm, "cancel")
    assert sm.is_terminated
    assert [s.id for s in Project.final_states] == ["DONE", "CANCELLED"]


def test_machine_from_enum_exposes_the_states_as_class_attributes():
    """States from an enum collection become attributes of the machine class."""
    assert Project.RUNNING.value is Phase.RUNNING
    assert Project.states_map[Phase.DONE] is Project.DONE


def test_from_enum_with_a_raw_initial_value_marks_no_member_initial():
    """`initial` must be the member: a raw value marks nothing, so the first member is the
    initial state, and the others must be reachable from it."""
    with pytest.raises(InvalidDefinition, match=r"Disconnected states: \['CANCELLED', 'DONE'\]"):

        class Broken(StateMachine):
            _ = States.from_enum(Phase, initial=1, use_enum_instance=False)
            go = _.PLANNED.to(_.RUNNING) | _.RUNNING.to(_.PLANNED)

    class Fixed(StateMachine):
        _ = States.from_enum(Phase, initial=1, use_enum_instance=False)
        go = _.PLANNED.to(_.RUNNING) | _.RUNNING.to(_.PLANNED) | _.RUNNING.to(_.DONE, _.CANCELLED)

    assert Fixed.initial_state is Fixed.PLANNED
