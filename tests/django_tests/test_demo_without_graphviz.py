"""The Django demo without Graphviz: its optional diagram step prints a one-line warning that
says how to install Graphviz, and the demo still succeeds.

``python manage.py demo`` runs in a subprocess whose ``PATH`` is an empty directory, so no
``dot`` program can be found (the Python interpreter is given by its full path).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DEMO = next(
    parent / "contrib" / "django_demo"
    for parent in Path(__file__).resolve().parents
    if (parent / "contrib" / "django_demo" / "manage.py").exists()
)


def run_demo(tmp_path: Path, path: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PATH": path,
        "DEMO_DB_PATH": str(tmp_path / "demo.sqlite3"),
        "DJANGO_SETTINGS_MODULE": "demo_site.settings",  # not the test suite's settings
        "PYTHONIOENCODING": "utf-8",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "demo", "--diagram", str(tmp_path / "article.svg")],
        cwd=DEMO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_the_demo_warns_and_succeeds_without_graphviz(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    done = run_demo(tmp_path, str(empty))
    assert done.returncode == 0, done.stdout + done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1, done.stderr
    (warning,) = warnings
    assert warning.startswith("warning: skipped the diagram: Graphviz's `dot` program")
    assert "apt-get install graphviz" in warning
    assert "brew install graphviz" in warning
    assert "https://graphviz.org/download/" in warning
    assert not (tmp_path / "article.svg").exists()
    # The rest of the story ran, before and after the diagram step.
    assert "== Audit log (TransitionLog)" in done.stdout
    assert "== Admin" in done.stdout
    assert "wrote " not in done.stdout
