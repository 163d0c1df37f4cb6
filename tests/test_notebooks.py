"""The researchers' notebooks: jupytext percent scripts paired with .ipynb files stored without
outputs; each runs top to bottom on a fresh kernel with the inline backend, and every cell that
draws a figure shows one."""

from __future__ import annotations

import re

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

import weegtool

from .conftest import ROOT
from .demo_export import demo_export_fixture  # noqa: F401  (the fixture demo_export)

FOLDER = ROOT / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
NAMES = [
    "01_reliability",
    "02_weights",
    "03_thresholds_and_sensitivity",
    "04_versions_and_fairness",
    "05_overrides",
    "06_reliable_change",
]
DRAWS = re.compile(r"plt\.(subplots|figure)\(")
INLINE = "module://matplotlib_inline.backend_inline"


def test_the_six_notebooks_are_there_each_with_its_script():
    assert [p.stem for p in NOTEBOOKS] == NAMES
    assert sorted(p.stem for p in FOLDER.glob("*.py")) == NAMES  # no builder of cell strings


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(not cell.outputs and cell.execution_count is None for cell in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_script_and_the_notebook_are_in_sync(path):
    """Edit the .py (linted by ruff) and run `jupytext --sync notebooks/*.py` (`make format` does)."""
    notebook = nbformat.read(path, as_version=4)
    script = jupytext.read(path.with_suffix(".py"))
    assert notebook.metadata["jupytext"]["formats"] == "ipynb,py:percent"
    cells = [(c.cell_type, c.source) for c in notebook.cells]
    assert cells == [(c.cell_type, c.source) for c in script.cells]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """One folder for the whole run: notebook 02 writes version 0.2.0 there, 04 reads it."""
    return tmp_path_factory.mktemp("notebooks")


def execute(path, workdir, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", INLINE)
    monkeypatch.delenv("WEEGTOOL_EXPORT", raising=False)  # synthetic data unless a test says
    monkeypatch.setenv("WEEGTOOL_CALIBRATED", str(workdir / "calibrated"))
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    )
    client.execute()  # raises CellExecutionError with the failing cell and its traceback
    return notebook


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_shows_every_figure(path, workdir, monkeypatch):
    if path.stem == "04_versions_and_fairness" and not (workdir / "calibrated").exists():
        execute(FOLDER / "02_weights.ipynb", workdir, monkeypatch)  # 04 reads what 02 wrote
    notebook = execute(path, workdir, monkeypatch)
    drawing = [c for c in notebook.cells if c.cell_type == "code" and DRAWS.search(c.source)]
    for cell in drawing:
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert images, f"no figure shown by the cell:\n{cell.source[:300]}"
    if path.stem in (
        "01_reliability",
        "03_thresholds_and_sensitivity",
        "05_overrides",
        "06_reliable_change",
    ):
        assert drawing  # these notebooks draw figures; the check above must have something to check


def _shown(cell) -> str:
    return "".join(
        o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.outputs
    )


def test_notebook_03_runs_on_the_researchers_export_of_the_demo_database(
    demo_export, tmp_path, monkeypatch
):
    """Issue 14: the notebook reads the web app's export (WEEGTOOL_EXPORT) as it reads synthetic data;
    the demo's nine outcomes are too few for a verdict, which it says rather than deciding or failing."""
    path = FOLDER / "03_thresholds_and_sensitivity.ipynb"
    monkeypatch.setenv("MPLBACKEND", INLINE)
    monkeypatch.setenv("WEEGTOOL_EXPORT", str(demo_export))
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    code = [c for c in notebook.cells if c.cell_type == "code"]
    shown = [_shown(c) for c in code]
    assert any(
        f"data: the export in {demo_export}; 24 assessable candidates, 9 placed, 3 breakdowns "
        "and 6 placements that lasted (or go on)" in text
        for text in shown
    )
    verdicts = next(c for c in code if c.source.startswith("MARGINS"))
    assert "none: too few outcomes (3 breakdowns, 6 lasted; 20 of each needed)" in _shown(verdicts)
    assert any("how selection moved the verdicts cannot be shown" in text for text in shown)
    for cell in code:
        assert not [o for o in cell.outputs if o.get("output_type") == "error"]
        assert not any("RuntimeWarning" in o.get("text", "") for o in cell.outputs), cell.source[
            :200
        ]
        if DRAWS.search(cell.source):
            assert [o for o in cell.outputs if "image/png" in o.get("data", {})], cell.source[:300]


def test_notebook_06_writes_the_reliability_once_and_its_verdicts_find_the_planted_changes(
    tmp_path, monkeypatch
):
    """Issue 15: reliability estimated on a synthetic cohort, written into calibrated 0.1.1 (a second,
    different 0.1.1 refused), and the reliable-change verdicts on the total find the planted changes."""
    notebook = execute(FOLDER / "06_reliable_change.ipynb", tmp_path, monkeypatch)
    text = "\n".join(_shown(c) for c in notebook.cells if c.cell_type == "code")
    written = weegtool.load_instrument(
        tmp_path / "calibrated" / "twente-specialistisch-wonen-0.1.1.yaml"
    )
    assert written.status == "calibrated" and written.measurement() is not None
    assert all(written.measurement(d) is not None for d in written.domain_ids)
    assert "refused: " in text and "exists with other content" in text
    found = re.search(
        r"unchanged residents with a 'reliable' change of the total: (\d+)% .* planted changes "
        r"found: improved (\d+)%, worsened (\d+)%",
        text,
    )
    assert found, text[-2000:]
    false_alarms, improved, worsened = map(int, found.groups())
    assert false_alarms <= 10 and improved >= 70 and worsened >= 70
    assert "verdict 'unknown', why 'no_reliability'" in text
