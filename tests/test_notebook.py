"""The example notebook runs headless from top to bottom."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "notebook.ipynb"


def test_notebook_runs(tmp_path: Path) -> None:
    """Every cell of examples/notebook.ipynb executes without error and the tables print."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    text = "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )
    assert "attainment" in text
    assert "recommended for 95%" in text
    assert "rounded up" in text  # the recommendation shows the exact and the rounded target
    assert "first_response  met" in text  # satisfaction of met against breached SLAs
    # NPS by priority shows as whole numbers (-15, not -15.00)
    nps_table = text.split("detractors  nps\n")[1].split("\n\n")[0].splitlines()
    assert len(nps_table) == 4
    assert all(re.fullmatch(r"-?\d+", line.split()[-1]) for line in nps_table), nps_table
    images = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    assert 4 == len(images)
