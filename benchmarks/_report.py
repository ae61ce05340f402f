"""Helpers shared by the two runners (``__main__`` and ``_peers``): merging the rounds of a
variant, the error line of a crashed process, and formatting a figure."""

from __future__ import annotations

import re
import statistics
from typing import Any


def error_line(stderr: str, returncode: int) -> str:
    """The exception line of a traceback ("ValueError: ..."), not a warning printed after it."""
    lines = stderr.strip().splitlines()
    for line in reversed(lines):
        if re.match(r"[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b", line):
            return line
    return lines[-1] if lines else f"exit status {returncode}"


def merge(rounds: list[Any], key: str = "") -> Any:
    """Combine the results of several rounds: minimum of numbers (median of medians)."""
    first = rounds[0]
    if isinstance(first, dict):
        return {k: merge([r[k] for r in rounds], k) for k in first}
    if isinstance(first, list):
        return sorted({item for r in rounds for item in r})
    if isinstance(first, int | float) and not isinstance(first, bool):
        return statistics.median(rounds) if key == "median" else min(rounds)
    return first


def fmt(value: float | str | None, unit: str) -> str:
    """A figure with its unit: ns/us/ms for times in nanoseconds, B for bytes."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if unit == "B":
        return f"{value:.0f} B"
    if unit == "ns":
        if abs(value) < 1_000:
            return f"{value:.0f} ns"
        if abs(value) < 1_000_000:
            return f"{value / 1_000:.2f} us"
        return f"{value / 1_000_000:.3f} ms"
    return f"{value:g}"
