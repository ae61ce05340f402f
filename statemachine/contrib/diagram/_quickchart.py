"""Render a machine's Graphviz diagram online, through QuickChart's Graphviz API, without a
local Graphviz installation."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

__all__ = ["QUICKCHART_URL", "quickchart_write_svg"]

QUICKCHART_URL = "https://quickchart.io/graphviz"


def quickchart_write_svg(
    machine_or_class: Any, path: str, *, url: str = QUICKCHART_URL, timeout: float = 30
) -> None:
    """Write the machine's diagram as SVG to ``path``, rendered by the QuickChart service.

    The DOT source is built locally (that needs pydot, not Graphviz) and sent to ``url``
    (QuickChart's public endpoint unless you run your own).

    Raises:
        PydotNotInstalled: pydot is not installed.
        RuntimeError: the service could not be reached or answered with an error; the message
            names the URL and says what happened.
    """
    from .renderers.dot import DotGraphMachine

    source = DotGraphMachine(machine_or_class).get_graph().to_string()
    body = json.dumps({"graph": source, "format": "svg"}).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            svg = response.read()
    except OSError as err:  # URLError, HTTPError and timeouts are all OSErrors
        raise RuntimeError(
            f"Could not render the diagram at {url}: {err}. Check the network, or render "
            "locally with Graphviz (DotGraphMachine(...).create('svg'))."
        ) from None
    with open(path, "wb") as handle:
        handle.write(svg)
