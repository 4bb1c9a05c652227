"""Reads an agency's file (CSV, XLSX or Parquet) into a frame of text, checking what it is.

Every value comes back as text (missing: empty string), so validation sees exactly what
the agency wrote, leading zeros included. The content must match the extension: an
Excel workbook renamed .csv, or a CSV that is not UTF-8, is refused in plain words.
"""

import csv
import io
import re
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

ZIP_MAGIC = b"PK\x03\x04"
PARQUET_MAGIC = b"PAR1"
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # legacy .xls
BOM = b"\xef\xbb\xbf"
SENTINEL = "\x01end\x01"
FORMATS = {".csv": "CSV", ".xlsx": "Excel workbook (.xlsx)", ".parquet": "Parquet"}
# What a workbook may unpack to before it is parsed (a decompression bomb is refused unread):
# a million rows of an agency file unpack to about 400 MB, with a ratio of 5 to 15.
XLSX_LIMITS = {"unpacked_bytes": 768 * 2**20, "ratio": 100, "sheets": 32, "rows": 1_048_576,
               "columns": 200, "cells": 20_000_000}  # fmt: skip
DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+[0-9]+:([A-Z]+)([0-9]+)"')
SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")


class FileRejected(ValueError):
    """The file cannot be read as the table it claims to be."""


def _detected(data: bytes) -> str | None:
    if data.startswith(ZIP_MAGIC):
        return ".xlsx"
    if data.startswith(PARQUET_MAGIC):
        return ".parquet"
    if data.startswith(OLE_MAGIC):
        return ".xls"
    return None


def _check_kind(data: bytes, suffix: str) -> None:
    if suffix not in FORMATS:
        raise FileRejected(f"unsupported file type {suffix or '(none)'}: send CSV, XLSX or Parquet")
    found = _detected(data)
    if suffix == ".csv" and found:
        raise FileRejected(
            f"the file is named .csv but its content is {found} (binary): "
            "export it again as CSV UTF-8, or give it its real extension"
        )
    if suffix != ".csv" and found != suffix:
        raise FileRejected(
            f"the file is named {suffix} but its content is not a {FORMATS[suffix]}"
            + (" (it looks like text: is it a CSV?)" if found is None else f" (it is {found})")
        )


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def check_workbook(data: bytes, limits: dict | None = None) -> None:
    """Refuse a workbook that would unpack or spread beyond XLSX_LIMITS, before parsing it.

    Reads the zip's directory, each sheet's declared dimension, then counts the cells of
    the sheets as they unpack (no XML is parsed): a decompression bomb is refused in
    seconds, whatever it holds.

    Raises:
        FileRejected: too large once unpacked, too compressed, too many sheets, or a sheet
            that declares more rows or columns than allowed.
    """
    limits = limits or XLSX_LIMITS
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRejected("the Excel workbook (.xlsx) is damaged: not a readable zip") from exc
    unpacked = sum(e.file_size for e in entries)
    packed = max(sum(e.compress_size for e in entries), 1)
    mb = 2**20
    if unpacked > limits["unpacked_bytes"]:
        raise FileRejected(
            f"the workbook would unpack to {unpacked / mb:,.0f} MB, more than the "
            f"{limits['unpacked_bytes'] / mb:,.0f} MB allowed: send it as CSV or Parquet"
        )
    if unpacked / packed > limits["ratio"]:
        raise FileRejected(
            f"the workbook is compressed {unpacked / packed:,.0f} times, more than the "
            f"{limits['ratio']} times a real export is: it looks like a decompression bomb"
        )
    sheets = [e for e in entries if SHEET_PART.fullmatch(e.filename)]
    if len(sheets) > limits["sheets"]:
        raise FileRejected(
            f"the workbook has {len(sheets)} sheets, more than the {limits['sheets']} allowed"
        )
    for sheet in sheets:
        with archive.open(sheet) as handle:
            found = DIMENSION.search(handle.read(4096))
        if found and int(found.group(2)) > limits["rows"]:
            raise FileRejected(
                f"a sheet declares {int(found.group(2)):,} rows, more than the "
                f"{limits['rows']:,} allowed"
            )
        if found and _column_number(found.group(1)) > limits["columns"]:
            raise FileRejected(
                f"a sheet declares {_column_number(found.group(1)):,} columns, more than the "
                f"{limits['columns']} allowed"
            )
    cells = sum(_cells(archive, sheet) for sheet in sheets)
    if cells > limits["cells"]:
        raise FileRejected(
            f"the workbook holds {cells:,} cells, more than the {limits['cells']:,} allowed: "
            "send it as CSV or Parquet"
        )


def _cells(archive: zipfile.ZipFile, sheet: zipfile.ZipInfo) -> int:
    """The `<c` elements of a sheet, counted in 1 MB pieces as it unpacks."""
    count, tail = 0, b""
    with archive.open(sheet) as handle:
        while piece := handle.read(2**20):
            text = tail + piece
            count += len(re.findall(rb"<(?:\w+:)?c[ >/]", text))
            tail = text[-8:]
            count -= len(re.findall(rb"<(?:\w+:)?c[ >/]", tail))  # counted again next time
    return count + len(re.findall(rb"<(?:\w+:)?c[ >/]", tail))


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as text; dates as ISO dates, whole numbers without '.0'."""
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            text = values.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
            text = values.astype("Int64").astype("string")
        else:
            text = values.astype("string")
        out[str(column).strip()] = text.fillna("").str.strip()
    return out


def _field_count_problem(text: str, delimiter: str) -> str:
    """Name the first row whose number of fields differs from the header's."""
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(rows, [])
        for line, row in enumerate(rows, start=2):
            if row and len(row) != len(header):
                return (
                    f"row {line} has {len(row)} fields but the header has {len(header)}: "
                    "the CSV rows do not match its header"
                )
    except csv.Error:
        pass  # pandas' own message says what is wrong
    return ""


def _header(first_line: str, delimiter: str) -> list[str]:
    """The header's names as the csv module reads them ([] when it cannot)."""
    try:
        return next(csv.reader([first_line.rstrip("\r")], delimiter=delimiter), [])
    except csv.Error:
        return []


def _arrow_csv(data: bytes, header: list[str], delimiter: str) -> pd.DataFrame | None:
    """The CSV parsed by Arrow (several times faster), or None where pandas must read it.

    pandas' reading is the reference: Arrow's is used only where both give the same table.
    None for blank lines inside the file (pandas keeps them as empty rows, so that row
    numbers stay line numbers), lone carriage returns, header names that pandas would
    rename (empty or repeated), and any file Arrow refuses (rows with more or fewer fields
    than the header: pandas reads them and says which row, or pads them).
    """
    body = data.removeprefix(BOM).rstrip(b"\r\n")
    blank_inside = b"\n\n" in body or b"\n\r\n" in body
    if blank_inside or body.count(b"\r") != body.count(b"\r\n"):
        return None
    if not header or len(set(header)) != len(header) or not all(header):
        return None
    options = {
        "parse_options": pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        "convert_options": pa_csv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    }
    # A last row of sentinels: a quote left open at the end (which pandas refuses) swallows it.
    sentinel = [SENTINEL] * len(header)
    end = b"\n" + delimiter.join(sentinel).encode()
    try:
        table = pa_csv.read_csv(io.BytesIO(body + end), **options)
    except pa.ArrowInvalid:
        return None
    if table.column_names != header or any(t != pa.string() for t in table.schema.types):
        return None
    last = table.num_rows - 1
    if last < 0 or list(table.slice(last).to_pylist()[0].values()) != sentinel:
        return None
    return table.slice(0, last).to_pandas(types_mapper=lambda _: pd.StringDtype("pyarrow"))


def _pandas_csv(text: str, delimiter: str) -> pd.DataFrame:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # extra fields: no silent loss
            return pd.read_csv(
                io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                skip_blank_lines=False, engine="c", index_col=False,
            )  # fmt: skip
    except pd.errors.EmptyDataError as exc:
        raise FileRejected("the file is empty") from exc
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raise FileRejected(_field_count_problem(text, delimiter) or f"{exc}".strip()) from exc


def _read_csv(data: bytes) -> pd.DataFrame:
    if b"\x00" in data[:4096]:
        raise FileRejected("the file holds binary data or UTF-16 text: save it as CSV UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRejected(
            f"wrong encoding: the file is not UTF-8 (byte {exc.start + 1} is invalid); "
            "save it as CSV UTF-8 (Excel: 'CSV UTF-8 (Comma delimited)')"
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    header = _header(first_line, delimiter)
    frame = _arrow_csv(data, header, delimiter)
    if frame is None:
        frame = _pandas_csv(text, delimiter)
    return without_trailing_blank_rows(frame)


def without_trailing_blank_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame without the empty rows at its end (blank lines the file ends with)."""
    blank = (frame.fillna("") == "").all(axis=1).to_numpy(dtype=bool)
    return frame.iloc[: len(frame) - int(np.logical_and.accumulate(blank[::-1]).sum())]


def read_table(data: bytes, file_name: str) -> pd.DataFrame:
    """Read the file's single table as text.

    Raises:
        FileRejected: empty, unsupported, mislabelled, not UTF-8, unreadable, or no rows.
    """
    if not data.strip():
        raise FileRejected("the file is empty")
    suffix = Path(file_name).suffix.lower()
    _check_kind(data, suffix)
    try:
        if suffix == ".csv":
            frame = _read_csv(data)
        elif suffix == ".xlsx":
            check_workbook(data)
            # calamine (Rust) reads six times faster than openpyxl, the same values (a test)
            frame = pd.read_excel(io.BytesIO(data), dtype=object, engine="calamine")
        else:
            frame = pd.read_parquet(io.BytesIO(data))
            if not isinstance(frame.index, pd.RangeIndex):  # a saved index is data: keep it
                frame = frame.reset_index()
    except FileRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure reads as one plain reason
        raise FileRejected(f"the {FORMATS[suffix]} cannot be read: {type(exc).__name__}") from exc
    if len(frame) == 0:
        raise FileRejected("the file has a header but no rows")
    frame.index = pd.RangeIndex(len(frame))  # row labels are positions: row = label + 2
    return _as_text(frame.dropna(how="all"))
