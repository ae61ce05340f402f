"""`quickchart_write_svg`: the diagram rendered by a QuickChart-compatible service, here a
real HTTP server on the loopback interface."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from statemachine import State, StateMachine
from statemachine.contrib.diagram import quickchart_write_svg


class Door(StateMachine):
    closed = State(initial=True)
    opened = State()
    open = closed.to(opened)
    close = opened.to(closed)


@pytest.fixture
def service():
    """A local stand-in for QuickChart: records the posted JSON, answers with an SVG (or
    with HTTP 500 when asked to fail)."""
    received: list[dict] = []
    settings = {"fail": False}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            if settings["fail"]:
                self.send_response(500)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/svg+xml")
            self.end_headers()
            self.wfile.write(b"<svg xmlns='http://www.w3.org/2000/svg'><text>ok</text></svg>")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/graphviz"
    yield url, received, settings
    server.shutdown()
    server.server_close()


def test_posts_the_dot_source_and_writes_the_svg(service, tmp_path):
    """The DOT source of the machine (active state included) is posted as JSON and the
    answer is written to the file."""
    url, received, _ = service
    sm = Door()
    sm.send("open")
    out = tmp_path / "door.svg"
    quickchart_write_svg(sm, str(out), url=url, timeout=5)
    assert out.read_bytes().startswith(b"<svg")
    (payload,) = received
    assert payload["format"] == "svg"
    assert payload["graph"].startswith("digraph Door {")
    opened = next(line for line in payload["graph"].splitlines() if line.startswith("opened ["))
    assert "fillcolor=turquoise" in opened


def test_a_failing_service_is_reported_with_its_url(service, tmp_path):
    """An HTTP error becomes a RuntimeError naming the URL, and no file is written."""
    url, _, settings = service
    settings["fail"] = True
    out = tmp_path / "door.svg"
    with pytest.raises(RuntimeError, match=r"Could not render the diagram at http://127\.0\.0\.1"):
        quickchart_write_svg(Door, str(out), url=url, timeout=5)
    assert not out.exists()


def test_an_unreachable_service_is_reported(tmp_path):
    """Nothing listening at the URL gives the same clear error."""
    with pytest.raises(RuntimeError, match="Check the network"):
        quickchart_write_svg(Door, str(tmp_path / "x.svg"), url="http://127.0.0.1:9/", timeout=2)
