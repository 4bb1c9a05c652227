"""The published table schemas match the importer, and the sample files pass both."""

import json

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
