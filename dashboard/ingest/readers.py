"""Reads an agency's file (CSV, XLSX or Parquet) into a frame of text, checking what it is.

Every value comes back as text (missing: empty string), so validation sees exactly what
the agency wrote, leading zeros included. The content must match the extension: an
Excel workbook renamed .csv, or a CSV that is not UTF-8, is refused in plain words.
"""

import csv
import io
import warnings
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
            frame = pd.read_excel(io.BytesIO(data), dtype=object, engine="openpyxl")
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
