"""Per-package mutation figures from mutmut's results, checked against the targets.

mutmut keeps one ``.meta`` file per mutated source file under ``mutants/`` with the exit code of
every mutant's test run. This script groups them by package, counts the mutants listed in
``equivalent.md`` as equivalent instead of survived, prints a table and, with ``--check``, exits
1 when a package's killed ratio is below its target.

    python -m tests.mutation.figures [--check] [--only GLOB ...]
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = ROOT / "mutants"
EQUIVALENT_LIST = Path(__file__).with_name("equivalent.md")


@dataclass(frozen=True)
class Package:
    name: str
    prefixes: tuple[str, ...]
    """Module prefixes of the mutant names that belong to the package."""
    target: float | None
    """Least share of killed mutants (of those not equivalent), or None for figures only."""


PACKAGES = (
    Package("domain", ("paperex.domain.",), 0.90),
    Package("engine", ("paperex.engine.",), 0.90),
    Package(
        "marketdata",
        ("paperex.marketdata.aggregation.candles.", "paperex.marketdata.local_book."),
        None,
    ),
    Package("host batch writer", ("paperex.apps.trading.host.batch_writer.",), 0.80),
    Package("gateway", ("paperex.apps.trading.gateway.",), 0.80),
    Package("streams", ("paperex.apps.streams.",), 0.80),
)

KILLED_CODES = frozenset({1, 3})
"""Exit codes mutmut records for a mutant that made a test fail (3: pytest's internal error)."""
TIMEOUT_CODES = frozenset({24, -24, 36, 152, 255})
SURVIVED_CODES = frozenset({0})
NO_TESTS_CODES = frozenset({5, 33})

EQUIVALENT_ENTRY = re.compile(r"`(paperex\.[\w.]+__mutmut_\d+)`")


@dataclass
class Figures:
    mutants: int = 0
    killed: int = 0
    timeout: int = 0
    survived: int = 0
    no_tests: int = 0
    equivalent: int = 0
    unchecked: int = 0
    survivors: list[str] = field(default_factory=list)

    @property
    def detected(self) -> int:
        """Mutants a test caught: failed or hung (a timeout is a change the tests noticed)."""
        return self.killed + self.timeout

    @property
    def ratio(self) -> float | None:
        """Share of detected mutants among the checked, non-equivalent ones; None if none."""
        judged = self.detected + self.survived + self.no_tests
        return self.detected / judged if judged else None


def load_exit_codes(mutants_dir: Path) -> dict[str, int | None]:
    """Every mutant's recorded exit code (None: not run yet), by mutant name."""
    codes: dict[str, int | None] = {}
    for meta in sorted(mutants_dir.rglob("*.py.meta")):
        codes.update(json.loads(meta.read_text())["exit_code_by_key"])
    return codes


def load_equivalents(text: str) -> set[str]:
    """The mutant names listed in the equivalents file's text."""
    return set(EQUIVALENT_ENTRY.findall(text))


def package_of(mutant: str) -> Package | None:
    """The package a mutant belongs to, or None when it is outside every package."""
    return next((p for p in PACKAGES if mutant.startswith(p.prefixes)), None)


def tally(
    codes: Mapping[str, int | None], equivalents: Iterable[str], only: Sequence[str] = ()
) -> dict[str, Figures]:
    """Figures per package name for the mutants matching ``only`` (all when empty)."""
    equivalent = set(equivalents)
    figures = {p.name: Figures() for p in PACKAGES}
    for mutant, code in sorted(codes.items()):
        package = package_of(mutant)
        if package is None or (only and not any(fnmatch.fnmatch(mutant, g) for g in only)):
            continue
        row = figures[package.name]
        row.mutants += 1
        if code is None:
            row.unchecked += 1
        elif code in KILLED_CODES:
            row.killed += 1
        elif code in TIMEOUT_CODES:
            row.timeout += 1
        elif mutant in equivalent:
            row.equivalent += 1
        elif code in SURVIVED_CODES:
            row.survived += 1
            row.survivors.append(mutant)
        elif code in NO_TESTS_CODES:
            row.no_tests += 1
            row.survivors.append(mutant)
        else:  # suspicious, segfault: the run itself went wrong, so nothing was proven
            row.survived += 1
            row.survivors.append(mutant)
    return figures


def stale_equivalents(codes: Mapping[str, int | None], equivalents: Iterable[str]) -> list[str]:
    """Listed equivalents that are no longer surviving mutants (renumbered, removed or killed);
    one not run this time (outside a sample) is not judged."""
    checked = {m: code for m, code in codes.items() if code is not None}
    return sorted(m for m in equivalents if m in checked and checked[m] not in SURVIVED_CODES) + (
        sorted(m for m in equivalents if m not in codes)
    )


def failures(figures: Mapping[str, Figures], packages: Sequence[Package] = PACKAGES) -> list[str]:
    """One line for each package whose killed ratio is below its target."""
    lines = []
    for package in packages:
        ratio, target = figures[package.name].ratio, package.target
        if target is not None and ratio is not None and ratio < target:
            lines.append(f"{package.name}: {ratio:.1%} killed, target {target:.0%}")
    return lines


def render(figures: Mapping[str, Figures]) -> str:
    """The figures as a fixed-width table."""
    header = (
        f"{'package':<18}{'mutants':>8}{'killed':>8}{'timeout':>8}{'survived':>9}"
        f"{'no tests':>9}{'equiv.':>7}{'unrun':>7}{'ratio':>8}{'target':>8}"
    )
    lines = [header]
    for package in PACKAGES:
        row = figures[package.name]
        ratio = "-" if row.ratio is None else f"{row.ratio:.1%}"
        target = "-" if package.target is None else f"{package.target:.0%}"
        lines.append(
            f"{package.name:<18}{row.mutants:>8}{row.killed:>8}{row.timeout:>8}"
            f"{row.survived:>9}{row.no_tests:>9}{row.equivalent:>7}{row.unchecked:>7}"
            f"{ratio:>8}{target:>8}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 below a target")
    parser.add_argument("--only", nargs="*", default=[], help="mutant name globs to count")
    parser.add_argument("--survivors", action="store_true", help="list surviving mutants")
    arguments = parser.parse_args(argv)
    codes = load_exit_codes(MUTANTS)
    if not codes:
        print(f"no mutmut results under {MUTANTS}: run `make mutation` first", file=sys.stderr)
        return 2
    equivalents = load_equivalents(EQUIVALENT_LIST.read_text())
    figures = tally(codes, equivalents, arguments.only)
    print(render(figures))
    if arguments.survivors:
        for package in PACKAGES:
            for mutant in figures[package.name].survivors:
                print(f"survived: {mutant}")
    for mutant in stale_equivalents(codes, equivalents):
        print(f"warning: {mutant} is listed as equivalent but is not a surviving mutant")
    below = failures(figures)
    for line in below:
        print(f"BELOW TARGET {line}")
    return 1 if arguments.check and below else 0


if __name__ == "__main__":
    sys.exit(main())
