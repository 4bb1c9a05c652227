"""The one formatter of cells and numbers: suppressed frames as text tables, in a language.

Also the one escaper of outside text (`plain`): what comes from a file, an account or a
setting is shown as itself wherever Markdown or plotly's HTML-like labels would read it.
"""

import re
import string

import pandas as pd

import i18n
from indicators import coverage_table

# Columns of the coverage table as displayed (labels: i18n keys column.<name>).
COLUMNS = [
    "province_name",
    "covered_count",
    "informal_workers_est",
    "coverage_rate",
    "registered_count",
    "registration_rate",
    "registered_not_covered_count",
    "coverage_gap_count",
    "numerator_reference_date",
    "denominator_reference_date",
]
RATES = {"coverage_rate", "registration_rate"}
ESTIMATE = "informal_workers_est"
# Figures computed from the estimate: where none exists they are absent, whatever the counts.
ESTIMATED = {"coverage_rate", "registration_rate", "coverage_gap_count"}
# What shows "no estimate" where the estimate is missing: the estimate and its figures.
NEEDS_ESTIMATE = ESTIMATED | {ESTIMATE}
FLAG = "⚑"  # a rate above 100%: registries hold more people than the estimate
MARKERS = ("hidden", "no_estimate", "over")  # what `legend` explains, in this order
# The SQL explains a missing denominator in English; pages show the translation.
NOTES = {
    "No population estimate exists for the persons of one registry": "note.source",
    "No estimate of informal workers exists for this occupation": "note.occupation",
    "No population estimate exists for this cut": "note.cut",
}


def named(frame: pd.DataFrame, places) -> pd.DataFrame:
    """The frame with `province_name`: each row's province (or the country) in the UI language.

    Args:
        frame: rows with `province_code` (and `province_name_en`, used where `places` has
            no name for a code).
        places: display name by province code, the national code included.
    """
    english = frame["province_name_en"] if "province_name_en" in frame else frame["province_code"]
    return frame.assign(province_name=frame["province_code"].map(places).fillna(english))


def marker(threshold: int, lang: str = "en") -> str:
    """The on-screen marker of a suppressed count."""
    return f"◼ <{i18n.digits(threshold, lang)}"


def no_estimate_marker(lang: str = "en") -> str:
    """The on-screen marker of a figure that needs a population estimate where none exists.

    Distinct from the small-count marker: nothing is hidden, there is nothing to divide by.
    """
    return i18n.t("marker.no_estimate", lang)


def legend(threshold: int, lang: str = "en", shown: tuple[str, ...] = MARKERS) -> str:
    """The explanation of the markers a view can show, one sentence each, in `lang`.

    Args:
        threshold: the disclosure threshold (the small-count marker's number).
        lang: the language.
        shown: which markers to explain: "hidden", "no_estimate", "over".
    """
    values = {"hidden": marker(threshold, lang), "no_estimate": no_estimate_marker(lang)}
    return " ".join(
        i18n.t(
            f"marker.explain.{name}", lang, marker=values.get(name, FLAG),
            threshold=i18n.digits(threshold, lang),
        )
        for name in shown
    )  # fmt: skip


def explain(text: str, threshold: int, lang: str = "en") -> str | None:
    """The explanation of the markers in one formatted figure (a metric's help), if any."""
    found = {
        "hidden": marker(threshold, lang) in text,
        "no_estimate": no_estimate_marker(lang) in text,
        "over": FLAG in text,
    }
    shown = tuple(name for name in MARKERS if found[name])
    return legend(threshold, lang, shown) if shown else None


def denominator_note(note: str, lang: str = "en") -> str:
    """The query's note on a missing denominator, in `lang`."""
    return i18n.t(NOTES[note], lang) if note in NOTES else note


def _kind(column: str) -> str:
    return "rate" if column in RATES else "long_date" if column.endswith("_date") else "count"


def _sources(column: str) -> tuple[str, ...]:
    """The counts of the coverage table a column is, or is derived from."""
    counts = (column,) if column in coverage_table.COUNTS else ()
    return coverage_table.DERIVED.get(column, counts)


def _hidden(frame: pd.DataFrame, column: str) -> pd.Series:
    """Whether each row's value in `column` is hidden, by the counts it derives from."""
    sources = _sources(column)
    if not sources:
        return pd.Series(False, index=frame.index)
    hidden = frame[[f"{s}_suppressed" for s in sources]].any(axis=1)
    if column in ESTIMATED:  # no estimate: absent (a dash), not hidden
        hidden &= frame["informal_workers_est"].notna()
    return hidden


def absent(frame: pd.DataFrame, column: str) -> pd.Series:
    """Whether each row's value in `column` is absent because no estimate exists."""
    if column not in NEEDS_ESTIMATE or ESTIMATE not in frame:
        return pd.Series(False, index=frame.index)
    return frame[ESTIMATE].isna()


def absent_in(row: pd.Series, column: str) -> bool:
    """Whether one row's value in `column` is absent because no estimate exists."""
    return column in NEEDS_ESTIMATE and ESTIMATE in row.index and bool(pd.isna(row[ESTIMATE]))


def hidden_in(row: pd.Series, column: str) -> bool:
    """Whether one row's value in `column` is suppressed (or derived from a suppressed count).

    A figure that needs an estimate where none exists is not hidden but absent (a dash).
    """
    if column in ESTIMATED and pd.isna(row.get("informal_workers_est")):
        return False
    return any(bool(row.get(f"{s}_suppressed", False)) for s in _sources(column))


def coverage_display(frame: pd.DataFrame, threshold: int, lang: str = "en") -> pd.DataFrame:
    """The coverage table as text: suppressed cells show a marker, rates over 100% a flag.

    A figure that needs the estimate where none exists shows the no-estimate marker.
    """
    out = pd.DataFrame(index=frame.index)
    names = frame["province_name_km" if lang == "km" else "province_name_en"]
    for column in COLUMNS:
        label = i18n.t(f"column.{column}", lang)
        if column == "province_name":
            out[label] = names
            continue
        hidden, missing = _hidden(frame, column), absent(frame, column)
        out[label] = [
            cell(value, _kind(column), h, marker(threshold, lang), lang, no_estimate=m)
            for value, h, m in zip(frame[column], hidden, missing, strict=True)
        ]
    return out.reset_index(drop=True)


def kpi_text(row: pd.Series, column: str, kind: str, threshold: int, lang: str = "en") -> str:
    """A key figure of a coverage row as text.

    A suppressed count, or a figure derived from one, shows the small-count marker; the
    estimate and the figures derived from it, where no estimate exists for the cut, show
    the no-estimate marker; a rate above 100% carries ⚑ (`explain` says what each means).
    """
    hidden, missing = hidden_in(row, column), absent_in(row, column)
    return cell(row[column], kind, hidden, marker(threshold, lang), lang, no_estimate=missing)


# Columns of a reference table whose values are words of a known vocabulary (i18n keys
# catalogue.<column>.<value>); a value outside it is shown as the catalogue gives it.
WORDED = ("ministry", "pillar", "sector")


def catalogue_word(column: str, value: object, lang: str = "en") -> str:
    """A reference table's value in words in `lang` (ministry, pillar, sector), else as given."""
    return word(f"catalogue.{column}", value, lang)


def plain_value(value: object) -> str:
    """A value as text: '' where missing."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def catalogue_display(frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A reference table (services, occupations) with the name in `lang` and labelled columns.

    Dates are written in words ("31 March 2024"), a missing one as a dash; shares as
    percentages; ministries, pillars and sectors in words of `lang` where known.
    """
    out = frame.drop(columns=["name_en", "name_km"]).copy()
    out.insert(1, "name", frame[i18n.name_column(lang)].fillna(frame["name_en"]))
    for column in [c for c in out.columns if c.endswith(("_on", "_date"))]:
        out[column] = [cell(v, "long_date", False, "", lang) for v in out[column]]
    for column in [c for c in out.columns if c.endswith("_share")]:
        out[column] = [cell(v, "rate", False, "", lang) for v in out[column]]
    for column in [c for c in WORDED if c in out.columns]:
        out[column] = [catalogue_word(column, v, lang) for v in out[column]]
    return out.rename(columns={c: i18n.t(f"column.{c}", lang) for c in out.columns})


KINDS = ("text", "code", "count", "rate", "points", "decimal", "date", "long_date")


def cell(
    value, kind: str, hidden: bool, marker: str, lang: str = "en", *, no_estimate: bool = False
) -> str:
    """One value as text in `lang` (its digits and separators): the one cell formatter.

    Tables, metrics, map and chart hover text all write their figures with it.

    Args:
        value: the value (missing values show a dash).
        kind: "text", "code" (a code, in the language's digits), "count" (1,234), "rate"
            (12.3%, ⚑ above 100%), "points" (+1.2 pp), "decimal" (12.3), "date"
            (2024-06-30) or "long_date" (30 June 2024).
        hidden: whether the value is suppressed (shows the marker).
        marker: the suppression marker.
        lang: the language.
        no_estimate: whether the value needs an estimate that does not exist (shows the
            no-estimate marker, whatever the counts).
    """
    if no_estimate:
        return no_estimate_marker(lang)
    if hidden:
        return marker
    if value is None or pd.isna(value):
        return "–"
    if kind == "count":
        return i18n.number(value, lang)
    if kind == "rate":
        return i18n.percent(value, lang) + (f" {FLAG}" if value > 1 else "")
    if kind == "decimal":
        return i18n.number(value, lang, 1)
    if kind == "points":
        return points(value, lang)
    if kind == "code":
        return i18n.digits(value, lang)
    if kind == "date":
        return i18n.digits(f"{pd.Timestamp(value):%Y-%m-%d}", lang)
    if kind == "long_date":
        return i18n.date_text(pd.Timestamp(value), lang)
    return str(value)


def points(value: float, lang: str = "en", decimals: int = 1) -> str:
    """A change of a rate in percentage points, e.g. +1.2 pp or +១,២ ពិន្ទុភាគរយ."""
    number = i18n.number(abs(100 * value), lang, decimals)
    return i18n.t("format.points", lang, value=("-" if value < 0 else "+") + number)


def moment(value: object, lang: str = "en") -> str:
    """A stored UTC time in words, e.g. 7 December 2026, 14:03 ('' when there is none)."""
    stamp = pd.to_datetime(value, errors="coerce") if value not in (None, "") else pd.NaT
    if pd.isna(stamp):
        return ""
    clock = i18n.digits(stamp.strftime("%H:%M"), lang)
    return i18n.t("admin.when", lang, day=i18n.date_text(stamp.date(), lang), clock=clock)


def word(prefix: str, value: object, lang: str = "en") -> str:
    """A stored code in words, else the code as stored.

    The i18n key is `<prefix>.<code>`, or `<prefix><code>` for a prefix ending in "_".
    """
    key = f"{prefix}{value}" if prefix.endswith("_") else f"{prefix}.{value}"
    return i18n.t(key, lang) if key in i18n.strings(i18n.DEFAULT) else plain_value(value)


def labelled(columns: dict[str, tuple[str, str]], label) -> dict[str, tuple[str, str]]:
    """Columns given as (i18n key, kind) with each key turned into its label by `label`."""
    return {column: (label(key), kind) for column, (key, kind) in columns.items()}


def table(
    frame: pd.DataFrame,
    columns: dict[str, tuple[str, str]],
    marker: str,
    hidden_by: dict[str, list[str]] | None = None,
    lang: str = "en",
    estimated_by: dict[str, str] | None = None,
) -> pd.DataFrame:
    """A display table.

    Args:
        frame: the data, with `<count>_suppressed` flag columns where counts may be hidden.
        columns: column -> (label, kind), in display order.
        marker: the suppression marker.
        hidden_by: column -> the flag columns that hide it; by default a column's own
            `<column>_suppressed` flag if present. A derived rate is hidden with its counts.
        lang: the language of the numbers.
        estimated_by: column -> the estimate it needs; where that estimate is missing (and
            not suppressed) the cell shows the no-estimate marker.
    """
    hidden_by, estimated_by = hidden_by or {}, estimated_by or {}
    out = pd.DataFrame(index=frame.index)
    for column, (label, kind) in columns.items():
        flags = hidden_by.get(column) or [f for f in [f"{column}_suppressed"] if f in frame]
        hidden = frame[flags].any(axis=1) if flags else pd.Series(False, index=frame.index)
        missing = _no_estimate(frame, estimated_by.get(column))
        out[label] = [
            cell(v, kind, bool(h), marker, lang, no_estimate=bool(m))
            for v, h, m in zip(frame[column], hidden, missing, strict=True)
        ]
    return out.reset_index(drop=True)


def _no_estimate(frame: pd.DataFrame, estimate: str | None) -> pd.Series:
    """Rows whose `estimate` is missing and not suppressed (no estimate exists)."""
    if estimate is None:
        return pd.Series(False, index=frame.index)
    suppressed = f"{estimate}_suppressed"
    missing = frame[estimate].isna()
    return missing & ~frame[suppressed].astype(bool) if suppressed in frame else missing


# Markdown (CommonMark, GitHub's links, images, autolinks, tables and strike-through),
# Streamlit's directives (:red[...], :material/icon:), math ($...$), HTML and plotly's
# label tags (<a href>, <b>, %{...} templates) all take their syntax from ASCII
# punctuation. Written as a numeric character reference, each mark shows as itself and
# means nothing, in Streamlit's Markdown and in plotly's labels alike (both decode it).
_REFERENCES = str.maketrans({mark: f"&#{ord(mark)};" for mark in string.punctuation})
# Streamlit swaps ":streamlit:" and emoji short codes (":smile:") for a picture after the
# references are decoded; an invisible word joiner after the colon keeps the words.
_SHORT_CODE = re.compile(r"(&#58;)(?=\w|&#43;|&#45;)")  # before a letter, digit, + or -


def plain(value: object) -> str:
    """Outside text (a file's, an account's, a setting's) to show as itself, as plain text.

    The one escaper for every Streamlit element that reads Markdown (markdown, caption,
    alerts, labels, help) and every plotly label (titles, legends, hover text, axes,
    annotations, so exported SVG and PDF charts too): no link, image, HTML, directive or
    formula can come out of it. Tables (st.dataframe) and files need none. A missing
    value (None, NaN, NA) is "".
    """
    missing = value is None or value is pd.NA or (isinstance(value, float) and value != value)
    text = "" if missing else str(value)
    return _SHORT_CODE.sub("\\1\u2060", text.translate(_REFERENCES))


# PDF readers (Chrome's, Firefox's, Acrobat) and office programs make a link of any text
# that looks like one ("https://…", "www.…", "name@host"), whatever the file says.
_LINK_LIKE = re.compile(r"(?i)(:|@|\bwww(?=\.))")


def unlinked(value: object) -> str:
    """Outside text for a document (PDF, PowerPoint): shown as itself, never made a link.

    A zero-width space (invisible, and in every font the packs embed) follows each colon
    and "@" and splits "www.", so no reader recognises an address in it. Markup needs no
    escaping there: the packs' text is never read as Markdown or HTML.
    """
    text = "" if value is None else str(value)
    return _LINK_LIKE.sub("\\1\u200b", text)
