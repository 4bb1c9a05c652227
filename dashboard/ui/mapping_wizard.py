"""The Import page's mapping wizard: a file's columns to canonical fields, checked, then saved.

The user sees the file's first rows, picks a canonical field per column (or ignores it, or
makes it part of the joined full name), a date format per date field, a value for every
required field the file lacks (or its extract date) and a code table per coded field;
then sees the mapped first rows and, on request, a dry run of the whole file, and saves the
mapping for the source (audited). Every choice starts from the mapping in force.
No value of a column that is, or looks like, a name or an ID number is ever shown.
"""

import dataclasses
import datetime as dt
import json
import re

import pandas as pd
import streamlit as st

import i18n
from appdb import scopes
from data_access import reads
from indicators import formatting
from ingest import importer, mapping_apply, mappings, readers, templates, validation
from linkage import pseudonym
from ui import auth, filters

NONE, IGNORE, JOIN, SPLIT = "__none__", "__ignore__", "__join__", "__split__"
EXTRACT = "$extract_date"  # a constant that is the file's extract date
ISO = "YYYY-MM-DD"
IDENTITY = frozenset(validation.MASKED)  # full_name, national_id: never shown
# A header naming a person's name or ID number: its values are hidden whatever it is mapped to.
IDENTITY_HEADER = re.compile(
    r"name|given|family|surname|ឈ្មោះ|នាម|national|passport|identity|id.?card|card.?n"
    r"|\bnid\b|^id$|^id.?(no|num)|អត្តសញ្ញាណ",
    re.IGNORECASE,
)
# ... unless it names a place's or a programme's name (PROVINCE_NAME, SERVICE_NAME).
NOT_A_PERSON = re.compile(
    r"province|district|commune|village|khum|srok|khet|service|scheme|program|occupation|job",
    re.IGNORECASE,
)
HEADERLESS = re.compile(r"[\d\s./-]{6,}")  # a number or a date as a header: a first data row
NO_CONSTANT = {"record_id", *IDENTITY}  # a value for every row makes no sense for these
ROWS = 5  # rows shown, before and after mapping
MAX_CODES = 40  # distinct values of a coded column offered one by one
FILE_STATE = "import_data_wizard_summary"  # (file id, Summary) of the file read last


@dataclasses.dataclass(frozen=True)
class Summary:
    """What the wizard keeps of an uploaded file: its header, first rows and codes."""

    columns: list[str]
    head: pd.DataFrame
    distinct: dict[str, list[str] | None]  # column -> its values (None: more than MAX_CODES)


def masked_columns(columns: list[str], choices: dict[str, str], part: dict) -> set[str]:
    """The file's columns whose values are never shown.

    Those named like a name or an ID, those chosen as full_name or national_id or as a part
    of the joined name, and those split into either.
    """
    hidden = {c for c in columns if c in IDENTITY or person_like(c)}
    hidden |= {c for c, choice in choices.items() if choice in IDENTITY or choice == JOIN}
    for column, rule in part.get("split", {}).items():
        if IDENTITY & set(rule.get("into", [])):
            hidden.add(column)
    return hidden


def person_like(header: str) -> bool:
    """Whether a header names a person's name or ID number (MEMBER_NAME, ID_CARD_NO ...)."""
    return bool(IDENTITY_HEADER.search(header)) and not NOT_A_PERSON.search(header)


def masked(frame: pd.DataFrame, hidden: set[str]) -> pd.DataFrame:
    """The frame with every non-empty value of the hidden columns replaced by the mask."""
    out = frame.copy()
    for column in out.columns:
        if column in hidden:
            out[column] = out[column].astype("string").fillna("").where(
                lambda v: v == "", validation.MASK
            )  # fmt: skip
    return out


def canonical_codes(kind: str, field: str) -> list[str]:
    """The codes a coded field takes once mapped ([] for a field that is not coded)."""
    described = templates.fields(kind)[field]
    if field == "service_code":
        return reads.service_catalogue()["service_code"].astype(str).tolist()
    if described["type"] == "boolean":
        return ["true", "false"]
    if field == "sex":
        return ["M", "F"]
    enum = described.get("constraints", {}).get("enum", [])
    return [c for c in enum if re.fullmatch(r"\d\d", c)] if field == "province_code" else enum


def known_codes(kind: str) -> dict[str, set[str]]:
    """The codes each coded field takes as it is (a mapping's default replaces the others)."""
    known = {}
    for field in mappings.CODED & set(validation.COLUMNS[kind]):
        described = templates.fields(kind)[field]
        spellings = described.get("constraints", {}).get("enum", [])
        spellings += described.get("trueValues", []) + described.get("falseValues", [])
        known[field] = set(spellings) | set(canonical_codes(kind, field))
    return known


def produced(choices: dict[str, str], part: dict) -> set[str]:
    """The canonical fields the file's columns give (mapped, joined or split)."""
    fields = {c for c in choices.values() if c not in (NONE, IGNORE, JOIN, SPLIT)}
    fields |= {"full_name"} if JOIN in choices.values() else set()
    for column, rule in part.get("split", {}).items():
        if choices.get(column) == SPLIT:
            fields |= set(rule.get("into", []))
    return fields


def build_part(
    choices: dict[str, str],
    dates: dict[str, str],
    constants: dict[str, str],
    codes: tuple[dict, dict],
    current: dict,
) -> dict:
    """The mapping of one kind made of the wizard's choices (JSON, as in the document).

    Args:
        choices: file column -> canonical field, NONE, IGNORE, JOIN or SPLIT.
        dates: canonical date field -> its format in the file.
        constants: canonical field -> the value of every row (EXTRACT: the extract date).
        codes: (values, defaults): per canonical field, file code -> canonical code, and
            the code of any other value.
        current: the mapping in force for this kind (its join order and split rules stay).
    """
    part: dict = {"columns": {c: f for c, f in choices.items()
                              if f not in (NONE, IGNORE, JOIN, SPLIT) and c != f}}  # fmt: skip
    parts = [c for c, f in choices.items() if f == JOIN]
    if len(parts) == 1:  # a name in one column after all: a rename
        part["columns"][parts[0]] = "full_name"
    elif parts:
        before = current.get("join", {}).get("full_name", {})
        order = before.get("columns", []) if set(before.get("columns", [])) == set(parts) else []
        separator = before.get("separator", " ")
        part["join"] = {"full_name": {"columns": order or parts, "separator": separator}}
    split = {c: r for c, r in current.get("split", {}).items() if choices.get(c) == SPLIT}
    values, defaults = codes
    sections = {"split": split, "dates": {f: v for f, v in dates.items() if v != ISO},
                "constants": constants, "values": values, "defaults": defaults,
                "ignore": [c for c, f in choices.items() if f == IGNORE]}  # fmt: skip
    part |= {name: section for name, section in sections.items() if section}
    if not part["columns"]:
        del part["columns"]
    return part


def wizard(upload, kind: str, source: str, user: auth.User, lang: str,
           extract_date: dt.date | None = None) -> None:  # fmt: skip
    """The wizard, in an expander, for a user who may save the source's mapping.

    Args:
        upload: the file uploaded on the page, or None.
        kind: registrations or uptake.
        source: the source registry's code.
        user: who maps (their agency limit applies; saving is audited).
        lang: the UI language.
        extract_date: the file's extract date given on the page, if any.
    """
    if not scopes.allows_agency(user.agency, source) or not mappings.SOURCE_NAME.fullmatch(source):
        return  # another agency's source, or a code typed wrongly (the editor says so)
    with st.expander(i18n.t("import.wizard", lang)):
        st.caption(i18n.t("import.wizard_intro", lang))
        if upload is None:
            st.caption(i18n.t("import.wizard_no_file", lang))
            return
        try:
            summary = _summary(upload)
            parts, current = _in_force(source, kind)
        except ValueError as exc:  # an unreadable file or mapping: plain words, no traceback
            st.error(formatting.plain(exc))
            return
        if any(HEADERLESS.fullmatch(c) for c in summary.columns):
            st.error(i18n.t("import.wizard_no_header", lang))
            return
        _steps(upload, summary, parts, current, kind, source, user, lang, extract_date)


def _steps(upload, summary: Summary, parts: dict, current: dict, kind: str, source: str,
           user: auth.User, lang: str, extract_date: dt.date | None) -> None:  # fmt: skip
    key = f"import_data_wizard_{source}_{kind}"
    first_rows = st.container()
    choices = _choose_fields(summary.columns, current, kind, key, lang)
    hidden = masked_columns(summary.columns, choices, current)
    with first_rows:
        st.markdown(f"**{i18n.t('import.wizard_first_rows', lang)}**")
        st.dataframe(
            masked(summary.head, hidden), key=f"{key}_rows", hide_index=True, placeholder="–"
        )
    given = produced(choices, current)
    dates = _date_formats(kind, given, current, key, lang)
    constants = _constants(kind, given, current, key, lang)
    codes = _code_tables(kind, choices, summary, hidden, current, key, lang)
    part = build_part(choices, dates, constants, codes, current)
    try:
        mapping = mappings.parse(json.dumps({kind: part}), kind)
        text = mappings.document({**parts, kind: mapping})
    except ValueError as exc:
        st.error(formatting.plain(exc))
        return
    st.markdown(f"**{i18n.t('import.wizard_document', lang)}**")
    st.code(text, language="json")
    _preview(summary, kind, mapping, hidden, extract_date, key, lang)
    if st.button(i18n.t("import.wizard_check", lang), key="import_data_wizard_check"):
        _check(upload, kind, source, text, user, hidden, extract_date, lang)
    save = i18n.t("import.wizard_save", lang, source=formatting.plain(source))
    if st.button(save, key="import_data_wizard_save") and auth.agency_allowed(
        user, source, "mapping_save"
    ):
        _save(source, text, user, lang)


def _summary(upload) -> Summary:
    """The uploaded file's header, first rows and codes, read once per upload."""
    file_id = (upload.file_id, upload.name, upload.size)
    kept = st.session_state.get(FILE_STATE)
    if kept and kept[0] == file_id:
        return kept[1]
    frame = readers.read_table(upload.getvalue(), upload.name)
    distinct = {}
    for column in frame.columns:
        values = frame[column][frame[column] != ""].drop_duplicates()
        distinct[column] = sorted(values) if len(values) <= MAX_CODES else None
    summary = Summary(list(frame.columns), frame.head(ROWS), distinct)
    st.session_state[FILE_STATE] = (file_id, summary)
    return summary


def _in_force(source: str, kind: str) -> tuple[dict, dict]:
    """The mapping document in force, by kind (as Mapping), and this kind's part as JSON."""
    text = mappings.text_in_force(source)
    try:
        document = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        raise ValueError(f"the mapping in force for {source} is not JSON: {exc}") from exc
    kinds = [k for k in document if k in validation.KINDS] if isinstance(document, dict) else []
    parts = {k: mappings.parse(text, k) for k in kinds}
    return parts, mappings.parse(text, kind).to_json()


def _index(options: list[str], value: str) -> int:
    """The value's place among the options (the first when it is not one of them)."""
    return options.index(value) if value in options else 0


def _default_choice(column: str, current: dict, fields: list[str]) -> str:
    if column in current.get("columns", {}):
        return current["columns"][column]
    if column in current.get("ignore", []):
        return IGNORE
    if any(column in rule.get("columns", []) for rule in current.get("join", {}).values()):
        return JOIN
    if column in current.get("split", {}):
        return SPLIT
    return column if column in fields else NONE


def _choose_fields(columns: list[str], current: dict, kind: str, key: str, lang: str) -> dict:
    """A canonical field (or none, ignore, joined name, split) per column of the file."""
    fields = templates.columns(kind)
    required = validation.COLUMNS[kind]
    special = [JOIN] if "full_name" in fields else []
    labels = {NONE: "import.wizard_choice_none", IGNORE: "import.wizard_choice_ignore",
              JOIN: "import.wizard_choice_join", SPLIT: "import.wizard_choice_split"}  # fmt: skip

    def label(choice: str) -> str:
        if choice in labels:
            return i18n.t(labels[choice], lang)
        return i18n.t("import.wizard_required", lang, field=choice) if required[choice] else choice

    st.markdown(f"**{i18n.t('import.wizard_columns', lang)}**")
    choices = {}
    for column in columns:
        default = _default_choice(column, current, fields)
        options = [NONE, *fields, *special, IGNORE, *([SPLIT] if default == SPLIT else [])]
        choices[column] = st.selectbox(
            i18n.t("import.wizard_column", lang, column=formatting.plain(column)), options,
            index=_index(options, default), placeholder=filters.choose(lang),
            format_func=label, key=filters.relabelled(f"{key}_col_{column}"),
        )  # fmt: skip
    for field in sorted({f for f in choices.values() if f in required}):
        if list(choices.values()).count(field) > 1:
            st.warning(i18n.t("import.wizard_twice", lang, field=field))
    return choices


def _date_formats(kind: str, given: set[str], current: dict, key: str, lang: str) -> dict:
    """The format of each date field the file gives (YYYY-MM-DD unless said otherwise)."""
    dates = [f for f in templates.columns(kind)
             if f in given and templates.fields(kind)[f]["type"] == "date"]  # fmt: skip
    formats = list(mappings.date_formats())
    chosen = {}
    for field in dates:
        default = current.get("dates", {}).get(field, ISO)
        chosen[field] = st.selectbox(
            i18n.t("import.wizard_date_format", lang, field=field), formats,
            index=_index(formats, default), placeholder=filters.choose(lang),
            key=f"{key}_date_{field}", help=i18n.t("import.wizard_date_help", lang),
        )  # fmt: skip
    return chosen


def _constants(kind: str, given: set[str], current: dict, key: str, lang: str) -> dict:
    """A value for every row of each required field the file lacks (and kept constants)."""
    before = current.get("constants", {})
    fields = [f for f, needed in validation.COLUMNS[kind].items()
              if f not in given and f not in NO_CONSTANT and (needed or f in before)]  # fmt: skip
    if fields:
        st.markdown(f"**{i18n.t('import.wizard_missing', lang)}**")
    chosen = {}
    for field in fields:
        described, default = templates.fields(kind)[field], str(before.get(field, ""))
        label = i18n.t("import.wizard_constant", lang, field=field)
        if described["type"] == "date" and st.checkbox(
            i18n.t("import.wizard_extract", lang, field=field), value=default == EXTRACT,
            key=f"{key}_extract_{field}",
        ):  # fmt: skip
            chosen[field] = EXTRACT
            continue
        codes = canonical_codes(kind, field)
        if codes:
            options = ["", *codes]
            value = st.selectbox(
                label, options, _index(options, default), key=f"{key}_const_{field}",
                placeholder=filters.choose(lang),
            )  # fmt: skip
        else:
            default = "" if default == EXTRACT else default
            value = st.text_input(label, value=default, key=f"{key}_const_{field}").strip()
        if value:
            chosen[field] = value
    return chosen


def _code_tables(kind: str, choices: dict, summary: Summary, hidden: set[str],
                 current: dict, key: str, lang: str) -> tuple[dict, dict]:  # fmt: skip
    """Per coded field the file gives: its codes to canonical ones, and a default."""
    values = {f: dict(t) for f, t in current.get("values", {}).items()}
    defaults, done = dict(current.get("defaults", {})), set()
    for column, field in choices.items():
        codes = canonical_codes(kind, field) if field in validation.COLUMNS[kind] else []
        if not codes or column in hidden or field in done:  # a field twice: warned above
            continue
        done.add(field)
        st.markdown(f"**{i18n.t('import.wizard_values', lang, field=field)}**")
        found = summary.distinct.get(column)
        if found is None:
            st.caption(i18n.t("import.wizard_too_many", lang, field=field, count=MAX_CODES))
        table = values.setdefault(field, {})
        for code in found or []:
            table_key = next((k for k in table if k.casefold() == code.casefold()), None)
            before = table.pop(table_key, "") if table_key is not None else ""
            label = i18n.t("import.wizard_value", lang, value=formatting.plain(code))
            chosen = _code_choice(label, codes, before, f"{key}_value_{field}_{code}", lang)
            if chosen:
                table[code] = chosen
        _default_code(field, codes, defaults, key, lang)
    return {f: t for f, t in values.items() if t}, defaults


def _default_code(field: str, codes: list[str], defaults: dict, key: str, lang: str) -> None:
    label = i18n.t("import.wizard_default", lang, field=field)
    chosen = _code_choice(label, codes, defaults.pop(field, ""), f"{key}_default_{field}", lang)
    if chosen:
        defaults[field] = chosen


def _code_choice(label: str, codes: list[str], before: str, widget: str, lang: str) -> str:
    """A canonical code chosen from `codes`, or '' to keep the file's value as it is."""
    options = ["", *codes]
    return st.selectbox(
        label, options, index=_index(options, before), placeholder=filters.choose(lang),
        format_func=lambda c: c or i18n.t("import.wizard_as_is", lang),
        key=filters.relabelled(widget),
    )  # fmt: skip


def _shown_problems(problems: list, hidden: set[str]) -> pd.DataFrame:
    """Problems as a table, the values of identity and hidden columns masked."""
    rows = [{"row": p.row, "column": p.column,
             "value": validation.MASK if p.value and (p.column in hidden or p.column in IDENTITY)
             else p.value, "reason": p.reason} for p in problems]  # fmt: skip
    return pd.DataFrame(rows, columns=["row", "column", "value", "reason"])


def _preview(summary: Summary, kind: str, mapping, hidden: set[str],
             extract_date: dt.date | None, key: str, lang: str) -> None:  # fmt: skip
    """The first rows once mapped, identity values masked, and what mapping them said."""
    st.markdown(f"**{i18n.t('import.wizard_preview', lang)}**")
    try:
        mapped = mapping_apply.apply(summary.head, mapping, extract_date, known_codes(kind))
    except ValueError as exc:
        st.error(formatting.plain(exc))
        return
    frame = mapped.frame
    identity = {c for c in frame.columns if c in IDENTITY or mapped.origin(c) in hidden}
    st.dataframe(masked(frame, identity), key=f"{key}_preview", hide_index=True, placeholder="–")
    said = [*mapped.problems, *mapped.notices]
    if said:
        st.caption(i18n.t("import.wizard_preview_notes", lang))
        st.dataframe(
            _shown_problems(said, hidden), key=f"{key}_notes", hide_index=True, placeholder="–"
        )


def _check(upload, kind: str, source: str, text: str, user: auth.User, hidden: set[str],
           extract_date: dt.date | None, lang: str) -> None:  # fmt: skip
    """A dry run of the whole file with the wizard's mapping (needs no key), reported."""
    request = importer.Request(
        data=upload.getvalue(), file_name=upload.name, kind=kind, source=source, append=True,
        dry_run=True, mapping_text=text, user=user.name, extract_date=extract_date,
    )  # fmt: skip
    try:
        outcome = importer.run(request)
    except (pseudonym.KeyMissing, ValueError) as exc:
        st.error(formatting.plain(exc))
        return
    report = outcome.report
    if outcome.result == "duplicate":
        st.info(i18n.t("import.duplicate", lang))
    elif outcome.result == "rejected":
        st.error(i18n.t("import.rejected", lang, count=i18n.number(len(report.problems), lang)))
        shown = _shown_problems(report.problems[: validation.CAP], hidden)
        st.dataframe(shown, key="import_data_wizard_problems", hide_index=True, placeholder="–")
    else:
        rows = outcome.stats.get("rows_loaded", report.rows_read)
        st.success(i18n.t("import.would_accept", lang, rows=i18n.number(rows, lang)))
    if report.notices:
        st.caption(i18n.t("import.wizard_preview_notes", lang))
        shown = _shown_problems(report.notices[: validation.CAP], hidden)
        st.dataframe(shown, key="import_data_wizard_notices", hide_index=True, placeholder="–")


def _save(source: str, text: str, user: auth.User, lang: str) -> None:
    """Save the wizard's document for the source; the JSON editor below then shows it."""
    try:
        mappings.save(source, text, user.name)
    except ValueError as exc:
        st.error(formatting.plain(exc))
        return
    st.session_state.pop(f"import_data_mapping_{source}", None)  # not drawn yet this run
    st.success(i18n.t("import.mapping_saved", lang, source=formatting.plain(source)))
