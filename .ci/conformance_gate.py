"""Fail CI when a conformance mode falls under the threshold.

Reads the report of ``../shared/conformance/diff.py`` on standard input (its headline lines
are ``differential <mode>: I/N identical (x%)``) and exits with status 1 when a mode is
missing or under ``--min`` percent identical cases.
"""

from __future__ import annotations

import argparse
import re
import sys

MODES = ("flat", "chart", "errors")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--min", type=float, default=98.0, help="percent identical per mode")
    args = parser.parse_args()
    report = sys.stdin.read()
    headline = re.compile(r"^differential (\w+): (\d+)/(\d+) identical", re.M)
    found = {mode: (int(same), int(total)) for mode, same, total in headline.findall(report)}
    failed = False
    for mode in MODES:
        if mode not in found:
            print(f"conformance: no result for mode {mode!r}", file=sys.stderr)
            failed = True
            continue
        same, total = found[mode]
        share = 100.0 * same / total if total else 0.0
        verdict = "ok" if share >= args.min else f"UNDER {args.min:g}%"
        print(f"conformance {mode}: {same}/{total} identical ({share:.1f}%) {verdict}")
        failed = failed or share < args.min
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
