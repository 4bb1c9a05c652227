"""Per-source mappings: an agency's file, as it exports it, to the canonical columns.

A mapping is JSON, by kind of file; every key is optional:
`{"registrations": {"columns": {"ID_CARD_NO": "national_id"},
"join": {"full_name": {"columns": ["FAMILY", "GIVEN"], "separator": " "}},
"split": {"NAME_AND_DOB": {"separator": "|", "into": ["full_name", "birth_date"]}},
"dates": {"birth_date": "YYYYMMDD"}, "constants": {"registered_on": "$extract_date"},
"values": {"sex": {"1": "M"}}, "defaults": {"occupation": "other_informal"},
"ignore": ["REMARKS"]}}`. The one in force is the one saved on the Import page (in the
app database), else data/mappings/<SOURCE>.json. Reports name the file's own columns:
a column the file has under its canonical name is named so, whatever the mapping says.
"""

import dataclasses
import datetime as dt
import hashlib
import json
import re

import settings
import sql
from ingest import validation

MAPPINGS_DIR = settings.DATA_DIR / "mappings"
SOURCE_NAME = re.compile(r"[A-Z][A-Z0-9_]{1,31}")
KEYS = ("columns", "join", "split", "dates", "constants", "values", "defaults", "ignore")
DATE_FORMATS = ("YYYY-MM-DD", "YYYYMMDD", "DD/MM/YYYY", "MM/DD/YYYY", "DD-MM-YYYY",
                "DD.MM.YYYY", "EXCEL_SERIAL")  # fmt: skip
BUDDHIST_ERA = " BE"  # a format's suffix: the year is Buddhist-era, 543 more than CE
EXTRACT_DATE = "$extract_date"  # a constant: the extract date given with the file
DATE_FIELDS = {"birth_date", "registered_on", "started_on", "ended_on", "reference_date"}
CODED = {"sex", "province_code", "district_code", "commune_code", "occupation",
         "poverty_level", "disability", "service_code", "age_band"}  # fmt: skip


def date_formats() -> tuple[str, ...]:
    """Every date format a mapping may name: DATE_FORMATS, and each but serials with ' BE'."""
    eras = tuple(f + BUDDHIST_ERA for f in DATE_FORMATS if f != "EXCEL_SERIAL")
    return DATE_FORMATS + eras


@dataclasses.dataclass
class Mapping:
    """How one kind of an agency's file becomes canonical columns (the JSON keys)."""

    columns: dict[str, str] = dataclasses.field(default_factory=dict)
    join: dict[str, dict] = dataclasses.field(default_factory=dict)
    split: dict[str, dict] = dataclasses.field(default_factory=dict)
    dates: dict[str, str] = dataclasses.field(default_factory=dict)
    constants: dict[str, str] = dataclasses.field(default_factory=dict)
    values: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    defaults: dict[str, str] = dataclasses.field(default_factory=dict)
    ignore: list[str] = dataclasses.field(default_factory=list)

    def to_json(self) -> dict:
        """The mapping as its JSON object (keys left empty are left out)."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v}

    def origin(self, canonical: str) -> str:
        """The agency's name of a canonical column, by the mapping alone (no file seen).

        A renamed column's own name, 'FAMILY + GIVEN' for a joined one, the split column
        for a part of one, else the canonical name.
        """
        renamed = next((k for k, v in self.columns.items() if v == canonical), None)
        if renamed is not None:
            return renamed
        if canonical in self.join:
            return " + ".join(self.join[canonical]["columns"])
        return next((s for s, spec in self.split.items() if canonical in spec["into"]), canonical)


def document(parts: dict[str, Mapping]) -> str:
    """The JSON text of a whole mapping document, one Mapping per kind of file."""
    body = {kind: mapping.to_json() for kind, mapping in parts.items()}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def check_source(source: str) -> str:
    """The source name, if it is a safe registry code (capitals, digits, underscore)."""
    if not SOURCE_NAME.fullmatch(source or ""):
        raise ValueError(f"source must be a code such as NSSF or IDPOOR, got {source!r}")
    return source


def parse(text: str, kind: str) -> Mapping:
    """The mapping of one kind from a mapping document's JSON text, the whole document checked.

    Raises:
        ValueError: a plain sentence saying what is wrong (not JSON, an unknown key or
            canonical column, an unknown date format, a column used twice ...).
    """
    try:
        document_ = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"the mapping is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    if not isinstance(document_, dict):
        raise ValueError("a mapping is a JSON object keyed by kind of file")
    for name in document_:
        if name not in validation.KINDS:
            raise ValueError(
                f"the mapping names {name!r}, not a kind of file ({', '.join(validation.KINDS)})"
            )
    parts = {name: _Part(part, name).mapping() for name, part in document_.items()}
    return parts.get(kind, Mapping())


def _object(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be a JSON object")
    return value


class _Part:
    """Checks one kind's part of a document, naming where a mistake is."""

    def __init__(self, part, kind: str):
        self.kind, self.where = kind, f"the {kind} mapping"
        self.part = _object(part, self.where)
        for key in self.part:
            if key not in KEYS:
                raise ValueError(f"{self.where} has an unknown key {key!r} ({', '.join(KEYS)})")

    def entries(self, key: str) -> list[tuple[str, object]]:
        """The (name, value) pairs of one of the part's objects."""
        found = _object(self.part.get(key, {}), f"{self.where}'s {key!r}")
        return [(str(k), v) for k, v in found.items()]

    def field(self, name, key: str, among=None) -> str:
        """A canonical column of the kind (and of `among`, when given), else a plain error."""
        known = [c for c in validation.COLUMNS[self.kind] if among is None or c in among]
        if str(name) not in known:
            raise ValueError(
                f"{self.where}'s {key!r} names {name!r}, not one of the columns {', '.join(known)}"
            )
        return str(name)

    def mapping(self) -> Mapping:
        """The part as a Mapping, every entry checked."""
        ignore = self.part.get("ignore", [])
        if not isinstance(ignore, list):
            raise ValueError(f"{self.where}'s 'ignore' must be a list of column names")
        mapping = Mapping(
            columns={k: self.field(v, "columns") for k, v in self.entries("columns")},
            join={self.field(k, "join"): self.join(k, v) for k, v in self.entries("join")},
            split={k: self.split(k, v) for k, v in self.entries("split")},
            dates={self.field(k, "dates", DATE_FIELDS): self.date_format(k, v)
                   for k, v in self.entries("dates")},
            constants={self.field(k, "constants"): self.constant(k, v)
                       for k, v in self.entries("constants")},
            values={self.field(k, "values"): self.codes(k, v) for k, v in self.entries("values")},
            defaults={self.field(k, "defaults", CODED): str(v)
                      for k, v in self.entries("defaults")},
            ignore=[str(c) for c in ignore],
        )  # fmt: skip
        _check_each_column_used_once(mapping, self.where)
        return mapping

    def join(self, target: str, spec) -> dict:
        """A join's columns (two or more, not the target itself) and separator."""
        where = f"{self.where}'s join into {target!r}"
        spec = _object(spec, where)
        columns, separator = spec.get("columns"), spec.get("separator", " ")
        if set(spec) - {"columns", "separator"} or not isinstance(separator, str):
            raise ValueError(f"{where} takes 'columns' and 'separator' only")
        if not isinstance(columns, list) or len(set(map(str, columns))) < max(len(columns), 2):
            raise ValueError(f"{where} needs two or more different 'columns'")
        if target in columns:
            raise ValueError(f"{self.where} joins {target!r} into itself: name its parts")
        return {"columns": [str(c) for c in columns], "separator": separator}

    def split(self, source: str, spec) -> dict:
        """A split's separator (not empty) and the canonical columns it makes."""
        where = f"{self.where}'s split of {source!r}"
        spec = _object(spec, where)
        into, separator = spec.get("into"), spec.get("separator")
        if set(spec) - {"into", "separator"} or not isinstance(separator, str) or not separator:
            raise ValueError(f"{where} takes a 'separator' (not empty) and 'into' only")
        if not isinstance(into, list) or len(set(map(str, into))) < max(len(into), 2):
            raise ValueError(f"{where} needs two or more different 'into' columns")
        if source in into:
            raise ValueError(f"{self.where} splits {source!r} into itself: name its parts")
        return {"separator": separator, "into": [self.field(c, "split") for c in into]}

    def date_format(self, column: str, name) -> str:
        """One of date_formats()."""
        if name not in date_formats():
            raise ValueError(
                f"{self.where}'s date format of {column!r} is {name!r}, not one of "
                f"{', '.join(date_formats())}"
            )
        return name

    def constant(self, column: str, value) -> str:
        """A constant: text, a YYYY-MM-DD date for a date column, or $extract_date."""
        value = str(value)
        if value.startswith("$") and value != EXTRACT_DATE:
            raise ValueError(
                f"{self.where} sets {column!r} to {value!r}: the only $ value is {EXTRACT_DATE}"
            )
        if column not in DATE_FIELDS and value == EXTRACT_DATE:
            raise ValueError(f"{self.where} sets {column!r}, not a date, to the extract date")
        if column in DATE_FIELDS and value != EXTRACT_DATE and not _iso_date(value):
            raise ValueError(f"{self.where} sets {column!r} to {value!r}, not a YYYY-MM-DD date")
        return value

    def codes(self, column: str, table) -> dict[str, str]:
        """A value map: the agency's codes to canonical ones, as text."""
        table = _object(table, f"{self.where}'s values of {column!r}")
        return {str(k): str(v) for k, v in table.items()}


def _iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _check_each_column_used_once(mapping: Mapping, where: str) -> None:
    uses = [(c, "columns") for c in mapping.columns] + [(c, "split") for c in mapping.split]
    uses += [(c, "join") for spec in mapping.join.values() for c in spec["columns"]]
    uses += [(c, "ignore") for c in mapping.ignore]
    seen: dict[str, str] = {}
    for column, key in uses:
        if column in seen:
            raise ValueError(f"{where} uses the column {column!r} twice ({seen[column]}, {key})")
        seen[column] = key


def file_text(source: str) -> str:
    """The committed mapping document of a source, or '' if it has none."""
    path = MAPPINGS_DIR / f"{check_source(source)}.json"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def saved_text(source: str) -> str | None:
    """The mapping document saved on the Import page for a source, if any."""
    from appdb import database

    rows = database.execute("mapping_get", {"source": check_source(source)})
    return rows[0]["mapping"] if rows else None


def save(source: str, text: str, user: str) -> None:
    """Save a source's mapping document (checked first) for every later import, audited.

    The audit entry (`mapping_save`, in the same transaction) names the source and the
    SHA-256 and size of the new text and the SHA-256 of the text it replaces, not the text.
    """
    from appdb import audit, database

    source = check_source(source)
    parse(text, "registrations")  # checks every kind the document holds
    con = database.connect()
    try:
        with con:
            con.execute("begin immediate")
            before = con.execute(sql.load_query("app/mapping_get"), {"source": source}).fetchone()
            con.execute(
                sql.load_query("app/mapping_save"),
                {"source": source, "mapping": text, "saved_by": user},
            )
            audit.record_in(con, user, "mapping_save", _saved_detail(source, text, before))
    finally:
        con.close()


def _saved_detail(source: str, text: str, before) -> dict:
    """What the audit log keeps of a saved mapping: hashes and size, not the text."""
    data = text.encode("utf-8")
    previous = hashlib.sha256(before["mapping"].encode("utf-8")).hexdigest() if before else None
    return {"source": source, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
            "previous_sha256": previous}  # fmt: skip


def text_in_force(source: str) -> str:
    """The mapping document in force: saved on the Import page, else the committed file."""
    saved = saved_text(source)
    return saved if saved is not None else file_text(source)


def load(source: str, kind: str, text: str | None = None) -> Mapping:
    """The mapping of one kind: from `text` if given, else the document in force."""
    return parse(text if text is not None else text_in_force(source), kind)
