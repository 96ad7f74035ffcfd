"""Holds the test suite's line coverage to its floors: at least TOTAL_FLOOR % overall and
MODULE_FLOOR % in every module, except modules that ``coverage-exemptions.toml`` names with the
reason they are measured lower. Reads the JSON report of ``coverage json``.

    python tools/coverage_floor.py coverage.json
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path
from typing import Any

TOTAL_FLOOR = 90.0
MODULE_FLOOR = 75.0
EXEMPTIONS = Path(__file__).with_name("coverage-exemptions.toml")


def problems(report: dict[str, Any], exemptions: dict[str, str]) -> list[str]:
    """What breaks the floors, one line each; empty when the coverage holds."""
    found = []
    total = report["totals"]["percent_covered"]
    if total < TOTAL_FLOOR:
        found.append(f"total {total:.1f} % is below the floor of {TOTAL_FLOOR:.0f} %")
    for path, measured in sorted(report["files"].items()):
        percent = measured["summary"]["percent_covered"]
        if percent < MODULE_FLOOR and path not in exemptions:
            found.append(
                f"{path} {percent:.1f} % is below {MODULE_FLOOR:.0f} % and "
                f"{EXEMPTIONS.name} gives no reason"
            )
    return found


def main(argv: list[str]) -> int:
    report = json.loads(Path(argv[1]).read_text())
    exemptions: dict[str, str] = tomllib.loads(EXEMPTIONS.read_text())["modules"]
    for path, reason in sorted(exemptions.items()):
        if path in report["files"]:
            percent = report["files"][path]["summary"]["percent_covered"]
            print(f"coverage exemption: {path} {percent:.1f} %: {reason}")
    found = problems(report, exemptions)
    for problem in found:
        print(f"coverage floor: {problem}", file=sys.stderr)
    if not found:
        total = report["totals"]["percent_covered"]
        print(f"coverage floor held: total {total:.1f} % (floor {TOTAL_FLOOR:.0f} %)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
