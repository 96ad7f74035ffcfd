"""Optional build step: compile the pure matching engine (``paperex.engine``) with mypyc.

Everything else about the package is in pyproject.toml. The engine's modules are plain,
mypy-strict Python; mypyc turns them into C extensions that run the engine benchmark about
twice as fast. The msgspec commands and events (``paperex.domain``) stay interpreted.

``PAPEREX_MYPYC`` decides:

- unset or ``auto``: compile for a regular install or wheel (``pip install .``) when mypyc and
  a C compiler are there, else fall back to the pure Python modules with a warning; never for
  an editable install, so that edits to the engine's ``.py`` files take effect at once;
- ``1``: compile, also for an editable install (the ``.so`` files then sit next to the
  sources and shadow them until ``make clean-compiled``), and fail loudly if it cannot;
- ``0``: never compile.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from setuptools import setup

ENGINE = Path("src/paperex/engine")
INTERPRETED = {"__init__.py", "snapshot.py"}
"""``__init__`` chooses the build and re-exports; ``snapshot`` is a msgspec Struct, which mypyc
cannot compile. The same as ``paperex.engine.INTERPRETED``."""


def _engine_extensions() -> list[object]:
    mode = os.environ.get("PAPEREX_MYPYC", "auto").strip().lower()
    if mode in {"0", "no", "false", "off"}:
        return []
    editable = any(arg.startswith("editable") for arg in sys.argv)
    if mode == "auto" and editable:
        return []
    required = mode in {"1", "yes", "true", "on"}
    try:
        from mypyc.build import mypycify

        modules = sorted(str(path) for path in ENGINE.glob("*.py") if path.name not in INTERPRETED)
        # No config file: the project's mypy config loads the Django plugin, which a build
        # environment does not have; the engine needs nothing from it.
        extensions = mypycify(
            ["--config-file=", "--strict", *modules],
            opt_level="3",
            group_name="paperex.engine.native",
        )
    except (ImportError, SystemExit, Exception) as error:
        if required:
            raise
        print(f"paperex: not compiling the engine with mypyc ({error!r})", file=sys.stderr)
        return []
    if not required:
        for extension in extensions:
            extension.optional = True  # a failing C compiler leaves the pure modules in use
    return list(extensions)


setup(ext_modules=_engine_extensions())
