"""The example notebooks in examples/ executed against a real `paperex serve`, as a reader runs
them: a Python 3 kernel of this environment, the server's URL in ``PAPEREX_URL``, every other
setting at its default (the demo user, BTCUSDT). Each notebook bounds itself (a count of trades
or seconds); each cell also has a time limit here, so a notebook that hangs fails."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import nbformat
import pytest
from nbclient import NotebookClient

from tests.integration.servers import (
    demo_token,
    jobs_worker,
    prepared_environment,
    running_server,
    unmeasured,
)

pytestmark = pytest.mark.integration
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CELL_SECONDS = 90
"""Per cell: the longest a notebook streams is 30 s; the rest is kernel and server time."""
NOTEBOOK_SETTINGS = ("PAPEREX_URL", "PAPEREX_USERNAME", "PAPEREX_PASSWORD", "PAPEREX_SYMBOL")
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
"""matplotlib's headless backend of IPython kernels (Agg rendering, no display): each figure
becomes a PNG output, which the tests look for."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with (
        prepared_environment(tmp_path_factory.mktemp("examples")) as env,
        running_server(env) as url,
        jobs_worker(env),  # notebook 4's backtest, when the server hands jobs to Celery
    ):
        yield url


def executed(name: str, url: str, work: Path) -> nbformat.NotebookNode:
    """The notebook ``examples/<name>`` after running every cell against ``url``; a cell that
    raises or runs over ``CELL_SECONDS`` fails the test with the cell's traceback."""
    notebook = nbformat.read(EXAMPLES / name, as_version=4)
    environment = {
        name: value
        for name, value in unmeasured(dict(os.environ)).items()
        if name not in NOTEBOOK_SETTINGS
    }
    environment |= {
        "PAPEREX_URL": url,
        "MPLBACKEND": INLINE_BACKEND,
        "IPYTHONDIR": str(work / "ipython"),  # no profile or startup file of the user's
        "JUPYTER_RUNTIME_DIR": str(work / "runtime"),
    }
    client = NotebookClient(
        notebook,
        timeout=CELL_SECONDS,
        startup_timeout=60,
        kernel_name="python3",
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    client.execute(env=environment)
    return notebook


def stdout_of(notebook: nbformat.NotebookNode) -> list[str]:
    """Every line the notebook's cells printed, in order."""
    return [
        line
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.output_type == "stream" and output.name == "stdout"
        for line in output.text.splitlines()
    ]


def images_in(notebook: nbformat.NotebookNode) -> int:
    return sum(
        "image/png" in output.get("data", {})
        for cell in notebook.cells
        for output in cell.get("outputs", [])
    )


def assert_every_code_cell_ran(notebook: nbformat.NotebookNode) -> None:
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells
    assert all(cell.execution_count is not None for cell in code_cells)
    errors = [o for c in code_cells for o in c.outputs if o.output_type == "error"]
    assert errors == []


def test_the_trade_stream_notebook_tabulates_and_charts_live_trades(
    server: str, tmp_path: Path
) -> None:
    notebook = executed("01_trade_stream.ipynb", server, tmp_path)
    assert_every_code_cell_ran(notebook)
    lines = stdout_of(notebook)
    collected = next(line for line in lines if line.endswith("BTCUSDT trades collected"))
    assert 0 < int(collected.split()[0]) <= 100
    assert re.fullmatch(r"done: \d+ trades, last [\d.]+, minimum price [\d.]+", lines[-1])
    assert images_in(notebook) == 1


def test_the_candles_notebook_charts_history_and_live_klines(server: str, tmp_path: Path) -> None:
    notebook = executed("02_candles.ipynb", server, tmp_path)
    assert_every_code_cell_ran(notebook)
    lines = stdout_of(notebook)
    assert "60 1m candles of BTCUSDT from the REST API" in lines
    match = re.fullmatch(r"done: (\d+) candles, (\d+) live updates, last close [\d.]+", lines[-1])
    assert match is not None, lines
    assert int(match[1]) >= 60
    assert int(match[2]) > 0
    assert images_in(notebook) == 1


def test_the_paper_bot_notebook_places_and_cancels_its_orders(server: str, tmp_path: Path) -> None:
    notebook = executed("03_paper_bot.ipynb", server, tmp_path)
    assert_every_code_cell_ran(notebook)
    assert stdout_of(notebook)[-1] == "done: 4 orders placed and cancelled, USDT balance unchanged"
    # What the server itself holds: the bot's four orders, each cancelled and unfilled.
    token = demo_token(server)
    orders = httpx.get(
        f"{server}/api/orders/",
        params={"symbol": "BTCUSDT", "limit": 100},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()["results"]
    bot_orders = [o for o in orders if o["client_order_id"].startswith("notebook-bot-")]
    assert len(bot_orders) == 4
    assert {(o["status"], o["executed_quantity"]) for o in bot_orders} == {("CANCELED", "0")}


def test_the_backtest_notebook_runs_a_backtest_on_the_server_and_charts_it(
    server: str, tmp_path: Path
) -> None:
    notebook = executed("04_backtest.ipynb", server, tmp_path)
    assert_every_code_cell_ran(notebook)
    lines = stdout_of(notebook)
    assert re.fullmatch(r"done: \d+ bars of BTCUSDT, \d+ trades", lines[0]), lines
    match = re.fullmatch(
        r"done: (\d+) closed trades, total return -?[\d.]+%, buy and hold -?[\d.]+%", lines[-1]
    )
    assert match is not None, lines
    assert int(match[1]) > 0
    assert images_in(notebook) == 1
