"""Reads an agency's file (CSV, XLSX or Parquet) into a frame of text, checking what it is.

Every value comes back as text (missing: empty string), so validation sees exactly what
the agency wrote, leading zeros included. The content must match the extension: an
Excel workbook renamed .csv, or a CSV that is not UTF-8, is refused in plain words.
"""

import csv
import io
import warnings
from pathlib import Path

import pandas as pd

ZIP_MAGIC = b"PK\x03\x04"
PARQUET_MAGIC = b"PAR1"
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # legacy .xls
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
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(rows, [])
    for line, row in enumerate(rows, start=2):
        if row and len(row) != len(header):
            return (
                f"row {line} has {len(row)} fields but the header has {len(header)}: "
                "the CSV rows do not match its header"
            )
    return ""


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
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header.count)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # extra fields: no silent loss
            frame = pd.read_csv(
                io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                skip_blank_lines=False, engine="c", index_col=False,
            )  # fmt: skip
    except pd.errors.EmptyDataError as exc:
        raise FileRejected("the file is empty") from exc
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raise FileRejected(_field_count_problem(text, delimiter) or f"{exc}".strip()) from exc
    blank = (frame == "").all(axis=1)
    last = len(frame) - int(blank[::-1].cummin().sum())  # trailing blank lines only
    return frame.iloc[:last]


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
