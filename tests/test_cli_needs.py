"""`python -m dashboard table needs` prints the ranking the needs page shows."""

import csv
import io
import json

import pytest

from test_cli import run_cli


@pytest.fixture(autouse=True)
def _signed_in_analyst(signed_in):
    signed_in("analyst")  # these pages are tested as an analyst sees them


def test_needs_csv_is_the_hand_worked_ranking(needs_store, capsys):
    code, out, _ = run_cli(capsys, "table", "needs", "--by", "province", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    # see tests/test_needs.py: 03 (55.0), 02 (about 53.3), 01 (about 32.0)
    assert [r["province_code"] for r in rows] == ["03", "02", "01"]
    assert [r["needs_rank"] for r in rows] == ["1", "2", "3"]
    assert float(rows[0]["needs_index"]) == pytest.approx(55.0)
    assert rows[0]["as_of"] == "2024-06-30"
    assert rows[1]["gap_count"] == "470"
    assert rows[0]["gap_count_weight"] == "25.0"


def test_needs_weights_on_the_command_line_rerank(needs_store, capsys):
    code, out, _ = run_cli(capsys, "table", "needs", "--weight", "gap_count=50", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [r["province_code"] for r in rows] == ["02", "03", "01"]
    assert rows[1]["needs_index"] == pytest.approx(44.0)


def test_hidden_inputs_are_empty_with_flags(needs_store, capsys, monkeypatch):
    monkeypatch.setenv("COVERAGE_MIN_COUNT", "13")
    code, out, _ = run_cli(capsys, "table", "needs")
    assert code == 0
    row = {r["province_code"]: r for r in csv.DictReader(io.StringIO(out))}["03"]
    assert row["gap_count"] == ""  # covered 12 is below 13: the gap cannot be shown
    assert row["gap_count_suppressed"] == "True"
    assert row["needs_rank"] != ""  # ranked all the same, on the inputs it shows
    assert "gap_count" in row["inputs_left_out"].split(",")


def test_unknown_weight_is_one_clear_line(needs_store, capsys):
    code, _, err = run_cli(capsys, "table", "needs", "--weight", "nope=3")
    assert code == 1
    assert err.startswith("error: unknown needs input 'nope'")


@pytest.mark.parametrize("weight", ["-5", "nan", "1e308", "inf", "101"])
def test_a_weight_outside_the_pages_range_is_one_clear_line(needs_store, capsys, weight):
    """Issue 16: negative, not-a-number and huge weights were accepted."""
    code, out, err = run_cli(capsys, "table", "needs", "--weight", f"gap_count={weight}")
    assert code == 1
    assert out == ""
    assert (
        err == f"error: a weight is a number from 0 to 100, as on the needs page: "
        f"--weight 'gap_count={weight}'\n"
    )


def test_repeated_and_comma_separated_options_all_count(needs_store, capsys):
    """`--weight a --weight b` kept only b; both forms now give what one option with both does."""
    both = ["--weight", "gap_count=50", "gap_rate=0", "--format", "json"]
    _, expected, _ = run_cli(capsys, "table", "needs", *both)
    repeated = ["--weight", "gap_count=50", "--weight", "gap_rate=0", "--format", "json"]
    assert run_cli(capsys, "table", "needs", *repeated)[1] == expected
    commas = ["--weight", "gap_count=50,gap_rate=0", "--format", "json"]
    assert run_cli(capsys, "table", "needs", *commas)[1] == expected
    only_gap = json.loads(run_cli(capsys, "table", "needs", "--weight", "gap_count=50",
                                  "--format", "json")[1])  # fmt: skip
    assert json.loads(expected) != only_gap  # the second weight is not dropped


@pytest.mark.app
def test_command_line_prints_the_ranking_the_page_shows(demo_store_file, monkeypatch, capsys):
    from streamlit.testing.v1 import AppTest

    from test_app_needs import APP, table_with

    monkeypatch.setenv("COVERAGE_DB", str(demo_store_file))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/needs.py").run()
    page = table_with(at, "Needs index")
    code, out, _ = run_cli(capsys, "table", "needs", "--by", "province", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["province_name_en"] for r in rows] == page["Province"].tolist()
    printed = [f"{float(r['needs_index']):.1f}" if r["needs_index"] else "–" for r in rows]
    assert printed == page["Needs index"].tolist()
    # the page marks a rank made without some inputs with †, and a province left unranked
    # (every input hidden) with a dash; the file names the inputs and leaves the rank empty
    marked = [
        "–" if not r["needs_rank"] else f"{r['needs_rank']} †" if r["inputs_left_out"]
        else r["needs_rank"] for r in rows
    ]  # fmt: skip
    assert marked == page["Rank"].tolist()
