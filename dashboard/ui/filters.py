"""The filters shared by every page: sidebar widgets kept in sync with the URL.

Each widget's value lives in st.session_state under a `filter_*` key (keys are API:
tests drive them). On a session's first run the values come from st.query_params, so
a shared link reopens the same view; after every run the URL is rewritten from them.
The language switch (key `lang`) works the same way: `?lang=km` opens the app in Khmer.
"""

import datetime as dt

import streamlit as st

import i18n
import settings
from data_access import reads
from exports import rendering
from indicators import formatting, uptake

ALL = "All"
LANG_KEY = "lang"
# The other widgets (on any page) whose options are labelled in the UI language.
RELABELLED = "filters_relabelled"
KEYS = {
    "month": "filter_month",
    "services": "filter_services",
    "occupation": "filter_occupation",
    "sex": "filter_sex",
    "age": "filter_age_band",
    "source": "filter_source",
}


def _options() -> dict[str, list]:
    return {
        "month": [m.strftime("%Y-%m") for m in reads.report_months()],
        "services": reads.service_catalogue()["service_code"].tolist(),
        "occupation": [ALL, *reads.informal_occupations()["occupation"]],
        "sex": [ALL, "F", "M"],
        "age": [ALL, *reads.age_band_list()["age_band"]],
        "source": [ALL, *reads.source_registries()["source"]],
    }


def _from_url(options: dict[str, list]) -> None:
    """Seed session state from the URL once per session, ignoring unknown values."""
    if st.session_state.get("filters_seeded"):
        return
    st.session_state["filters_seeded"] = True
    params, ignored = st.query_params, []
    for name, key in KEYS.items():
        if name not in params:
            continue
        raw = params[name]
        value = [v for v in raw.split(",") if v] if name == "services" else raw
        wanted = value if isinstance(value, list) else [value]
        if all(v in options[name] for v in wanted):
            st.session_state[key] = value
        else:
            ignored.append(name)
    if ignored:
        st.session_state["filters_ignored"] = ignored


def _to_url() -> None:
    state = st.session_state
    values = {
        "month": state[KEYS["month"]],
        "services": ",".join(state[KEYS["services"]]),
        "occupation": state[KEYS["occupation"]],
        "sex": state[KEYS["sex"]],
        "age": state[KEYS["age"]],
        "source": state[KEYS["source"]],
        "lang": state.get(LANG_KEY, i18n.DEFAULT),
    }
    keep = {k: v for k, v in values.items() if v and v != ALL}
    if keep["lang"] == i18n.DEFAULT:
        del keep["lang"]
    st.query_params.from_dict(keep)


def relabelled(key: str) -> str:
    """A widget key whose options are labelled in the UI language, kept across a switch.

    Streamlit knows a choice of a select box, multiselect or radio by its label: after a
    language switch the old label matches no option, and the widget would fall back to its
    default. Every such widget is keyed through this function, and `_relabel` re-sets it.
    """
    st.session_state.setdefault(RELABELLED, set()).add(key)
    return key


def _relabel() -> None:
    """Re-set each filter and relabelled widget to its own value, in the new language.

    A select box keeps showing the label its value had when chosen; a value set through
    session state is sent to the browser again, with its label in the new language.
    """
    for key in [*KEYS.values(), *sorted(st.session_state.get(RELABELLED, ()))]:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def choose(lang: str, many: bool = False) -> str:
    """The placeholder of an empty select box (or multiselect) in the UI language."""
    return i18n.t("select.choose_many" if many else "select.choose", lang)


def language() -> str:
    """Render the language switch at the top of the sidebar; return the chosen language."""
    if LANG_KEY not in st.session_state:
        wanted = st.query_params.get("lang", i18n.DEFAULT)
        st.session_state[LANG_KEY] = wanted if wanted in i18n.LANGUAGES else i18n.DEFAULT
    st.sidebar.radio(
        i18n.t("app.language"), list(i18n.LANGUAGES), key=LANG_KEY,
        format_func=i18n.LANGUAGES.get, horizontal=True, on_change=_relabel,
    )  # fmt: skip
    return st.session_state[LANG_KEY]


def places(lang: str) -> dict[str, str]:
    """The country's and each visible province's name in `lang`, by code."""
    provinces = reads.province_list()
    names = provinces[i18n.name_column(lang)].fillna(provinces["name_en"])
    return {settings.NATIONAL: i18n.t("brief.country", lang),
            **dict(zip(provinces["province_code"], names, strict=True))}  # fmt: skip


def labels(lang: str) -> dict[str, object]:
    """Display names of each filter's options in `lang`."""
    return {
        "services": rendering.names(reads.service_catalogue(), "service_code", lang),
        "occupation": rendering.names(reads.informal_occupations(), "occupation", lang),
        "source": rendering.names(reads.source_registries(), "source", lang),
    }


def sidebar(lang: str = i18n.DEFAULT) -> reads.CoverageFilter:
    """Render the shared filters in the sidebar and return the chosen cut."""
    options = _options()
    _from_url(options)
    names = labels(lang)

    def label(name: str, all_key: str = "filters.all"):
        return lambda v: i18n.t(all_key, lang) if v == ALL else names[name].get(v, v)

    pick = choose(lang)
    with st.sidebar:
        st.header(i18n.t("filters.header", lang))
        month = st.selectbox(
            i18n.t("filters.month", lang), options["month"], key=KEYS["month"],
            placeholder=pick,
            format_func=lambda m: i18n.month_year(dt.date.fromisoformat(f"{m}-01"), lang),
            help=i18n.t("filters.month_help", lang),
        )  # fmt: skip
        # an ended programme reads "(ended March 2024)" against the chosen month
        as_of = dt.date.fromisoformat(f"{month}-01")
        programmes = uptake.programme_names(reads.service_catalogue(), as_of, lang)
        services = st.multiselect(
            i18n.t("filters.services", lang), options["services"], key=KEYS["services"],
            format_func=lambda s: programmes.get(s, s),
            placeholder=i18n.t("filters.services_placeholder", lang),
            help=i18n.t("filters.services_help", lang),
        )  # fmt: skip
        occupation = st.selectbox(
            i18n.t("filters.occupation", lang), options["occupation"], key=KEYS["occupation"],
            placeholder=pick,
            format_func=label("occupation", "filters.occupation_all"),
        )  # fmt: skip
        sex = st.selectbox(
            i18n.t("filters.sex", lang), options["sex"], key=KEYS["sex"],
            placeholder=pick,
            format_func=lambda s: i18n.t("filters.all" if s == ALL else f"sex.{s}", lang),
        )  # fmt: skip
        age = st.selectbox(
            i18n.t("filters.age", lang), options["age"], key=KEYS["age"],
            placeholder=pick,
            format_func=lambda a: i18n.t("filters.all", lang) if a == ALL else i18n.digits(a, lang),
        )  # fmt: skip
        source = st.selectbox(
            i18n.t("filters.source", lang), options["source"], key=KEYS["source"],
            placeholder=pick,
            format_func=label("source", "filters.source_all"),
        )  # fmt: skip
        if st.session_state.pop("filters_ignored", None):
            st.warning(i18n.t("filters.ignored", lang))
    _to_url()
    return reads.CoverageFilter(
        as_of=as_of,
        services=tuple(services),
        occupation=None if occupation == ALL else occupation,
        sex=None if sex == ALL else sex,
        age_band=None if age == ALL else age,
        source=None if source == ALL else source,
    )


def describe(f: reads.CoverageFilter, lang: str = i18n.DEFAULT) -> tuple[tuple[str, str], ...]:
    """The chosen cut in words, as (filter label, value) pairs, for exports."""
    return rendering.describe_cut(f, lang, labels(lang))


def titled(
    title: str, f: reads.CoverageFilter, lang: str = i18n.DEFAULT, *, month: bool = True,
    escaped: bool = True,
) -> str:  # fmt: skip
    """A chart's (or table's) title with the filters that made it, only those that are set.

    E.g. "Needs index by province, June 2024 (Sex: Women; Age band: 25-34)". The month
    is added unless the title names it already, or `month` is False (a monthly series).

    Args:
        title: the title in words.
        f: the filters that apply to the chart (only those: pass a reduced cut).
        lang: the language.
        month: whether the as-of month applies.
        escaped: the phrase as plain text for plotly (names come from the store); False
            for a file's title.
    """
    (_, month_text), *others = describe(f, lang)
    items = [month_text] if month and month_text not in title else []
    items += [i18n.t("format.pair", lang, label=k, value=v) for k, v in others]
    if not items:
        return title
    phrase = i18n.t("format.list_separator", lang).join(items)
    phrase = formatting.plain(phrase) if escaped else phrase
    return i18n.t("format.titled", lang, title=title, filters=phrase)
