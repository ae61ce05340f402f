"""``.ci/check_dist.py``, the CI step that builds and installs the sdist and the wheel: its
checks of an archive's file list, and its guard against importing the source tree.

The build and the installs themselves run in CI (``.ci/run``), where they take a few seconds
and need the package registry; these tests hold the checks to finding what they must find.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def check_dist() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_dist", ROOT / ".ci" / "check_dist.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_named_package_data_exists_in_the_source_tree(check_dist):
    files = check_dist.source_files()
    assert set(check_dist.REQUIRED) <= files
    assert "statemachine/__init__.py" in files
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in files)


def test_a_wheel_with_the_package_and_its_metadata_passes(check_dist):
    expected = check_dist.source_files()
    names = [*expected, "statemachine_kit-0.1.0.dist-info/METADATA"]
    assert check_dist.wheel_problems(names, expected) == []


def test_a_wheel_without_py_typed_is_reported(check_dist):
    expected = check_dist.source_files()
    names = expected - {"statemachine/py.typed"}
    assert check_dist.wheel_problems(names, expected) == ["the wheel lacks 'statemachine/py.typed'"]


def test_a_wheel_without_the_django_templates_names_each(check_dist):
    expected = check_dist.source_files()
    names = {name for name in expected if "/templates/" not in name}
    problems = check_dist.wheel_problems(names, expected)
    admin = "statemachine/contrib/django/templates/statemachine/admin"
    assert problems == [
        f"the wheel lacks '{admin}/change_form.html'",
        f"the wheel lacks '{admin}/event_form.html'",
        f"the wheel lacks '{admin}/fsm_change_form.html'",
    ]


def test_a_wheel_holding_files_outside_the_package_is_reported(check_dist):
    expected = check_dist.source_files()
    names = [*expected, "tests/conftest.py", "statemachine/stray.txt"]
    assert check_dist.wheel_problems(names, expected) == [
        "the wheel holds 'statemachine/stray.txt', which is not a file of the package",
        "the wheel holds 'tests/conftest.py', which is not a file of the package",
    ]


def test_an_sdist_is_read_below_its_top_folder(check_dist):
    expected = check_dist.source_files()
    names = [f"statemachine_kit-0.1.0/{name}" for name in expected]
    assert check_dist.sdist_problems(names, expected) == []
    without_schema = [n for n in names if not n.endswith(".schema.json")]
    assert check_dist.sdist_problems(without_schema, expected) == [
        "the sdist lacks 'statemachine/io/schemas/statechart.schema.json'"
    ]


def test_only_insists_on_exactly_one_file(check_dist, tmp_path):
    with pytest.raises(check_dist.CheckFailed, match=r"expected one \*\.whl in .*, found \[\]"):
        check_dist.only(tmp_path, "*.whl")
    (tmp_path / "a-1-py3-none-any.whl").touch()
    (tmp_path / "a-2-py3-none-any.whl").touch()
    with pytest.raises(check_dist.CheckFailed, match="found"):
        check_dist.only(tmp_path, "*.whl")


def test_a_failing_command_raises_with_its_output(check_dist):
    with pytest.raises(check_dist.CheckFailed, match=r"exited with status 3:\nboom"):
        check_dist.run(sys.executable, "-c", "print('boom'); raise SystemExit(3)")


def test_the_demo_refuses_a_statemachine_imported_from_the_source_tree(check_dist):
    """With the checkout first on ``sys.path``, ``statemachine`` comes from the source tree,
    not from inside the running environment: the check stops before the demo runs."""
    source_first = f"import sys; sys.path.insert(0, {str(ROOT)!r})\n" + check_dist.RUN_DEMO
    done = subprocess.run(
        [sys.executable, "-c", source_first, str(check_dist.TRAFFIC_LIGHT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert f"statemachine was imported from {ROOT / 'statemachine'}" in done.stderr
    assert "not from the environment" in done.stderr
    assert "light is now" not in done.stdout  # the demo did not run
