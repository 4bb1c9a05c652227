import csv
import io
import json
import subprocess
import sys

import cli
from browser import REPO


def run_cli(capsys, *args):
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_table_csv_has_hidden_cells_empty_with_flags(tiny_store, capsys):
    code, out, _ = run_cli(capsys, "table", "coverage", "--by", "province", "--as-of", "2024-06-30")
    assert code == 0
    rows = {r["province_code"]: r for r in csv.DictReader(io.StringIO(out))}
    assert len(rows) == 26
    # hand-worked in test_data_access: Phnom Penh's 2 not covered is below 10, nothing else
    assert rows["12"]["registered_not_covered_count"] == ""
    assert rows["12"]["registered_not_covered_count_suppressed"] == "True"
    assert rows["12"]["covered_count"] == "13"
    assert rows["12"]["covered_count_suppressed"] == "False"
    assert rows["12"]["suppressed"] == "True"
    assert rows["KH"]["registered_count"] == "16"
    assert rows["01"]["covered_count"] == "0"
    assert rows["12"]["numerator_reference_date"] == "2024-06-30"
    assert rows["12"]["denominator_reference_date"] == "2024-07-01"


def test_table_json_filters_like_the_page(tiny_store, capsys):
    code, out, _ = run_cli(
        capsys, "table", "coverage", "--occupation", "tuk_tuk_driver", "--format", "json"
    )
    assert code == 0
    rows = {r["province_code"]: r for r in json.loads(out)}
    assert rows["KH"]["informal_workers_est"] == 850  # 3,400 x 0.25
    assert rows["KH"]["registered_count"] == 13
    # persons 1-10, 12 and 13 covered on 30 June (11's episode ended on the 29th): 12 and 1
    assert rows["12"]["covered_count"] == 12
    assert rows["12"]["registered_not_covered_count"] is None


def test_unknown_value_is_one_clear_line_and_nonzero_exit(tiny_store, capsys):
    code, _, err = run_cli(capsys, "table", "coverage", "--source", "NOPE")
    assert code == 1
    assert err.startswith("error: unknown source 'NOPE'")
    assert "Traceback" not in err


def test_missing_store_is_reported_plainly(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COVERAGE_DB", str(tmp_path / "x.duckdb"))
    code, _, err = run_cli(capsys, "table", "coverage")
    assert code == 1
    assert "no store at" in err


def test_module_entry_point_runs(tiny_store):
    result = subprocess.run(
        [sys.executable, "-m", "dashboard", "table", "coverage", "--sex", "F"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("\ufeff") is False
    assert result.stdout.splitlines()[0].startswith("province_code,")


def test_a_repeated_service_option_keeps_every_service(tiny_store, capsys):
    """Issue 16: `--service A --service B` kept only B; repeated, listed and comma forms agree."""
    base = ["table", "coverage", "--as-of", "2024-06-30", "--format", "json"]
    _, listed, _ = run_cli(capsys, *base, "--service", "A", "B")
    _, repeated, _ = run_cli(capsys, *base, "--service", "A", "--service", "B")
    _, commas, _ = run_cli(capsys, *base, "--service", "A,B")
    _, only_b, _ = run_cli(capsys, *base, "--service", "B")
    assert repeated == listed
    assert commas == listed
    assert listed != only_b
