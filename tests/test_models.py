"""Models and persistence: model=, state_field=, start_value=, restore, enums, mixin, registry."""

from __future__ import annotations

from enum import Enum

import pytest

from statemachine import State, StateMachine, registry
from statemachine.exceptions import InvalidStateValue
from statemachine.mixins import MachineMixin
from statemachine.model import Model
from statemachine.states import States


class Workflow(StateMachine):
    draft = State(initial=True)
    review = State()
    published = State()

    submit = draft.to(review)
    publish = review.to(published)
    retract = published.to(draft)

    def __init__(self, *args, **kwargs):
        self.entered: list[str] = []
        super().__init__(*args, **kwargs)

    def on_enter_state(self, state):
        self.entered.append(state.id)


WORKFLOW_NAME = f"{Workflow.__module__}.{Workflow.__qualname__}"


class Document:
    def __init__(self, state=None):
        self.state = state


class Ticket:
    def __init__(self, status=None):
        self.status = status


# --- default model ------------------------------------------------------------------------


def test_default_model_is_a_model_instance_holding_the_state(engine):
    """Without model= the machine creates a Model and writes the state value on it."""
    sm = engine.machine(Workflow)
    assert isinstance(sm.model, Model)
    assert sm.model.state == "draft"


def test_default_model_repr_shows_the_state(engine):
    """Model's repr is `Model(state=...)`."""
    sm = engine.machine(Workflow)
    assert repr(sm.model) == "Model(state=draft)"
    engine.call(sm.submit)
    assert repr(sm.model) == "Model(state=review)"


def test_fresh_model_has_no_state():
    """A Model not yet bound to a machine holds None."""
    model = Model()
    assert model.state is None
    assert repr(model) == "Model(state=None)"


# --- model=, state_field=, start_value= ---------------------------------------------------


def test_custom_model_receives_the_state_value(engine):
    """The machine writes the active state's value to the given model."""
    doc = Document()
    sm = engine.machine(Workflow, model=doc)
    assert sm.model is doc
    assert doc.state == "draft"


def test_transitions_write_through_to_the_model(engine):
    """Every transition updates the model's state field."""
    doc = Document()
    sm = engine.machine(Workflow, model=doc)
    engine.call(sm.submit)
    assert doc.state == "review"
    engine.call(sm.publish)
    assert doc.state == "published"


def test_state_field_selects_the_model_attribute(engine):
    """state_field= names the attribute that holds the value."""
    ticket = Ticket()
    sm = engine.machine(Workflow, model=ticket, state_field="status")
    assert sm.state_field == "status"
    assert ticket.status == "draft"
    assert not hasattr(ticket, "state")
    engine.call(sm.submit)
    assert ticket.status == "review"


def test_start_value_chooses_the_starting_state(engine):
    """start_value= starts an empty model in that state instead of the initial one."""
    sm = engine.machine(Workflow, start_value="review")
    assert sm.review.is_active
    assert sm.model.state == "review"
    engine.call(sm.publish)
    assert sm.published.is_active


def test_start_value_is_ignored_when_the_model_has_a_value(engine):
    """A value already on the model wins over start_value=."""
    sm = engine.machine(Workflow, model=Document("published"), start_value="review")
    assert sm.published.is_active


def test_empty_model_enters_the_initial_state_with_callbacks(engine):
    """A model holding None starts in the initial state and runs its entry callbacks."""
    sm = engine.machine(Workflow, model=Document())
    assert sm.entered == ["draft"]


def test_restore_from_model_value_runs_no_entry_callbacks(engine):
    """A value already on the model is restored without running entry callbacks."""
    sm = engine.machine(Workflow, model=Document("review"))
    assert sm.review.is_active
    assert sm.entered == []


def test_restored_machine_continues_from_the_restored_state(engine):
    """After a restore, events are taken from the restored state."""
    doc = Document("review")
    sm = engine.machine(Workflow, model=doc)
    engine.call(sm.publish)
    assert doc.state == "published"
    assert sm.entered == ["published"]


def test_model_with_a_non_state_value_is_rejected(engine):
    """A model holding a value that is no state's value raises InvalidStateValue naming it."""
    with pytest.raises(InvalidStateValue, match="'ghost'") as info:
        sm = engine.machine(Workflow, model=Document("ghost"))
        sm.configuration
    assert info.value.value == "ghost"


def test_bad_start_value_is_rejected(engine):
    """A start_value that is no state's value raises InvalidStateValue naming it."""
    with pytest.raises(InvalidStateValue, match="'nowhere'"):
        sm = engine.machine(Workflow, start_value="nowhere")
        sm.configuration


def test_invalid_state_value_is_a_definition_error():
    """InvalidStateValue derives from InvalidDefinition and keeps the value."""
    from statemachine.exceptions import InvalidDefinition

    err = InvalidStateValue("bogus")
    assert isinstance(err, InvalidDefinition)
    assert err.value == "bogus"
    assert "'bogus'" in str(err)


# --- enums --------------------------------------------------------------------------------


class Phase(Enum):
    PLANNED = 1
    ACTIVE = 2
    DONE = 3


class PhaseMachine(StateMachine):
    _ = States.from_enum(Phase, initial=Phase.PLANNED, final=Phase.DONE)

    begin = _.PLANNED.to(_.ACTIVE)
    complete = _.ACTIVE.to(_.DONE)


class RawPhaseMachine(StateMachine):
    _ = States.from_enum(Phase, initial=Phase.PLANNED, final=Phase.DONE, use_enum_instance=False)

    begin = _.PLANNED.to(_.ACTIVE)
    complete = _.ACTIVE.to(_.DONE)


def test_from_enum_creates_one_state_per_member():
    """States.from_enum makes a state per member, named by the member's name."""
    assert {s.id for s in PhaseMachine.states} == {"PLANNED", "ACTIVE", "DONE"}
    assert PhaseMachine.PLANNED.initial
    assert PhaseMachine.DONE.final
    assert not PhaseMachine.ACTIVE.final


def test_from_enum_uses_members_as_values_by_default(engine):
    """By default the state values, and so the model's field, are the enum members."""
    sm = engine.machine(PhaseMachine)
    assert sm.current_state_value is Phase.PLANNED
    engine.call(sm.begin)
    assert sm.model.state is Phase.ACTIVE


def test_from_enum_can_use_raw_values(engine):
    """use_enum_instance=False stores the members' raw values."""
    sm = engine.machine(RawPhaseMachine)
    assert sm.current_state_value == 1
    engine.call(sm.begin)
    assert sm.model.state == 2


def test_from_enum_machine_restores_from_a_member(engine):
    """A model holding an enum member is restored to the matching state."""
    sm = engine.machine(PhaseMachine, model=Document(Phase.ACTIVE))
    assert sm.ACTIVE.is_active
    engine.call(sm.complete)
    assert sm.is_terminated


class Color(Enum):
    RED = "r"
    GREEN = "g"


class ColorMachine(StateMachine):
    red = State(value=Color.RED, initial=True)
    green = State(value=Color.GREEN)

    toggle = red.to(green) | green.to(red)


def test_enum_members_can_be_explicit_state_values(engine):
    """An Enum member given as value= is what the model stores."""
    sm = engine.machine(ColorMachine)
    assert sm.model.state is Color.RED
    engine.call(sm.toggle)
    assert sm.model.state is Color.GREEN
    assert Color.GREEN in sm.configuration_values


def test_invalid_enum_like_value_is_rejected(engine):
    """A raw value that matches no enum-valued state is refused."""
    with pytest.raises(InvalidStateValue, match="'r'"):
        sm = engine.machine(ColorMachine, model=Document("r"))
        sm.configuration


# --- MachineMixin -------------------------------------------------------------------------

# MachineMixin instantiates the machine itself, so the engine fixture cannot attach its probe:
# these tests stay on the sync engine.


class Article(MachineMixin):
    state_machine_name = WORKFLOW_NAME

    def __init__(self, state=None, **kwargs):
        self.state = state
        super().__init__(**kwargs)


def test_mixin_attaches_a_machine_bound_to_the_instance():
    """The mixin instantiates state_machine_name with the object as model."""
    article = Article()
    assert isinstance(article.statemachine, Workflow)
    assert article.statemachine.model is article
    assert article.state == "draft"


def test_mixin_machine_restores_from_the_instance_value():
    """The mixin's machine starts from the value already on the object."""
    article = Article(state="review")
    assert article.statemachine.review.is_active
    assert article.statemachine.entered == []


def test_mixin_uses_state_machine_attr():
    """state_machine_attr names the attribute that holds the machine."""

    class Post(MachineMixin):
        state_machine_name = WORKFLOW_NAME
        state_machine_attr = "wf"
        state = None

    post = Post()
    assert isinstance(post.wf, Workflow)
    assert not hasattr(post, "statemachine")


def test_mixin_uses_state_field_name():
    """state_field_name names the object's field that holds the state value."""

    class Issue(MachineMixin):
        state_machine_name = WORKFLOW_NAME
        state_field_name = "status"
        status = None

    issue = Issue()
    assert issue.status == "draft"
    issue.statemachine.submit()
    assert issue.status == "review"


def test_mixin_can_bind_events_as_methods():
    """bind_events_as_methods=True exposes the events on the object."""

    class Page(MachineMixin):
        state_machine_name = WORKFLOW_NAME
        bind_events_as_methods = True
        state = None

    page = Page()
    page.submit()
    assert page.state == "review"


def test_mixin_does_not_bind_events_by_default():
    """By default events are not added to the object."""
    article = Article()
    assert not hasattr(article, "submit")


def test_mixin_defaults():
    """MachineMixin's documented defaults."""
    assert MachineMixin.state_field_name == "state"
    assert MachineMixin.state_machine_name is None
    assert MachineMixin.state_machine_attr == "statemachine"
    assert MachineMixin.bind_events_as_methods is False


def test_mixin_without_machine_name_raises_value_error():
    """A mixin user without state_machine_name gets a ValueError."""

    class Nameless(MachineMixin):
        state = None

    with pytest.raises(ValueError, match="not a valid state machine name"):
        Nameless()


def test_mixin_skips_historical_models_without_name():
    """Classes from module '__fake__' (Django migrations) without a name are skipped silently."""

    class Historical(MachineMixin):
        state = None

    Historical.__module__ = "__fake__"
    obj = Historical()
    assert not hasattr(obj, "statemachine")


def test_mixin_forwards_arguments_to_the_next_init():
    """MachineMixin cooperates with other bases: arguments reach their __init__."""

    class Base:
        def __init__(self, title, state=None):
            self.title = title
            self.state = state

    class Note(MachineMixin, Base):
        state_machine_name = WORKFLOW_NAME

    note = Note("hello", state="published")
    assert note.title == "hello"
    assert note.statemachine.published.is_active


# --- registry -----------------------------------------------------------------------------


def test_machine_classes_register_under_their_qualified_name():
    """Every machine class is registered automatically under 'module.ClassName'."""
    assert registry.get_machine_cls(WORKFLOW_NAME) is Workflow


def test_machine_class_defined_later_is_registered_too():
    """A class created at runtime is found by its qualified name."""

    class RegistryProbeMachine(StateMachine):
        a = State(initial=True)
        b = State()
        go = a.to(b)
        back = b.to(a)

    name = f"{RegistryProbeMachine.__module__}.RegistryProbeMachine"
    assert registry.get_machine_cls(name) is RegistryProbeMachine


def test_registry_does_not_register_short_names():
    """Only qualified names are keys; the bare class name is not."""

    class ShortNameProbeMachine(StateMachine):
        a = State(initial=True)
        b = State()
        go = a.to(b)
        back = b.to(a)

    assert "ShortNameProbeMachine" not in registry._REGISTRY


def test_load_modules_ignores_a_missing_module():
    """load_modules with a module name that exists nowhere is harmless."""
    registry.load_modules(["statemachine_kit_no_such_module_xyz"])
    assert registry.get_machine_cls(WORKFLOW_NAME) is Workflow


def test_init_registry_can_run_twice_without_django_configured():
    """init_registry works outside a configured Django project and is idempotent."""
    registry.init_registry()
    registry.init_registry()
    assert registry.get_machine_cls(WORKFLOW_NAME) is Workflow


def test_statechart_reports_an_invalid_value_set_on_the_model_later(engine):
    """A StateChart whose model value is changed to a non-state raises on the next event,
    instead of silently ignoring it."""
    from statemachine import StateChart
    from statemachine.exceptions import InvalidStateValue

    class Chart(StateChart):
        a = State(initial=True)
        b = State()
        go = a.to(b)

    sm = engine.machine(Chart)
    sm.model.state = "nowhere"
    with pytest.raises(InvalidStateValue, match="'nowhere'"):
        engine.send(sm, "go")
    assert sm.model.state == "nowhere"
