"""Per-source mappings: an agency's own column names and codes to the canonical ones.

A mapping is JSON, by kind of file:
`{"registrations": {"columns": {"ID_CARD_NO": "national_id"}, "values": {"sex": {"1": "M"}},
"ignore": ["REMARKS"]}}`. The one in force is the one saved on the Import page (in the
app database), else data/mappings/<SOURCE>.json. Validation reports name the agency's
columns.
"""

import dataclasses
import hashlib
import json
import re

import pandas as pd

import settings
import sql

MAPPINGS_DIR = settings.DATA_DIR / "mappings"
SOURCE_NAME = re.compile(r"[A-Z][A-Z0-9_]{1,31}")


@dataclasses.dataclass
class Mapping:
    """Column renames, value maps and ignored columns for one kind of file."""

    columns: dict[str, str] = dataclasses.field(default_factory=dict)
    values: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    ignore: list[str] = dataclasses.field(default_factory=list)

    def origin(self, canonical: str) -> str:
        """The agency's own name of a canonical column (the canonical name if not renamed)."""
        return next((k for k, v in self.columns.items() if v == canonical), canonical)


def check_source(source: str) -> str:
    """The source name, if it is a safe registry code (capitals, digits, underscore)."""
    if not SOURCE_NAME.fullmatch(source or ""):
        raise ValueError(f"source must be a code such as NSSF or IDPOOR, got {source!r}")
    return source


def parse(text: str, kind: str) -> Mapping:
    """The mapping of one kind from a mapping document's JSON text."""
    document = json.loads(text) if text.strip() else {}
    if not isinstance(document, dict):
        raise ValueError("a mapping is a JSON object keyed by kind of file")
    part = document.get(kind, {})
    return Mapping(
        columns={str(k): str(v) for k, v in part.get("columns", {}).items()},
        values={
            str(c): {str(k): str(v) for k, v in m.items()}
            for c, m in part.get("values", {}).items()
        },
        ignore=[str(c) for c in part.get("ignore", [])],
    )


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
    for kind in ("registrations", "uptake"):
        parse(text, kind)
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


def apply(frame: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    """Rename the agency's columns, drop ignored ones and translate mapped values."""
    out = frame.drop(columns=[c for c in mapping.ignore if c in frame.columns])
    out = out.rename(columns=mapping.columns)
    for column, table in mapping.values.items():
        if column in out.columns:
            folded = {k.strip().casefold(): v for k, v in table.items()}
            lowered = out[column].str.strip().str.casefold()
            out[column] = lowered.map(folded).fillna(out[column])
    return out
