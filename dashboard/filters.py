"""The filters shared by every page: sidebar widgets kept in sync with the URL.

Each widget's value lives in st.session_state under a `filter_*` key (keys are API:
tests drive them). On a session's first run the values come from st.query_params, so
a shared link reopens the same view; after every run the URL is rewritten from them.
"""

import datetime as dt

import streamlit as st

import data_access

ALL = "All"
KEYS = {
    "month": "filter_month",
    "services": "filter_services",
    "occupation": "filter_occupation",
    "sex": "filter_sex",
    "age": "filter_age_band",
    "source": "filter_source",
}
SEX_LABELS = {ALL: "All", "F": "Women", "M": "Men"}


def _options() -> dict[str, list]:
    return {
        "month": [m.strftime("%Y-%m") for m in data_access.report_months()],
        "services": data_access.service_catalogue()["service_code"].tolist(),
        "occupation": [ALL, *data_access.informal_occupations()["occupation"]],
        "sex": list(SEX_LABELS),
        "age": [ALL, *data_access.age_band_list()["age_band"]],
        "source": [ALL, *data_access.source_registries()["source"]],
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
    }
    st.query_params.from_dict({k: v for k, v in values.items() if v and v != ALL})


def sidebar() -> data_access.CoverageFilter:
    """Render the shared filters in the sidebar and return the chosen cut."""
    options = _options()
    _from_url(options)
    catalogue = data_access.service_catalogue().set_index("service_code")["name_en"]
    occupations = data_access.informal_occupations().set_index("occupation")["name_en"]
    sources = data_access.source_registries().set_index("source")["name_en"]
    with st.sidebar:
        st.header("Filters")
        month = st.selectbox(
            "As-of month", options["month"], key=KEYS["month"],
            help="Coverage is measured on the last day of this month.",
        )  # fmt: skip
        services = st.multiselect(
            "Programmes", options["services"], key=KEYS["services"],
            format_func=lambda c: catalogue.get(c, c), placeholder="Any programme",
            help="Covered by at least one of the chosen programmes (none chosen: any).",
        )  # fmt: skip
        occupation = st.selectbox(
            "Occupation", options["occupation"], key=KEYS["occupation"],
            format_func=lambda o: "All informal work" if o == ALL else occupations.get(o, o),
        )  # fmt: skip
        sex = st.selectbox("Sex", options["sex"], key=KEYS["sex"], format_func=SEX_LABELS.get)
        age = st.selectbox("Age band", options["age"], key=KEYS["age"])
        source = st.selectbox(
            "Source registry", options["source"], key=KEYS["source"],
            format_func=lambda s: "All registries" if s == ALL else sources.get(s, s),
        )  # fmt: skip
        if st.session_state.pop("filters_ignored", None):
            st.warning("Some filters in the link were not recognised and were ignored.")
    _to_url()
    return data_access.CoverageFilter(
        as_of=dt.date.fromisoformat(f"{month}-01"),
        services=tuple(services),
        occupation=None if occupation == ALL else occupation,
        sex=None if sex == ALL else sex,
        age_band=None if age == ALL else age,
        source=None if source == ALL else source,
    )
