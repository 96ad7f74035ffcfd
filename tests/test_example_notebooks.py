"""The notebooks in examples/ are committed clean: no outputs, no execution counts, valid
nbformat (they are executed against a real server by tests/integration/test_examples.py)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


def unclean_cells(notebook: nbformat.NotebookNode) -> list[int]:
    """The indexes of the code cells that carry outputs or an execution count."""
    return [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]


def test_the_examples_are_there() -> None:
    names = [path.name for path in NOTEBOOKS]
    assert names == [
        "01_trade_stream.ipynb",
        "02_candles.ipynb",
        "03_paper_bot.ipynb",
        "04_backtest.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_a_committed_notebook_has_no_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert unclean_cells(notebook) == [], f"{path.name}: strip its outputs before committing"
    assert notebook.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_a_notebook_reads_the_server_url_from_the_environment(path: Path) -> None:
    source = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells)
    assert 'os.environ.get("PAPEREX_URL", "http://127.0.0.1:8000")' in source


def test_a_notebook_with_an_output_or_a_count_is_caught() -> None:
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("text"),
            nbformat.v4.new_code_cell("1", execution_count=1),
            nbformat.v4.new_code_cell(
                "print(2)", outputs=[nbformat.v4.new_output("stream", name="stdout", text="2")]
            ),
            nbformat.v4.new_code_cell("3"),
        ]
    )
    assert unclean_cells(notebook) == [1, 2]
