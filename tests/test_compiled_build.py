"""Choosing between a package's compiled and pure Python builds (paperex.support.compiled_build).

A package in a temporary folder stands in for the engine: one module with its source and a file
where its compiled extension would be. The "extension" is not loadable, so a test that imports
the module proves which file the importer took.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

from paperex.support.compiled_build import BuildChoiceError, SourceOnlyFinder, choose_build

PACKAGE = "paperex_build_probe"


@pytest.fixture
def package(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / PACKAGE
    directory.mkdir()
    (directory / "__init__.py").write_text("")
    (directory / "module.py").write_text("LOADED_FROM = 'source'\n")
    sys.path.insert(0, str(tmp_path))
    yield directory
    sys.path.remove(str(tmp_path))
    sys.meta_path[:] = [
        f for f in sys.meta_path if not (isinstance(f, SourceOnlyFinder) and f.package == PACKAGE)
    ]
    for name in [name for name in sys.modules if name.startswith(PACKAGE)]:
        del sys.modules[name]


def extension(directory: Path, *, age_seconds: float = 0) -> Path:
    """A file where the module's compiled extension goes, ``age_seconds`` older than now."""
    path = directory / f"module{EXTENSION_SUFFIXES[0]}"
    path.write_bytes(b"not a shared library")
    source_mtime = (directory / "module.py").stat().st_mtime
    os.utime(path, (source_mtime - age_seconds, source_mtime - age_seconds))
    return path


def choose(directory: Path, setting: str):  # type: ignore[no-untyped-def]
    return choose_build(
        PACKAGE, directory, interpreted=frozenset({"__init__"}), variable="X", setting=setting
    )


def test_a_complete_compiled_build_is_chosen_by_default(package: Path) -> None:
    extension(package)
    build = choose(package, "auto")
    assert build.compiled
    assert build.describe() == "mypyc-compiled (X=auto)"
    assert choose(package, "compiled").compiled


def test_python_takes_the_sources_though_the_extensions_are_there(package: Path) -> None:
    extension(package)
    build = choose(package, "python")
    assert not build.compiled
    from paperex_build_probe import module  # type: ignore[import-not-found]

    assert module.LOADED_FROM == "source"


def test_an_extension_older_than_its_source_falls_back_to_the_sources(package: Path) -> None:
    extension(package, age_seconds=60)
    build = choose(package, "auto")
    assert build.describe() == "pure Python (module.py changed since it was compiled)"
    from paperex_build_probe import module

    assert module.LOADED_FROM == "source"


def test_an_install_writing_sources_just_after_extensions_is_not_stale(package: Path) -> None:
    extension(package, age_seconds=1)
    assert choose(package, "auto").compiled


def test_no_extension_is_the_pure_build(package: Path) -> None:
    assert choose(package, "auto").describe() == "pure Python (module.py has no compiled extension)"


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("compiled", "X=compiled, but module.py has no compiled extension"),
        ("fast", "X must be one of auto, compiled, python, not 'fast'"),
    ],
)
def test_a_build_that_cannot_run_is_refused(package: Path, setting: str, message: str) -> None:
    with pytest.raises(BuildChoiceError, match=message):
        choose(package, setting)
