"""The notebook tutorial (docs/tutorial.ipynb) runs from top to bottom, and is committed without outputs."""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "tutorial.ipynb"


def test_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "the tutorial has code cells"
    assert all(not c.outputs and c.execution_count is None for c in code)


def test_tutorial_executes(tmp_path):
    """Execute every cell in a fresh kernel (what `pytest --nbmake docs/tutorial.ipynb` does)."""
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    start = time.perf_counter()
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent.parent)}}
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, if any cell fails
    elapsed = time.perf_counter() - start
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 3, "the charts are drawn"
    assert elapsed < 60, f"the tutorial took {elapsed:.0f} s"
