"""Which build of a package runs: its mypyc-compiled modules or its pure Python ones.

The install (``pip install .``, and ``make`` in place) compiles a package's modules with mypyc
(``setup.py``; the matching engine's) into extension modules beside their sources, and Python's
importer prefers an extension module to a source file of the same name. So the compiled build
runs whenever it is complete. The package's setting chooses, before its first module loads:

- ``auto``: compiled when every module has its extension and none is older than its source (an
  edit since the last build would otherwise be ignored without a word), else pure Python;
- ``compiled``: compiled, or a BuildChoiceError that says why not;
- ``python``: the pure Python modules (the fallback's tests, coverage, mutation testing).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.abc import MetaPathFinder
from importlib.machinery import EXTENSION_SUFFIXES, ModuleSpec
from pathlib import Path
from types import ModuleType

CHOICES = ("auto", "compiled", "python")
MTIME_SLACK_SECONDS = 2.0
"""An install writes sources and extensions in one go, in no set order."""


class BuildChoiceError(ImportError):
    """The setting names no build, or a build that cannot run here."""


@dataclass(frozen=True)
class Build:
    compiled: bool
    reason: str

    def describe(self) -> str:
        return f"{'mypyc-compiled' if self.compiled else 'pure Python'} ({self.reason})"


def compiled_unusable_reason(directory: Path, interpreted: frozenset[str]) -> str | None:
    """Why the modules of ``directory`` (but ``interpreted``) cannot run compiled, or None."""
    for source in sorted(directory.glob("*.py")):
        if source.stem in interpreted:
            continue
        built = [
            path
            for path in (directory / f"{source.stem}{suffix}" for suffix in EXTENSION_SUFFIXES)
            if path.exists()
        ]
        if not built:
            return f"{source.name} has no compiled extension"
        if source.stat().st_mtime > built[0].stat().st_mtime + MTIME_SLACK_SECONDS:
            return f"{source.name} changed since it was compiled"
    return None


@dataclass(frozen=True)
class SourceOnlyFinder(MetaPathFinder):
    """Finds a package's modules as ``.py`` files, passing over their compiled extensions."""

    package: str
    directory: Path

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        package, _, name = fullname.rpartition(".")
        source = self.directory / f"{name}.py"
        if package != self.package or not source.exists():
            return None
        return importlib.util.spec_from_file_location(fullname, source)


def choose_build(
    package: str, directory: Path, *, interpreted: frozenset[str], variable: str, setting: str
) -> Build:
    """The build of ``package`` for ``setting`` (the value of ``variable``); for pure Python,
    makes the importer take the package's sources from here on."""
    choice = setting.strip().lower() or "auto"
    if choice not in CHOICES:
        raise BuildChoiceError(f"{variable} must be one of {', '.join(CHOICES)}, not {setting!r}")
    if choice == "python":
        build = Build(compiled=False, reason=f"{variable}=python")
    else:
        unusable = compiled_unusable_reason(directory, interpreted)
        if unusable is None:
            return Build(compiled=True, reason=f"{variable}={choice}")
        if choice == "compiled":
            raise BuildChoiceError(f"{variable}=compiled, but {unusable}")
        build = Build(compiled=False, reason=unusable)
    finder = SourceOnlyFinder(package, directory)
    if finder not in sys.meta_path:
        sys.meta_path.insert(0, finder)
    return build
