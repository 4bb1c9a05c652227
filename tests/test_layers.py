"""The layer contract holds for dashboard/, and the checker catches each kind of breach."""

import shutil
from pathlib import Path

import pytest

import layers

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard"


def test_the_dashboard_keeps_its_layers():
    assert layers.violations(DASHBOARD) == []


def test_every_unit_of_the_dashboard_has_a_layer():
    units = {name.split(".")[0] for name in layers.modules(DASHBOARD)}
    assert units <= set(layers.RANK)


@pytest.fixture
def tree(tmp_path):
    copy = tmp_path / "dashboard"
    shutil.copytree(DASHBOARD, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + "\n" + text + "\n")


def test_a_page_importing_duckdb_is_a_breach(tree):
    append(tree / "app_pages/coverage.py", "import duckdb")
    assert any("app_pages.coverage" in v and "imports duckdb" in v for v in layers.violations(tree))


def test_ingest_importing_streamlit_is_a_breach(tree):
    append(tree / "ingest/importer.py", "def _progress():\n    import streamlit as st\n")
    assert any("ingest.importer" in v and "streamlit" in v for v in layers.violations(tree))


def test_an_import_cycle_inside_a_function_is_a_breach(tree):
    # coverage_charts imports classes; this makes classes import coverage_charts back.
    append(tree / "charts/classes.py", "def _late():\n    from charts import coverage_charts\n")
    problems = layers.violations(tree)
    assert "import cycle: charts.classes -> charts.coverage_charts" in problems


def test_a_lower_layer_importing_a_higher_one_is_a_breach(tree):
    append(tree / "store/storage.py", "def _late():\n    from data_access import reads\n")
    assert any("store.storage" in v and "higher layer" in v for v in layers.violations(tree))


def test_a_cycle_between_sibling_packages_is_a_breach(tree):
    append(tree / "appdb/accounts.py", "from ingest import readers")  # ingest already imports appdb
    assert "cycle between packages: appdb -> ingest" in layers.violations(tree)
