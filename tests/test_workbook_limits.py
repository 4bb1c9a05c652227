"""Issue 16: a workbook that would unpack or spread beyond the limits is refused unparsed."""

import io
import zipfile

import pandas as pd
import pytest

import cli
from ingest import readers

ROW = {"record_id": "R-1", "province_code": "12", "registered_on": "2024-03-02"}


def workbook(rows: int = 3, sheets: int = 1) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for number in range(sheets):
            pd.DataFrame([ROW] * rows).to_excel(writer, sheet_name=f"s{number}", index=False)
    return buffer.getvalue()


def with_part(data: bytes, name: str, content: bytes) -> bytes:
    """The workbook with one more (or a replaced) part."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            if item.filename != name:
                new.writestr(item, old.read(item))
        new.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


@pytest.fixture
def never_parsed(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(pd, "read_excel", refuse)


def rejected(data: bytes, reason: str) -> None:
    with pytest.raises(readers.FileRejected, match=reason):
        readers.read_table(data, "file.xlsx")


def test_a_decompression_bomb_is_refused_before_parsing(never_parsed):
    # 64 MB of one repeated cell compress to about 60 kB: a thousand times
    cell = b'<c r="A1" t="inlineStr"><is><t>x</t></is></c>'
    sheet = b"<worksheet><sheetData><row>" + cell * (64 * 2**20 // len(cell)) + b"</row>"
    bomb = with_part(workbook(), "xl/worksheets/sheet9.xml", sheet + b"</sheetData></worksheet>")
    assert len(bomb) < 2**20
    rejected(bomb, "looks like a decompression bomb")


def test_too_large_once_unpacked_or_too_many_sheets_rows_or_cells(never_parsed, monkeypatch):
    small = workbook()
    unpacked = sum(e.file_size for e in zipfile.ZipFile(io.BytesIO(small)).infolist())
    monkeypatch.setitem(readers.XLSX_LIMITS, "unpacked_bytes", unpacked - 1)
    rejected(small, "more than the 0 MB allowed")
    monkeypatch.setitem(readers.XLSX_LIMITS, "unpacked_bytes", 2**30)
    rejected(workbook(sheets=33), "33 sheets, more than the 32 allowed")
    declared = b'<worksheet><dimension ref="A1:C2000000"/><sheetData/></worksheet>'
    rejected(with_part(small, "xl/worksheets/sheet1.xml", declared), "2,000,000 rows")
    wide = b'<worksheet><dimension ref="A1:ZZ3"/><sheetData/></worksheet>'
    rejected(with_part(small, "xl/worksheets/sheet1.xml", wide), "702 columns")
    # 4 rows (the header and 3) of 3 cells: 12 cells
    monkeypatch.setitem(readers.XLSX_LIMITS, "cells", 11)
    rejected(small, "holds 12 cells, more than the 11 allowed")


def test_a_workbook_within_the_limits_is_read():
    frame = readers.read_table(workbook(rows=5), "file.xlsx")
    assert len(frame) == 5
    assert frame["province_code"].tolist() == ["12"] * 5


def test_the_command_line_refuses_a_bomb_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COVERAGE_DB", str(tmp_path / "coverage.duckdb"))
    cell = b'<c r="A1" t="inlineStr"><is><t>x</t></is></c>'
    sheet = b"<worksheet><sheetData><row>" + cell * 400_000 + b"</row></sheetData></worksheet>"
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(with_part(workbook(), "xl/worksheets/sheet2.xml", sheet))
    code = cli.main(["import", str(path), "--kind", "population", "--dry-run"])
    assert code == 1
    assert "decompression bomb" in capsys.readouterr().err


def test_calamine_reads_what_openpyxl_reads():
    """Issue 19: workbooks are read by calamine (Rust); every kind of cell gives the same text."""
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["record_id", "national_id", "birth_date", "birth_year", "registered_on",
                  "flag", "amount", "blank", "time"])  # fmt: skip
    sheet.append(["R-1", "010203040", dt.date(1990, 4, 12), 1990, dt.datetime(2024, 3, 2),
                  True, 1.5, None, dt.time(10, 30)])  # fmt: skip
    sheet.append(["R-2", 10203040, "1985-11-30", "1985", dt.datetime(2024, 3, 5), False, 2.0,
                  "", None])  # fmt: skip
    sheet.append([None] * 9)
    buffer = io.BytesIO()
    book.save(buffer)
    read = readers.read_table(buffer.getvalue(), "file.xlsx")
    by_openpyxl = pd.read_excel(io.BytesIO(buffer.getvalue()), dtype=object, engine="openpyxl")
    assert read.values.tolist() == readers._as_text(by_openpyxl.dropna(how="all")).values.tolist()
    assert read["national_id"].tolist() == ["010203040", "10203040"]
    assert read["amount"].tolist() == ["1.5", "2"]
