"""Each import contract in pyproject.toml really catches the import it forbids."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports_on_copy(
    tmp_path: Path, module: str | None, line: str
) -> subprocess.CompletedProcess[str]:
    """Run the contracts on a copy of the source tree, with `line` appended to `module`."""
    source = tmp_path / "src"
    shutil.copytree(
        ROOT / "src" / "paperex", source / "paperex", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    if module is not None:
        target = source / Path(*module.split(".")).with_suffix(".py")
        target.write_text(target.read_text() + f"\n{line}\n")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(source), "PATH": str(Path(sys.executable).parent)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_untouched_tree_keeps_the_contracts(tmp_path: Path) -> None:
    result = lint_imports_on_copy(tmp_path, None, "")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("paperex.domain.__init__", "import django"),
        ("paperex.engine.__init__", "from django.db import models"),
        ("paperex.marketdata.__init__", "import rest_framework"),
        ("paperex.backtest.__init__", "import channels"),
        ("paperex.analysis.day", "import django"),
        ("paperex.analysis.day", "import paperex.apps.core"),
        ("paperex.analysis.day", "import paperex.backtest"),
        ("paperex.domain.__init__", "import paperex.engine"),
        ("paperex.engine.__init__", "import paperex.config.settings"),
        ("paperex.support.__init__", "import django"),
        ("paperex.support.__init__", "import paperex.domain"),
    ],
)
def test_a_forbidden_import_breaks_the_contracts(tmp_path: Path, module: str, line: str) -> None:
    result = lint_imports_on_copy(tmp_path, module, line)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        (
            "paperex.apps.trading.selectors.orders",
            "import paperex.apps.trading.api.orders",
            "Trading: api -> services, selectors -> gateway -> host -> protocol",
        ),
        (
            "paperex.apps.trading.host.batch_writer",
            "import paperex.apps.trading.services.orders",
            "Trading: api -> services, selectors -> gateway -> host -> protocol",
        ),
        (
            "paperex.apps.streams.consumers.user_stream",
            "import paperex.apps.trading.host.host",
            "Only the gateway reaches the engine host",
        ),
        (
            "paperex.apps.core.amounts",
            "import paperex.apps.markets.models",
            "Django apps form a one-way graph around a leaf core",
        ),
        (
            "paperex.apps.trading.models",
            "import paperex.apps.accounts.models",
            "Django apps form a one-way graph around a leaf core",
        ),
        (
            "paperex.apps.streams.consumers.base",
            "import paperex.apps.binance.ws_api.consumer",
            "Django apps form a one-way graph around a leaf core",
        ),
        (
            "paperex.marketdata.bus",
            "import paperex.marketdata.pipeline",
            "No import cycles inside any package",
        ),
        (
            "paperex.apps.streams.fanout.hub",
            "import paperex.apps.streams.consumers.base",
            "Streams: routes -> consumers -> fan-out machinery",
        ),
    ],
)
def test_each_contract_breaks_on_the_import_it_forbids(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    result = lint_imports_on_copy(tmp_path, module, line)
    assert result.returncode != 0
    assert f"{contract} BROKEN" in result.stdout, result.stdout
