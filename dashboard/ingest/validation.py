"""Validation of an agency file before anything is written: problems in plain words.

A problem names the row as a spreadsheet numbers it (the header is row 1), the agency's
own column name, the value (masked for national_id and full_name: never echoed) and
the reason. The report lists the first problems (capped) and counts every reason; its
notices (an unknown code set to the mapping's default) are shown too but reject nothing.
"""

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd

MASKED = {"national_id", "full_name"}
MASK = "••• (hidden)"
CAP = 50
KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")  # read as 0-9 in dates and numbers
# Canonical columns per kind of file: True when required.
COLUMNS = {
    "registrations": {
        "record_id": True, "national_id": False, "full_name": False, "sex": False,
        "birth_date": False, "birth_year": False, "province_code": True,
        "district_code": False, "commune_code": False, "occupation": False,
        "registered_on": True, "poverty_level": False, "disability": False,
    },
    "uptake": {"record_id": True, "service_code": True, "started_on": True, "ended_on": False},
    "population": {
        "province_code": True, "year": True, "sex": True, "age_band": False,
        "population": True, "informal_workers": True, "source": True, "reference_date": True,
    },
    "services": {
        "service_code": True, "name_en": True, "name_km": False, "ministry": False,
        "pillar": False,
    },
}  # fmt: skip
KINDS = tuple(COLUMNS)


@dataclasses.dataclass(frozen=True)
class Problem:
    """One problem of one cell (or of the file, row 0; or of the header, row 1)."""

    row: int
    column: str
    value: str
    reason: str


@dataclasses.dataclass
class Report:
    """What validation found in one file."""

    file_name: str
    kind: str
    rows_read: int = 0
    problems: list[Problem] = dataclasses.field(default_factory=list)
    notices: list[Problem] = dataclasses.field(default_factory=list)  # reject nothing

    @property
    def ok(self) -> bool:
        """True when the file has no problem at all."""
        return not self.problems

    def counts(self) -> dict[str, int]:
        """Number of problems per reason, most frequent first."""
        reasons = pd.Series([p.reason for p in self.problems], dtype="string")
        return {str(k): int(v) for k, v in reasons.value_counts().items()}

    def frame(self, cap: int = CAP) -> pd.DataFrame:
        """The first `cap` problems as a table (file, row, column, value, reason)."""
        rows = [dataclasses.asdict(p) for p in self.problems[:cap]]
        frame = pd.DataFrame(rows, columns=["row", "column", "value", "reason"])
        return frame.assign(file=self.file_name)[["file", "row", "column", "value", "reason"]]

    def notices_frame(self, cap: int = CAP) -> pd.DataFrame:
        """The first `cap` notices as a table, as frame() lists problems."""
        return Report(self.file_name, self.kind, problems=self.notices).frame(cap)

    def lines(self, cap: int = CAP) -> list[str]:
        """The report as plain lines for the command line and logs."""
        head = f"{self.file_name}: {len(self.problems)} problem(s) in {self.rows_read} row(s)"
        out = [head + (f", {len(self.notices)} notice(s)" if self.notices else "")]
        out += self._listed(self.problems, cap, "")
        out += [f"  {n} × {reason}" for reason, n in self.counts().items()]
        return out + self._listed(self.notices, cap, "note: ")

    def _listed(self, problems: list[Problem], cap: int, prefix: str) -> list[str]:
        out = []
        for p in problems[:cap]:
            where = "file" if p.row == 0 else f"row {p.row}"
            value = f" value {p.value!r}" if p.value else ""
            out.append(
                f"  {prefix}{self.file_name}, {where}, column {p.column!r}:{value}: {p.reason}"
            )
        if len(problems) > cap:
            out.append(f"  … and {len(problems) - cap} more")
        return out


class Checker:
    """Collects problems of a text frame whose columns carry canonical names."""

    def __init__(self, frame: pd.DataFrame, origin, today: dt.date):
        """Bind the frame, the column-name translator (canonical -> agency) and today."""
        self.frame, self.origin, self.today = frame, origin, today
        self.problems: list[Problem] = []
        self._required: set[str] = set()

    def flag(self, bad: pd.Series, column: str, reason: str) -> None:
        """Record a problem for each row where `bad` is true."""
        bad = bad.fillna(False).astype(bool)
        for index in np.flatnonzero(bad.to_numpy()):
            label = self.frame.index[index]
            value = self.frame[column].iloc[index] if column in self.frame else ""
            shown = MASK if column in MASKED and value else str(value)
            self.problems.append(Problem(int(label) + 2, self.origin(column), shown, reason))

    def text(self, column: str) -> pd.Series:
        """A column's text (empty strings for a column the file lacks)."""
        if column in self.frame:
            return self.frame[column].fillna("").astype(object)
        return pd.Series("", index=self.frame.index, dtype=object)

    def strings(self, column: str) -> pd.Series:
        """A column's text as Arrow strings, for vectorised checks (empty: column missing)."""
        if column in self.frame:
            return self.frame[column].astype("string").fillna("")
        return pd.Series("", index=self.frame.index, dtype="string")

    def required(self, column: str) -> pd.Series:
        """The column's text, flagging empty cells."""
        if column not in self._required:
            self._required.add(column)
            self.flag(self.strings(column) == "", column, "a value is required")
        return self.text(column)

    def all_required(self, kind: str) -> None:
        """Flag the empty cells of every required column of `kind` not checked yet."""
        for column, required in COLUMNS[kind].items():
            if required and column in self.frame:
                self.required(column)

    def date(self, column: str, *, future_ok: bool = False) -> pd.Series:
        """Parse ISO dates; flag malformed ones, dates before 1900 and (unless ok) future ones."""
        values = self.strings(column).str.translate(KHMER_DIGITS)
        head = values.str.replace(r" 00:00:00$", "", regex=True)
        parsed = pd.to_datetime(head, format="%Y-%m-%d", errors="coerce")
        self.flag((values != "") & parsed.isna(), column, "not a date (expected YYYY-MM-DD)")
        self.flag(parsed < pd.Timestamp(1900, 1, 1), column, "date before 1900")
        if not future_ok:
            self.flag(parsed > pd.Timestamp(self.today), column, "date in the future")
        return parsed

    def integer(self, column: str, low: int, high: int) -> pd.Series:
        """Parse whole numbers (Khmer digits too); flag non-numbers and values out of range."""
        values = self.strings(column).str.translate(KHMER_DIGITS)
        whole = values.str.fullmatch(r"-?[0-9]+")  # the digits to_numeric reads
        parsed = pd.to_numeric(values.where(whole, None).astype(object), errors="coerce")
        self.flag((values != "") & parsed.isna(), column, "not a whole number")
        self.flag((parsed < low) | (parsed > high), column, f"outside {low}..{high}")
        return parsed.astype("Int64")

    def coded(self, column: str, allowed: dict[str, str], reason: str) -> pd.Series:
        """Translate values through `allowed` (case-insensitive); flag unknown ones."""
        values = self.strings(column)
        folded = {k.casefold(): v for k, v in allowed.items()}
        mapped = per_value(values, lambda u: folded.get(u.casefold()), None)
        given = (values != "").to_numpy(dtype=bool)
        self.flag(given & mapped.isna(), column, reason)
        return mapped.where(given)

    def unique(self, columns: list[str], reason: str) -> None:
        """Flag every repetition of a combination of values after its first row."""
        key = self.frame[columns[0]].astype(str)
        for column in columns[1:]:
            key = key + "\x1f" + self.frame[column].astype(str)
        self.flag(key.duplicated(keep="first"), columns[0], reason)


def per_value(values: pd.Series, func, missing) -> pd.Series:
    """Each row's func(value), worked out once per distinct value (codes repeat a lot).

    Rows whose value is missing get `missing`.
    """
    codes, uniques = pd.factorize(values)
    found = np.array([func(u) for u in uniques] + [missing], dtype=object)
    return pd.Series(found[codes], index=values.index, dtype=object)


def lookup(values: pd.Series, mapping: dict) -> pd.Series:
    """values.map(mapping), looking each distinct value up once."""
    return per_value(values, lambda u: mapping.get(u, np.nan), np.nan)


def check_columns(frame: pd.DataFrame, kind: str, origin, expected=None) -> list[Problem]:
    """Header problems: required columns missing, columns nobody knows.

    `expected(canonical)`, when given, names the file column the mapping makes a missing
    column of (the reason then says so).
    """
    known = COLUMNS[kind]
    problems = []
    for c, needed in known.items():
        if needed and c not in frame.columns:
            own = expected(c) if expected else c
            hint = f" (the mapping takes it from {own})" if own != c else ""
            problems.append(Problem(1, origin(c), "", "required column is missing" + hint))
    problems += [
        Problem(1, c, "", "unknown column: not a canonical column and not in the mapping")
        for c in frame.columns
        if c not in known
    ]
    if len(set(frame.columns)) != len(frame.columns):
        problems.append(Problem(1, "", "", "two columns have the same name"))
    return problems
