"""Import templates: the committed files are the generated ones, and the import accepts them.

Issue 17: for each kind of file, a CSV and an XLSX template (header, example row; the
workbook with a notes sheet) and the table schema, on the Import page and in
data/samples/templates/.
"""

import csv
import io
import json

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

import conftest
import settings
from ingest import importer, readers, templates, validation

KINDS = list(validation.COLUMNS)
FOLDER = settings.DATA_DIR / "samples" / "templates"
NAMES = {kind: [f"{kind}_template.csv", f"{kind}_template.xlsx", f"{kind}.schema.json"]
         for kind in KINDS}  # fmt: skip


def schema(kind: str) -> dict:
    return json.loads((settings.DATA_DIR / "schemas" / f"{kind}.json").read_text("utf-8"))


def test_the_committed_templates_are_what_the_module_makes():
    """Regenerate with `PYTHONPATH=dashboard python -m ingest.templates` when this fails."""
    expected = sorted(name for names in NAMES.values() for name in names)
    assert sorted(p.name for p in FOLDER.iterdir()) == expected
    for kind in KINDS:
        made = templates.files(kind)
        assert sorted(made) == sorted(NAMES[kind])
        for name, data in made.items():
            assert (FOLDER / name).read_bytes() == data, f"{name} differs from what is generated"


def test_a_template_is_the_same_bytes_each_time_it_is_made():
    assert templates.to_xlsx("registrations") == templates.to_xlsx("registrations")


@pytest.mark.parametrize("kind", KINDS)
def test_the_schema_file_is_the_published_schema(kind):
    assert json.loads((FOLDER / f"{kind}.schema.json").read_text("utf-8")) == schema(kind)


@pytest.mark.parametrize("kind", KINDS)
def test_the_csv_template_has_the_canonical_header_and_one_example_row(kind):
    rows = list(csv.reader(io.StringIO((FOLDER / f"{kind}_template.csv").read_text("utf-8"))))
    assert rows[0] == [field["name"] for field in schema(kind)["fields"]]
    assert len(rows) == 2
    assert rows[1][0] != ""  # the first column is required in every kind: it has a value


@pytest.mark.parametrize("kind", KINDS)
def test_the_xlsx_opens_with_a_data_sheet_and_a_notes_line_per_column(kind):
    book = openpyxl.load_workbook(FOLDER / f"{kind}_template.xlsx")
    assert book.sheetnames == ["data", "notes"]
    rows = book["data"].iter_rows(values_only=True)
    data = [["" if cell is None else cell for cell in row] for row in rows]
    csv_rows = list(csv.reader(io.StringIO((FOLDER / f"{kind}_template.csv").read_text("utf-8"))))
    assert data == csv_rows  # the same header and example row, as text ("01" keeps its zero)
    notes = list(book["notes"].iter_rows(values_only=True))
    assert notes[0] == ("column", "required", "format", "meaning", "allowed values")
    fields = schema(kind)["fields"]
    assert [row[0] for row in notes[1:]] == [f["name"] for f in fields]
    for row, field in zip(notes[1:], fields, strict=True):
        required = field.get("constraints", {}).get("required", False)
        assert row[1] == ("yes" if required else "no")
        assert row[3] == field["description"]
        for code in field.get("constraints", {}).get("enum", []):
            assert code in row[4].split(", ")


def test_the_notes_say_formats_and_bounds():
    notes = {row[0]: row for row in templates.notes("population")}
    assert notes["year"][2] == "whole number, from 1900, up to 2100"
    assert notes["reference_date"][2] == "date YYYY-MM-DD"
    registrations = {row[0]: row for row in templates.notes("registrations")}
    assert registrations["disability"][4] == "true, yes, 1 / false, no, 0"
    assert registrations["district_code"][4] == "pattern \\d{4}"
    assert registrations["record_id"][4] == "unique in the file"


@pytest.mark.parametrize("kind", KINDS)
def test_the_csv_template_is_valid_against_its_schema(kind):
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(
        frictionless.Resource(
            path=f"{kind}_template.csv",
            basepath=str(FOLDER),
            schema=frictionless.Schema.from_descriptor(schema(kind)),
        )
    )
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


@pytest.fixture(scope="module")
def registered_store(tmp_path_factory):
    """A new store with the record the uptake example names (EX-000001 of source EXAMPLE)."""
    path = tmp_path_factory.mktemp("templates") / "coverage.duckdb"
    data = b"record_id,province_code,registered_on\nEX-000001,12,2024-03-02\n"
    request = importer.Request(data=data, file_name="register.csv",
                               kind="registrations", source="EXAMPLE", key=bytes(32),
                               user="test")  # fmt: skip
    outcome = importer.run(request, path)
    assert outcome.result == "accepted", outcome.report.lines()
    assert outcome.stats["rows_loaded"] == 1
    return path


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_each_template_passes_the_import_in_a_dry_run(registered_store, kind, suffix):
    name = f"{kind}_template.{suffix}"
    request = importer.Request(
        data=(FOLDER / name).read_bytes(), file_name=name, kind=kind,
        source="EXAMPLE" if kind in ("registrations", "uptake") else None, key=bytes(32),
        dry_run=True, append=True, user="test",
    )  # fmt: skip
    outcome = importer.run(request, registered_store)
    assert outcome.result == "accepted", outcome.report.lines()
    assert outcome.report.rows_read == 1


def test_the_import_would_catch_a_wrong_example(tmp_path):
    # the dry run above can fail: the same template with an unknown province is refused
    text = (FOLDER / "population_template.csv").read_text("utf-8").replace("\n12,", "\n99,")
    request = importer.Request(data=text.encode(), file_name="p.csv", kind="population",
                               source=None, dry_run=True, user="test")  # fmt: skip
    path = conftest.build_tiny_store(tmp_path / "coverage.duckdb")
    outcome = importer.run(request, path)
    assert outcome.result == "rejected"
    assert [(p.column, p.reason) for p in outcome.report.problems] == [
        ("province_code", "unknown province")
    ]


def test_the_xlsx_reads_as_the_import_reads_it():
    frame = readers.read_table(templates.to_xlsx("registrations"), "t.xlsx")
    assert frame.iloc[0]["province_code"] == "12"
    assert frame.iloc[0]["district_code"] == "1201"


@pytest.mark.app
@pytest.mark.parametrize("kind", KINDS)
def test_the_import_page_offers_the_kinds_templates(tiny_store, as_role, kind, monkeypatch):
    from ui import downloads

    built = {}

    def keep(detail, build):
        built[detail["file"]] = (detail, build)
        return build

    monkeypatch.setattr(downloads, "audited", keep)
    at = AppTest.from_file(str(conftest.REPO / "dashboard/app.py"), default_timeout=60)
    as_role(at, "data_manager")
    at.run()
    at.switch_page("app_pages/import_data.py").run()
    at.selectbox(key="import_data_kind").select(kind).run()
    assert not at.exception
    keys = {b.key for b in at.get("download_button")}
    assert {"import_data_template_csv", "import_data_template_xlsx",
            "import_data_template_schema"} <= keys  # fmt: skip
    for name in NAMES[kind]:
        detail, build = built[name]
        assert detail == {"file": name, "template": kind}
        assert build() == (FOLDER / name).read_bytes()
