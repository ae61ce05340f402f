"""The documents demo (contrib/io_documents) runs end to end.

``python contrib/io_documents/run.py`` runs in a subprocess from the repository root, as its
README says, against this checkout of the library.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "contrib" / "io_documents" / "run.py"


@pytest.fixture(scope="module")
def output() -> str:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "PYTHONIOENCODING": "utf-8",
    }
    done = subprocess.run(
        [sys.executable, str(SCRIPT.relative_to(ROOT))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    return done.stdout


def test_both_documents_are_loaded_and_complete(output: str) -> None:
    lines = output.splitlines()
    assert "order.scxml (Order)" in lines
    assert "order.yaml (OrderFromYaml)" in lines
    assert lines[-1] == "all orders ended as expected"
    assert lines.count("  deliver:             completed  (terminated: True)") == 2


def test_the_guards_the_invoked_payment_and_the_delayed_event_show(output: str) -> None:
    lines = output.splitlines()
    assert lines.count("  checkout (empty):    cart") == 2  # `total > 0` refused it
    paid = "  checkout, paid:      processing, payment, paid, packing, picking  (receipt R-{})"
    assert paid.format("A-17") in lines
    assert paid.format("B-42") in lines
    assert lines.count("  boxed, shipping:     shipping, in_transit") == 2
    assert lines.count("  heard from payment:  ['payment.started']") == 2
    assert "order.scxml, a 900 order:  refused  (receipt None)" in lines
    assert "order.yaml, a 900 order:  refused  (receipt None)" in lines
