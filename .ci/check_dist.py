"""Build the sdist and the wheel, check them, and install each one in a fresh virtual environment.

A step of ``.ci/run``; by hand, from the root of a checkout with the ``dev`` extra installed:
``python .ci/check_dist.py``. Everything happens in a temporary folder, removed at the end.

1. ``python -m build``: the sdist, then the wheel built from it;
2. ``twine check --strict`` on both;
3. the wheel and the sdist hold every file of the ``statemachine`` package (``py.typed``, the
   JSON schema, the Django templates and migrations, ...) and the wheel nothing else but its
   metadata;
4. for the wheel, then the sdist: a new virtual environment, ``pip install FILE`` (not
   editable), and ``contrib/traffic_light.py`` run by that environment's Python from a folder
   outside the checkout, once it has checked that ``statemachine`` was imported from the
   environment and not from the source tree.

Any failure prints what went wrong and exits with status 1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "statemachine"
# Package data that a packaging mistake would drop first: named so that a failure says which.
REQUIRED = (
    "statemachine/py.typed",
    "statemachine/io/schemas/statechart.schema.json",
    "statemachine/contrib/django/templates/statemachine/admin/change_form.html",
    "statemachine/contrib/django/templates/statemachine/admin/event_form.html",
    "statemachine/contrib/django/audit/migrations/__init__.py",
    "statemachine/contrib/django/audit/migrations/0001_initial.py",
    "statemachine/contrib/django/timers/migrations/__init__.py",
    "statemachine/contrib/django/timers/migrations/0001_initial.py",
)
TRAFFIC_LIGHT = ROOT / "contrib" / "traffic_light.py"
# The last line contrib/traffic_light.py prints when it ran to the end.
TRAFFIC_LIGHT_END = "4 transitions; final configuration ['yellow']"

# Run by the installed environment's Python: the import must come from that environment.
RUN_DEMO = """
import runpy, sys
from pathlib import Path
import statemachine
where = Path(statemachine.__file__).resolve()
if not where.is_relative_to(Path(sys.prefix).resolve()):
    sys.exit(f"statemachine was imported from {where}, not from the environment {sys.prefix}")
print(f"statemachine {statemachine.__version__} from {where}")
runpy.run_path(sys.argv[1], run_name="__main__")
"""


class CheckFailed(Exception):
    """A step of the check failed; the message says which and why."""


def source_files(root: Path = ROOT) -> set[str]:
    """The files of the package in the source tree, as paths relative to ``root``."""
    return {
        path.relative_to(root).as_posix()
        for path in (root / PACKAGE).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def missing_files(expected: Iterable[str], present: Iterable[str], what: str) -> list[str]:
    """A line per expected file that ``present`` lacks, named with ``what`` holds it."""
    have = set(present)
    return [f"{what} lacks {name!r}" for name in sorted(set(expected) - have)]


def wheel_problems(names: Iterable[str], expected: set[str]) -> list[str]:
    """What is wrong with a wheel's file list: missing package files, or files that are
    neither the package's nor its ``.dist-info`` metadata."""
    names = set(names)
    problems = missing_files(REQUIRED, names, "the wheel")
    problems += missing_files(expected - set(REQUIRED), names, "the wheel")
    extra = sorted(
        name
        for name in names
        if name not in expected and not name.split("/", 1)[0].endswith(".dist-info")
    )
    problems += [f"the wheel holds {name!r}, which is not a file of the package" for name in extra]
    return problems


def sdist_problems(names: Iterable[str], expected: set[str]) -> list[str]:
    """What is missing from an sdist's file list (``<name>-<version>/`` prefixes dropped)."""
    inside = {name.split("/", 1)[1] for name in names if "/" in name}
    return missing_files(REQUIRED, inside, "the sdist") + missing_files(
        expected - set(REQUIRED), inside, "the sdist"
    )


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a command; on failure raise with its output."""
    printable = " ".join(str(arg) for arg in args)
    done = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise CheckFailed(f"`{printable}` exited with status {done.returncode}:\n{done.stdout}")
    return done.stdout


def only(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    if len(found) != 1:
        raise CheckFailed(f"expected one {pattern} in {folder}, found {[p.name for p in found]}")
    return found[0]


def clean_env() -> dict[str, str]:
    """The environment without what could make Python import the source tree."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def install_and_run(artifact: Path, work: Path) -> None:
    """A fresh environment with ``artifact`` installed runs the traffic light."""
    kind = "wheel" if artifact.suffix == ".whl" else "sdist"
    venv = work / f"venv-{kind}"
    env = clean_env()
    run(sys.executable, "-m", "venv", "--without-pip", venv, env=env)
    python = venv / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "-q", artifact, env=env)
    outside = work / f"run-{kind}"  # no statemachine/ folder here, and not in the checkout
    outside.mkdir()
    output = run(python, "-c", RUN_DEMO, TRAFFIC_LIGHT, cwd=outside, env=env)
    lines = output.strip().splitlines()
    if not lines or lines[-1] != TRAFFIC_LIGHT_END:
        raise CheckFailed(
            f"contrib/traffic_light.py from the {kind} did not end with "
            f"{TRAFFIC_LIGHT_END!r}:\n{output}"
        )
    print(f"  {kind}: {lines[0]}; contrib/traffic_light.py ran to the end")


def check(work: Path) -> None:
    dist = work / "dist"
    env = clean_env()
    run(sys.executable, "-m", "build", "--outdir", dist, ROOT, env=env)
    wheel = only(dist, "statemachine_kit-*-py3-none-any.whl")
    sdist = only(dist, "statemachine_kit-*.tar.gz")
    print(f"  built {sdist.name} and {wheel.name}")

    run(sys.executable, "-m", "twine", "check", "--strict", wheel, sdist, env=env)
    print("  twine check --strict: both pass")

    expected = source_files()
    with zipfile.ZipFile(wheel) as archive:
        problems = wheel_problems(archive.namelist(), expected)
    with tarfile.open(sdist) as archive:
        problems += sdist_problems(archive.getnames(), expected)
    if problems:
        raise CheckFailed("\n".join(problems))
    print(f"  both hold the {len(expected)} files of the package, package data included")

    install_and_run(wheel, work)
    install_and_run(sdist, work)


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="statemachine-dist-"))
    try:
        check(work)
    except CheckFailed as failure:
        print(f"check_dist: FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("check_dist: the sdist and the wheel install and run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
