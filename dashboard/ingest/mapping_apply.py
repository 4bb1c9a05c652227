"""A file through its mapping (ingest/mappings.py): canonical columns, problems, notices.

Joins and splits columns, reads named date formats (Khmer digits and Buddhist-era years
too), sets constants (the extract date among them) and translates codes, a default taking
the place of unknown ones with a notice. Every problem and notice names the file's own
column, on the row a spreadsheet shows.
"""

import dataclasses
import datetime as dt
import re

import numpy as np
import pandas as pd

from ingest import validation
from ingest.mappings import BUDDHIST_ERA, EXTRACT_DATE, Mapping

BE_YEARS = 543
_DAY, _MONTH, _YEAR = r"(?P<d>\d{1,2})", r"(?P<m>\d{1,2})", r"(?P<y>\d{4})"
PATTERNS = {
    "YYYY-MM-DD": re.compile(rf"{_YEAR}-{_MONTH}-{_DAY}"),
    "YYYYMMDD": re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
    "DD/MM/YYYY": re.compile(rf"{_DAY}/{_MONTH}/{_YEAR}"),
    "MM/DD/YYYY": re.compile(rf"{_MONTH}/{_DAY}/{_YEAR}"),
    "DD-MM-YYYY": re.compile(rf"{_DAY}-{_MONTH}-{_YEAR}"),
    "DD.MM.YYYY": re.compile(rf"{_DAY}\.{_MONTH}\.{_YEAR}"),
    "EXCEL_SERIAL": re.compile(r"(?P<n>\d{1,7})(\.\d+)?"),
}
# What the reader makes of a workbook's date cells: taken as it is in any date column.
ISO_SHAPED = re.compile(r"\d{4}-\d{2}-\d{2}( 00:00:00)?")
FIRST_DAY = dt.date(1900, 1, 1)


@dataclasses.dataclass
class Mapped:
    """A file after its mapping: canonical text columns, and what the mapping found.

    `problems` reject the file (rows numbered as a spreadsheet numbers them, columns by
    the file's own names); `notices` do not (an unknown code set to its default).
    """

    frame: pd.DataFrame
    problems: list[validation.Problem] = dataclasses.field(default_factory=list)
    notices: list[validation.Problem] = dataclasses.field(default_factory=list)
    origins: dict[str, str] = dataclasses.field(default_factory=dict)

    def origin(self, canonical: str) -> str:
        """The file's own name of a canonical column ('FAMILY + GIVEN' for a joined one)."""
        return self.origins.get(canonical, canonical)

    def flag(self, canonical: str, bad: np.ndarray, values: pd.Series, reason: str) -> None:
        """A problem for each row where `bad` is true, named by the file's own column."""
        for label in values.index[bad]:
            shown = validation.MASK if canonical in validation.MASKED else str(values[label])
            own = self.origin(canonical)
            self.problems.append(validation.Problem(int(label) + 2, own, shown, reason))


def apply(
    frame: pd.DataFrame,
    mapping: Mapping,
    extract_date: dt.date | None = None,
    known: dict[str, set[str]] | None = None,
) -> Mapped:
    """The file's columns as canonical columns, through the mapping.

    Args:
        frame: the file as text (readers.read_table).
        mapping: the source's mapping of this kind of file.
        extract_date: the day the file was extracted (constants "$extract_date").
        known: codes each coded column takes as they are (case-insensitive): only other
            codes get a column's default. Without it, only the value map's codes count.
    """
    out = frame.drop(columns=[c for c in mapping.ignore if c in frame.columns])
    mapped = Mapped(out)
    made, used = _made_columns(mapped, mapping)
    mapped.frame = out.drop(columns=sorted(used))
    for canonical, values, own in made:
        if canonical in mapped.frame.columns:
            reason = (
                f"{canonical} would come from both {mapped.origin(canonical)} and {own}: keep one"
            )
            mapped.problems.append(validation.Problem(1, own, "", reason))
        else:
            mapped.frame[canonical] = values
            mapped.origins[canonical] = own
    constant = _set_constants(mapped, mapping, extract_date)  # canonical already
    for canonical, name in mapping.dates.items():
        if canonical in mapped.frame.columns and canonical not in constant:
            _read_dates(mapped, canonical, name)
    for canonical in [*mapping.values, *(c for c in mapping.defaults if c not in mapping.values)]:
        if canonical in mapped.frame.columns:
            _translate(mapped, mapping, canonical, (known or {}).get(canonical, set()))
    mapped.problems.sort(key=lambda p: p.row)
    mapped.notices.sort(key=lambda p: p.row)
    return mapped


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].astype("string").fillna("").str.strip()


def _made_columns(mapped: Mapped, mapping: Mapping) -> tuple[list, set[str]]:
    """(canonical, values, the file's own name) of each column made, and the columns used."""
    frame, made, used = mapped.frame, [], set()
    for source, spec in mapping.split.items():
        if source in frame.columns:
            used.add(source)
            made += [(c, v, source) for c, v in _split(mapped, source, spec).items()]
    for target, spec in mapping.join.items():
        present = [c for c in spec["columns"] if c in frame.columns]
        if present and len(present) < len(spec["columns"]):
            lacking = [c for c in spec["columns"] if c not in frame.columns]
            reason = (f"the mapping makes {target} of {' + '.join(spec['columns'])}, but the "
                      f"file has no column {' or '.join(lacking)}")  # fmt: skip
            mapped.problems.append(validation.Problem(1, " + ".join(lacking), "", reason))
        elif present:
            used.update(present)
            made.append((target, _join(frame, spec), " + ".join(spec["columns"])))
    for own, canonical in mapping.columns.items():
        if own in frame.columns:
            used.add(own)
            made.append((canonical, frame[own], own))
    return made, used


def _join(frame: pd.DataFrame, spec: dict) -> pd.Series:
    """The columns' values joined by the separator, empty ones left out."""
    parts = [_text(frame, c) for c in spec["columns"]]
    joined = parts[0]
    for part in parts[1:]:
        both = (joined != "") & (part != "")
        joined = (joined + spec["separator"]).where(both, joined) + part
    return joined


def _split(mapped: Mapped, source: str, spec: dict) -> dict[str, pd.Series]:
    """Each part of a column split by its separator (the last part takes the rest)."""
    text, into, separator = _text(mapped.frame, source), spec["into"], spec["separator"]
    pieces = text.str.split(separator, n=len(into) - 1, regex=False)
    parts = {c: pieces.str.get(i).fillna("").str.strip() for i, c in enumerate(into)}
    few = (text != "") & (pieces.str.len() < len(into))
    reason = f"expected {len(into)} parts separated by {separator!r} ({', '.join(into)})"
    masked = source if any(c in validation.MASKED for c in into) else None
    for label in text.index[few.to_numpy(dtype=bool)]:
        shown = validation.MASK if masked else str(text[label])
        mapped.problems.append(validation.Problem(int(label) + 2, source, shown, reason))
    return parts


def _set_constants(mapped: Mapped, mapping: Mapping, extract_date: dt.date | None) -> set[str]:
    """A constant column for each one the file does not have; the columns so set."""
    made = set()
    for canonical, value in mapping.constants.items():
        if canonical in mapped.frame.columns:
            continue
        made.add(canonical)
        if value == EXTRACT_DATE and extract_date is None:
            reason = (f"the mapping sets {canonical} to the file's extract date, which was not "
                      "given: pass --extract-date YYYY-MM-DD (on the Import page: the "
                      "extract date)")  # fmt: skip
            mapped.problems.append(validation.Problem(0, "", "", reason))
            value = ""  # the column exists: the file-level problem is the one reported
        elif value == EXTRACT_DATE:
            value = extract_date.isoformat()
        mapped.frame[canonical] = pd.Series(value, index=mapped.frame.index, dtype="string")
        mapped.origins[canonical] = f"{canonical} (set by the mapping)"
    return made


def _read_dates(mapped: Mapped, canonical: str, name: str) -> None:
    """A date column in the named format as ISO dates; a value not in it is a problem."""
    original = mapped.frame[canonical].astype("string").fillna("")
    text = original.str.strip().str.translate(validation.KHMER_DIGITS)
    codes, uniques = pd.factorize(text)
    read = [read_date(u, name) for u in uniques]
    values = np.array([r[0] for r in read] + [""], dtype=object)
    mapped.frame[canonical] = pd.Series(values[codes], index=text.index, dtype="string")
    for i, (_, reason) in enumerate(read):
        if reason:
            mapped.flag(canonical, codes == i, original, reason)


def read_date(text: str, name: str) -> tuple[str, str | None]:
    """(ISO date, None), or ("", the reason) for a value (Khmer digits read) in format `name`.

    A value already shaped YYYY-MM-DD is kept for validation (a workbook's date cells are
    read so), unless the format is "YYYY-MM-DD BE"; empty stays empty.
    """
    text = text.strip().translate(validation.KHMER_DIGITS)
    if not text or (ISO_SHAPED.fullmatch(text) and name != "YYYY-MM-DD" + BUDDHIST_ERA):
        return text, None
    base, era = name.removesuffix(BUDDHIST_ERA), name.endswith(BUDDHIST_ERA)
    found = PATTERNS[base].fullmatch(text)
    wrong = "", f"not a date in the mapping's format {name}"
    if found is None:
        return wrong
    try:
        if base == "EXCEL_SERIAL":
            serial = int(found["n"])
            if serial == 60:
                return wrong
            # Excel counts a 29 February 1900 that never was: serials before it start a day later
            day = dt.date(1899, 12, 30 if serial > 60 else 31) + dt.timedelta(serial)
        else:
            year = int(found["y"]) - (BE_YEARS if era else 0)
            if not era and year >= 2400:
                return "", f"year {year} looks Buddhist-era: name the format {name}{BUDDHIST_ERA}"
            day = dt.date(year, int(found["m"]), int(found["d"]))
    except (ValueError, OverflowError):
        return wrong
    return ("", "date before 1900") if day < FIRST_DAY else (day.isoformat(), None)


def _translate(mapped: Mapped, mapping: Mapping, canonical: str, known: set[str]) -> None:
    """Map a column's values; unknown codes get the default, each noticed with its rows."""
    original = mapped.frame[canonical].astype("string").fillna("")
    table = {k.strip().casefold(): v for k, v in mapping.values.get(canonical, {}).items()}
    folded = original.str.strip().str.casefold()
    translated = folded.map(table).astype("string")  # an empty table maps to floats
    result = translated.fillna(original).astype("string")
    default = mapping.defaults.get(canonical)
    if default is not None:
        accepted = {v.casefold() for v in table.values()} | {k.casefold() for k in known}
        unknown = translated.isna() & (folded != "") & ~folded.isin(accepted)
        found = folded[unknown.to_numpy(dtype=bool)]  # one notice per code, any case
        counts = found.value_counts()
        for label, code in found.drop_duplicates().items():
            shown = validation.MASK if canonical in validation.MASKED else str(original[label])
            reason = f"unknown code: {counts[code]:,} row(s) set to the default {default!r}"
            notice = validation.Problem(int(label) + 2, mapped.origin(canonical), shown, reason)
            mapped.notices.append(notice)
        result = result.mask(unknown.to_numpy(dtype=bool), default)
    mapped.frame[canonical] = result
