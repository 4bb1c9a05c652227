"""Back to the agencies: an agency's own records with flags, audited, no other identifiers."""

import json

import cli
from appdb import database


def test_flags_of_an_agency_on_the_tiny_store(tiny_store, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("COVERAGE_APP_DB", str(tmp_path / "app.sqlite"))
    code = cli.main(["agency-flags", "S2", "--as-of", "2024-06-15", "--user", "ana"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == "record_id,found_in_other_registries,covered,covered_on"
    rows = {line.split(",")[0]: line.split(",")[1:] for line in out[1:]}
    # S2 holds persons 13, 15, 16, 101 (fixture): 13 is also in S1 and covered on 30 June
    # (service B from 30 June); 15, 16 and 101 are in S2 only; none of them is covered.
    assert rows["S2-13"] == ["S1", "True", "2024-06-30"]
    assert rows["S2-16"] == ["", "False", "2024-06-30"]
    assert rows["S2-101"] == ["", "False", "2024-06-30"]
    assert set(rows) == {"S2-13", "S2-15", "S2-16", "S2-101"}
    assert not any("S1-" in line for line in out)  # no other agency's identifiers
    audit = (
        database.connect(tmp_path / "app.sqlite")
        .execute("select user_name, action, detail from audit_log")
        .fetchall()
    )
    assert [(r[0], r[1], json.loads(r[2])) for r in audit] == [
        ("ana", "agency_flags_export", {"source": "S2", "as_of": "2024-06-15", "records": 4})
    ]


def test_an_unknown_agency_is_refused(tiny_store, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("COVERAGE_APP_DB", str(tmp_path / "app.sqlite"))
    assert cli.main(["agency-flags", "NOPE"]) == 1
    assert "unknown source 'NOPE'" in capsys.readouterr().err


def test_bench_prints_precision_and_recall_at_two_dirt_rates(capsys):
    assert cli.main(["bench", "linkage", "--people", "600"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("dirt 10%:")
    assert lines[2].startswith("dirt 30%:")
    assert "precision" in lines[1]
    assert "recall" in lines[2]
