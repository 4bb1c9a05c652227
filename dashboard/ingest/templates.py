"""Import templates per kind of file: CSV and XLSX (header, example row, notes) and the schema.

The columns come from validation.COLUMNS, what each holds from data/schemas/<kind>.json
(description, required or not, type, allowed codes). The files are committed under
data/samples/templates/ (`write_all`); tests/test_templates.py checks that they are what
this module makes, and that each example row passes the import.
Regenerate them with `PYTHONPATH=dashboard python -m ingest.templates`.
"""

import csv
import functools
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import settings
from ingest import validation

SCHEMAS_DIR = settings.DATA_DIR / "schemas"
TEMPLATES_DIR = settings.DATA_DIR / "samples" / "templates"
DATA_SHEET, NOTES_SHEET = "data", "notes"
NOTES_HEADER = ("column", "required", "format", "meaning", "allowed values")
# One fictional row per kind that the import accepts (the uptake row names the
# registrations row's record_id: import that one first). Empty: an optional value left out.
EXAMPLES = {
    "registrations": {
        "record_id": "EX-000001", "national_id": "EX1234567", "full_name": "Sok Sophea",
        "sex": "F", "birth_date": "1990-04-12", "birth_year": "", "province_code": "12",
        "district_code": "1201", "commune_code": "120101", "occupation": "market_vendor",
        "registered_on": "2024-03-02", "poverty_level": "none", "disability": "false",
    },
    "uptake": {
        "record_id": "EX-000001", "service_code": "NSSF_HEALTH", "started_on": "2024-04-01",
        "ended_on": "2024-06-30",
    },
    "population": {
        "province_code": "12", "year": "2025", "sex": "F", "age_band": "25-34",
        "population": "200000", "informal_workers": "110000",
        "source": "Example estimate (not official)", "reference_date": "2025-07-01",
    },
    "services": {
        "service_code": "EXAMPLE_SERVICE", "name_en": "Example service (replace this row)",
        "name_km": "សេវាឧទាហរណ៍", "ministry": "MLVT", "pillar": "social assistance",
    },
}  # fmt: skip
FORMATS = {"string": "text", "date": "date YYYY-MM-DD", "integer": "whole number",
           "boolean": "true or false"}  # fmt: skip
XLSX_TIME = (2026, 1, 1, 0, 0, 0)  # every part of a template workbook: the same bytes each time
CORE_TIME = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def schema_text(kind: str) -> str:
    """The committed table schema of a kind of file, as its JSON text."""
    if kind not in validation.COLUMNS:
        raise ValueError(f"kind must be one of {', '.join(validation.KINDS)}")
    return (SCHEMAS_DIR / f"{kind}.json").read_text(encoding="utf-8")


@functools.cache
def fields(kind: str) -> dict[str, dict]:
    """The schema's field descriptors of a kind, by column name."""
    return {f["name"]: f for f in json.loads(schema_text(kind))["fields"]}


def columns(kind: str) -> list[str]:
    """The canonical columns of a kind, in the import's order."""
    return list(validation.COLUMNS[kind])


def example_row(kind: str) -> list[str]:
    """The example row's values, in column order."""
    return [EXAMPLES[kind][c] for c in columns(kind)]


def field_format(field: dict) -> str:
    """A field's type in words, with its bounds (e.g. 'whole number, from 1900')."""
    text = FORMATS.get(field["type"], field["type"])
    limits = field.get("constraints", {})
    if "minimum" in limits:
        text += f", from {limits['minimum']}"
    if "maximum" in limits:
        text += f", up to {limits['maximum']}"
    return text


def allowed_values(field: dict) -> str:
    """What a field accepts beyond its type: its codes, pattern, or true and false words."""
    limits = field.get("constraints", {})
    parts = []
    if "enum" in limits:
        parts.append(", ".join(limits["enum"]))
    if "pattern" in limits:
        parts.append(f"pattern {limits['pattern']}")
    if field["type"] == "boolean":
        true, false = field.get("trueValues", ["true"]), field.get("falseValues", ["false"])
        parts.append(f"{', '.join(true)} / {', '.join(false)}")
    if limits.get("unique"):
        parts.append("unique in the file")
    return "; ".join(parts)


def notes(kind: str) -> list[tuple[str, str, str, str, str]]:
    """One line per column: name, required (yes/no), format, meaning, allowed values."""
    described = fields(kind)
    return [
        (column, "yes" if needed else "no", field_format(described[column]),
         described[column].get("description", ""), allowed_values(described[column]))
        for column, needed in validation.COLUMNS[kind].items()
    ]  # fmt: skip


def to_csv(kind: str) -> bytes:
    """The CSV template: the header and the example row (UTF-8, no byte-order mark)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns(kind))
    writer.writerow(example_row(kind))
    return buffer.getvalue().encode("utf-8")


def _write(sheet, rows, widths: list[int]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for number, values in enumerate(rows):
        sheet.append(list(values))
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text, never a number or a formula: "01" keeps its zero
            cell.number_format = "@"
            cell.font = Font(bold=number == 0)
    for index, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"


def to_xlsx(kind: str) -> bytes:
    """The XLSX template: sheet `data` (header and example row) and sheet `notes`."""
    import openpyxl  # here, not at the top: a page run builds no workbook, only a click does

    book = openpyxl.Workbook()
    data = book.active
    data.title = DATA_SHEET
    _write(data, [columns(kind), example_row(kind)], [len(c) + 8 for c in columns(kind)])
    _write(book.create_sheet(NOTES_SHEET), [NOTES_HEADER, *notes(kind)], [18, 10, 24, 80, 80])
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_times(buffer.getvalue())


def _fixed_times(data: bytes) -> bytes:
    """The workbook with fixed part times and document dates, so each build is the same."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "docProps/core.xml":
                content = CORE_TIME.sub(rb"\g<1>2026-01-01T00:00:00Z\g<3>", content)
            target.writestr(zipfile.ZipInfo(entry.filename, XLSX_TIME), content,
                            compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
    return out.getvalue()


def schema_file(kind: str) -> bytes:
    """The table schema's file, as committed in data/schemas/."""
    return schema_text(kind).encode("utf-8")


def builders(kind: str) -> dict[str, Callable[[], bytes]]:
    """A kind's template files by name (CSV, XLSX, table schema), each made when called."""
    return {
        f"{kind}_template.csv": functools.partial(to_csv, kind),
        f"{kind}_template.xlsx": functools.partial(to_xlsx, kind),
        f"{kind}.schema.json": functools.partial(schema_file, kind),
    }


def files(kind: str) -> dict[str, bytes]:
    """A kind's template files by name: CSV, XLSX and the table schema."""
    return {name: build() for name, build in builders(kind).items()}


def write_all(folder: Path = TEMPLATES_DIR) -> list[Path]:
    """Write every kind's template files into `folder`; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in validation.KINDS:
        for name, data in files(kind).items():
            (folder / name).write_bytes(data)
            written.append(folder / name)
    return written


if __name__ == "__main__":
    write_all()
