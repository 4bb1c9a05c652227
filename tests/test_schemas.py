"""The published table schemas match the importer, and the sample files pass both."""

import json
from pathlib import Path

import pytest

import settings
from ingest import validation

frictionless = pytest.importorskip("frictionless")
KINDS = list(validation.COLUMNS)


def schema(kind):
    return json.loads((settings.DATA_DIR / "schemas" / f"{kind}.json").read_text("utf-8"))


@pytest.mark.parametrize("kind", KINDS)
def test_schema_fields_are_the_canonical_columns(kind):
    fields = schema(kind)["fields"]
    assert [f["name"] for f in fields] == list(validation.COLUMNS[kind])
    required = [f["name"] for f in fields if f.get("constraints", {}).get("required")]
    assert required == [c for c, needed in validation.COLUMNS[kind].items() if needed]


@pytest.mark.parametrize("kind", KINDS)
def test_each_sample_file_is_valid_against_its_schema(kind):
    report = frictionless.validate(
        frictionless.Resource(
            path=f"{kind}.csv",
            basepath=str(settings.DATA_DIR / "samples"),
            schema=frictionless.Schema.from_descriptor(schema(kind)),
        )
    )
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_schema_catches_what_validation_catches(tmp_path):
    bad = tmp_path / "registrations.csv"
    sample = (settings.DATA_DIR / "samples" / "registrations.csv").read_text("utf-8")
    bad.write_text(sample.replace(",12,1201,120101,", ",99,1201,120101,", 1), encoding="utf-8")
    report = frictionless.validate(
        frictionless.Resource(
            path=bad.name,
            basepath=str(tmp_path),
            schema=frictionless.Schema.from_descriptor(schema("registrations")),
        )
    )
    assert not report.valid
    assert report.flatten(["fieldName", "type"]) == [["province_code", "constraint-error"]]


def _report(folder, name: str, kind: str = "registrations"):
    return frictionless.validate(
        frictionless.Resource(
            path=name,
            basepath=str(folder),
            schema=frictionless.Schema.from_descriptor(schema(kind)),
        )  # fmt: skip
    )


def test_optional_columns_may_be_absent_and_columns_in_any_order(tmp_path):
    """Issue 17: the schema demanded all 13 fields in order, so a file the import accepts
    failed with an error on every row; `fieldsMatch: superset` lets a file leave optional
    columns out and order its columns as it likes."""
    from ingest import importer

    text = "registered_on,province_code,record_id,sex\n2024-03-02,12,R-1,F\n2024-03-05,01,R-2,M\n"
    (tmp_path / "few.csv").write_text(text, encoding="utf-8")
    report = _report(tmp_path, "few.csv")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type"])
    request = importer.Request(data=text.encode(), file_name="few.csv", kind="registrations",
                               source="MLVT", key=bytes(32), dry_run=True)  # fmt: skip
    assert importer.run(request, tmp_path / "coverage.duckdb").result == "accepted"


def test_bad_files_are_invalid_at_their_row_and_field(tmp_path):
    rows = ["record_id,province_code,registered_on", "R-1,12,2024-03-02", "R-2,99,2024-03-05",
            ",12,2024-03-06", "R-4,12,2024-13-01"]  # fmt: skip
    (tmp_path / "bad.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    found = _report(tmp_path, "bad.csv").flatten(["rowNumber", "fieldName", "type"])
    assert found == [
        [3, "province_code", "constraint-error"],
        [4, "record_id", "constraint-error"],
        [4, None, "primary-key"],  # frictionless also reports the blank unique key
        [5, "registered_on", "type-error"],
    ]
    (tmp_path / "no_id.csv").write_text("province_code,registered_on\n12,2024-03-02\n", "utf-8")
    assert _report(tmp_path, "no_id.csv").flatten(["fieldName", "type"]) == [
        ["record_id", "missing-label"]
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_the_frictionless_command_accepts_each_sample(kind):
    """The command an agency runs, as the README gives it (paths relative to the checkout)."""
    import subprocess
    import sys

    command = [str(Path(sys.executable).with_name("frictionless")), "validate", "--schema",
               f"data/schemas/{kind}.json", f"data/samples/{kind}.csv", "--json"]  # fmt: skip
    done = subprocess.run(command, cwd=settings.REPO_ROOT, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert json.loads(done.stdout)["valid"] is True, done.stdout[-2000:]
