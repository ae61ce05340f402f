"""`statemachine.registry`: machine classes by dotted path, and Django autodiscovery (spec 5)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import types
import uuid

import pytest

from statemachine import State, StateMachine, registry
from statemachine.mixins import MachineMixin

MACHINE_SOURCE = textwrap.dedent(
    """
    from statemachine import State, StateMachine

    class {name}(StateMachine):
        a = State(initial=True)
        b = State()
        go = a.to(b) | b.to(a)
    """
)


@pytest.fixture
def isolated_registry(monkeypatch):
    """A private copy of the registry, with discovery marked as done; restored afterwards."""
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    monkeypatch.setattr(registry, "_initialized", True)
    return registry._REGISTRY


@pytest.fixture
def module_dir(tmp_path, monkeypatch):
    """A directory on sys.path for throwaway modules; they are unloaded afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name, module in list(sys.modules.items()):
        if str(getattr(module, "__file__", None) or "").startswith(str(tmp_path)):
            del sys.modules[name]


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


# --- register / get_machine_cls --------------------------------------------------------------


def test_register_returns_the_class_so_it_works_as_a_decorator(isolated_registry):
    """`register` stores the class under `module.ClassName` and returns it unchanged."""

    @registry.register
    class Standalone:
        pass

    assert Standalone.__name__ == "Standalone"
    assert isolated_registry[f"{__name__}.Standalone"] is Standalone


def test_a_new_machine_class_is_found_by_its_dotted_path(isolated_registry):
    """A machine class is registered at creation and returned by get_machine_cls."""

    class Fresh(StateMachine):
        a = State(initial=True)
        b = State()
        go = a.to(b) | b.to(a)

    assert registry.get_machine_cls(f"{__name__}.Fresh") is Fresh


def test_a_redefined_class_replaces_the_previous_registration(isolated_registry):
    """Creating a class again under the same dotted path registers the newest one."""

    def define() -> type:
        class Twice(StateMachine):
            a = State(initial=True)
            b = State()
            go = a.to(b) | b.to(a)

        return Twice

    define()
    second = define()
    assert registry.get_machine_cls(f"{__name__}.Twice") is second


def test_get_machine_cls_imports_the_module_of_an_unregistered_name(isolated_registry, module_dir):
    """An unknown dotted path is resolved by importing its module, which registers the class."""
    module = unique("lazy_machines")
    (module_dir / f"{module}.py").write_text(MACHINE_SOURCE.format(name="Lazy"))
    assert f"{module}.Lazy" not in isolated_registry

    cls = registry.get_machine_cls(f"{module}.Lazy")

    assert cls.__module__ == module
    assert cls.__name__ == "Lazy"


def test_get_machine_cls_rejects_a_name_missing_from_an_importable_module(
    isolated_registry, module_dir
):
    """A module that imports but declares no such class gives a KeyError of the path; the
    note says what to check."""
    module = unique("other_machines")
    (module_dir / f"{module}.py").write_text(MACHINE_SOURCE.format(name="Present"))
    with pytest.raises(KeyError) as caught:
        registry.get_machine_cls(f"{module}.Absent")
    assert caught.value.args == (f"{module}.Absent",)
    assert caught.value.__notes__ == [
        f"No state machine class is registered as '{module}.Absent'. Check the dotted path "
        "('module.ClassName') and that the module defining it can be imported."
    ]


def test_get_machine_cls_rejects_a_name_whose_module_cannot_be_imported(isolated_registry):
    """A dotted path to a module that does not exist gives a KeyError, not an ImportError."""
    with pytest.raises(KeyError, match="the module defining it can be imported"):
        registry.get_machine_cls("no_such_package_xyz.machines.Missing")


def test_get_machine_cls_rejects_a_bare_class_name(isolated_registry):
    """A name without a module part is never registered, so it is a KeyError."""
    with pytest.raises(KeyError, match=r"registered as 'Workflow'\. Check the dotted path"):
        registry.get_machine_cls("Workflow")


def test_get_machine_cls_runs_discovery_only_on_the_first_call(isolated_registry, monkeypatch):
    """The first lookup autodiscovers `statemachine` and `statemachines` modules; later ones
    do not discover again."""
    calls = []
    monkeypatch.setattr(registry, "_initialized", False)
    monkeypatch.setattr(registry, "load_modules", lambda modules: calls.append(list(modules)))

    class Known(StateMachine):
        a = State(initial=True)
        b = State()
        go = a.to(b) | b.to(a)

    registry.get_machine_cls(f"{__name__}.Known")
    registry.get_machine_cls(f"{__name__}.Known")

    assert calls == [["statemachine", "statemachines"]]


def test_init_registry_does_nothing_once_initialized(isolated_registry, monkeypatch):
    """init_registry skips discovery when it already ran."""
    calls = []
    monkeypatch.setattr(registry, "load_modules", lambda modules: calls.append(modules))
    registry.init_registry()
    assert calls == []


# --- load_modules -----------------------------------------------------------------------------


def fake_django(monkeypatch, *, configured: bool) -> list[str]:
    """Stand-ins for Django's settings and autodiscovery; returns the discovered names."""
    discovered: list[str] = []
    loading = types.ModuleType("django.utils.module_loading")
    loading.autodiscover_modules = lambda *names: discovered.extend(names)
    conf = types.ModuleType("django.conf")
    conf.settings = types.SimpleNamespace(configured=configured)
    monkeypatch.setitem(sys.modules, "django.utils.module_loading", loading)
    monkeypatch.setitem(sys.modules, "django.conf", conf)
    return discovered


def test_load_modules_autodiscovers_each_name_when_django_is_configured(monkeypatch):
    """With configured Django settings, every module name is autodiscovered, in order."""
    discovered = fake_django(monkeypatch, configured=True)
    registry.load_modules(["statemachine", "statemachines"])
    assert discovered == ["statemachine", "statemachines"]


def test_load_modules_skips_discovery_when_django_is_not_configured(monkeypatch):
    """Without configured settings (Django installed but unused) nothing is discovered."""
    discovered = fake_django(monkeypatch, configured=False)
    registry.load_modules(["statemachines"])
    assert discovered == []


def test_load_modules_is_a_no_op_without_django(monkeypatch):
    """When Django cannot be imported, load_modules returns without error or discovery."""
    discovered = fake_django(monkeypatch, configured=True)
    monkeypatch.setitem(sys.modules, "django.utils.module_loading", None)  # import fails
    registry.load_modules(["statemachines"])
    assert discovered == []


DJANGO_SCRIPT = textwrap.dedent(
    """
    import sys
    import django
    from django.conf import settings

    settings.configure(INSTALLED_APPS=["{app}"])
    django.setup()

    from statemachine import registry
    from statemachine.mixins import MachineMixin

    loaded_before = [m for m in sys.modules if m.startswith("{app}.")]
    registry.init_registry()
    loaded = sorted(m for m in sys.modules if m.startswith("{app}."))
    print("before:", loaded_before)
    print("after:", loaded)
    print("registered:", "{app}.statemachines.Flow" in registry._REGISTRY,
          "{app}.statemachine.Single" in registry._REGISTRY)

    class Ticket(MachineMixin):
        state_machine_name = "{app}.statemachines.Flow"
        bind_events_as_methods = True

        def __init__(self):
            self.state = None
            super().__init__()

    ticket = Ticket()
    ticket.go()
    print("state:", ticket.state)
    """
)


def test_discovery_imports_the_machine_modules_of_installed_django_apps(tmp_path):
    """With real Django, init_registry imports `<app>.statemachine` and `<app>.statemachines`
    of each installed app, and MachineMixin then finds their machines."""
    app = unique("ticketing")
    package = tmp_path / app
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "statemachines.py").write_text(MACHINE_SOURCE.format(name="Flow"))
    (package / "statemachine.py").write_text(MACHINE_SOURCE.format(name="Single"))

    out = subprocess.run(
        [sys.executable, "-c", DJANGO_SCRIPT.format(app=app)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )

    assert out.stdout.splitlines() == [
        "before: []",
        f"after: ['{app}.statemachine', '{app}.statemachines']",
        "registered: True True",
        "state: b",
    ]


def test_mixin_reports_an_unknown_machine_name_as_key_error(isolated_registry):
    """A MachineMixin pointing at a dotted path that resolves to nothing raises KeyError."""

    class Orphan(MachineMixin):
        state_machine_name = "no_such_package_xyz.Machine"

    with pytest.raises(KeyError, match=r"no_such_package_xyz\.Machine"):
        Orphan()
