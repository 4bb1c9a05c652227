import dataclasses

import streamlit as st

import i18n
import settings
from appdb import app_settings
from data_access import reads
from indicators import formatting, targeting, uptake
from ui import downloads, filters

lang = st.session_state.get("lang", "en")
f = st.session_state["coverage_filter"]
threshold = app_settings.min_count()
marker = formatting.marker(threshold, lang)
places = filters.places(lang)
coverage = reads.coverage_by_province(f)
reach = formatting.named(targeting.unregistered(coverage), places)
ctx = downloads.context(f, coverage, lang)
national = reach.set_index("province_code").loc[settings.NATIONAL]
no_estimate = formatting.absent_in(national, "informal_workers_est")
# Figures that need the estimate show the no-estimate marker where none exists.
ESTIMATED = dict.fromkeys(("informal_workers_est", "coverage_gap_count", "unregistered_est"),
                          "informal_workers_est")  # fmt: skip
SDG_ESTIMATED = {"denominator": "denominator", "coverage_rate": "denominator"}


def figure(column, hidden=False):
    text = formatting.cell(national[column], "count", hidden, marker, lang, no_estimate=no_estimate)
    return {"value": text, "help": formatting.explain(text, threshold, lang)}


def t(key, **values):
    return i18n.t(f"gaps.{key}", lang, **values)


def title(key, cut=f):
    return filters.titled(t(key), cut, lang, escaped=False)


st.title(t("title"))
st.caption(t("caption", month=i18n.month_year(f.as_of, lang)))

st.subheader(t("reach_heading"))
cols = st.columns(3)
unregistered = figure("unregistered_est", national["registered_count_suppressed"])
cols[0].metric(t("gap"), **figure("coverage_gap_count", national["covered_count_suppressed"]))
cols[1].metric(t("unregistered"), **unregistered)
cols[2].metric(t("estimate"), **figure("informal_workers_est"))
reach_columns = formatting.labelled(targeting.REACH_COLUMNS, t)
downloads.shown_table(
    formatting.table(reach, reach_columns, marker, targeting.REACH_HIDDEN, lang, ESTIMATED),
    title("reach_heading"), ctx, f"gaps_reach_{f.as_of:%Y-%m}", "gaps_reach",
)  # fmt: skip

st.subheader(t("targeting_heading"))
errors = formatting.named(reads.targeting_by_province(f), places)
catalogue = reads.service_catalogue()
offered = list(dict.fromkeys(errors["service_code"]))  # programmes with a rule, in order
names = uptake.programme_names(catalogue, f.as_of, lang)
running = uptake.default_services(catalogue, f.as_of, offered)
left, right = st.columns([3, 2])
right.markdown(t("definitions"))
if no_estimate:
    right.warning(t("invisible_no_estimate"))
else:
    right.warning(t("invisible", count=unregistered["value"]))
if not offered:
    left.info(t("no_rules"))
else:
    service = left.selectbox(
        t("programme"), offered, key=filters.relabelled("gaps_programme"),
        format_func=lambda c: names.get(c, c), placeholder=filters.choose(lang),
        index=offered.index(running[0]) if running else 0, help=t("programme_help"),
    )  # fmt: skip
    rule = targeting.rule_text(
        reads.eligibility_rule_list(), service, lambda c: t(f"criterion.{c}"),
        lambda c, v: t(f"value.{v}") if v in ("true", "false") else i18n.digits(v, lang),
        alternatives=t("rule_or"),
    )  # fmt: skip
    left.caption(t("rule") + formatting.plain(rule))
    cut = dataclasses.replace(f, services=())  # the programme chosen here replaces the filter's
    with left:
        downloads.shown_table(
            formatting.table(
                errors[errors["service_code"] == service],
                formatting.labelled(targeting.ERROR_COLUMNS, t), marker, targeting.ERROR_HIDDEN,
                lang=lang,
            ),
            title("targeting_heading", cut),
            downloads.context(cut, coverage, lang, [(t("programme"), names.get(service, service))]),
            f"gaps_errors_{service}_{f.as_of:%Y-%m}", "gaps_errors",
        )  # fmt: skip

st.subheader(t("sdg_heading"))
st.caption(t("sdg_caption"))
sdg = formatting.named(targeting.sdg_by_group(reads.coverage_by_group(f)), places)
sdg["group"] = sdg["group_code"].map(lambda g: t(f"group.{g}"))
sdg["denominator_is"] = sdg["denominator_kind"].map(lambda k: t(f"denominator.{k}"))
columns = formatting.labelled(targeting.SDG_COLUMNS, t)
kh = sdg["province_code"] == settings.NATIONAL
downloads.shown_table(
    formatting.table(sdg[kh], columns, marker, targeting.SDG_HIDDEN, lang, SDG_ESTIMATED),
    title("sdg_heading"), ctx, f"gaps_sdg_{f.as_of:%Y-%m}", "gaps_sdg",
)  # fmt: skip
with st.expander(t("sdg_by_province")):
    downloads.shown_table(
        formatting.table(sdg[~kh], columns, marker, targeting.SDG_HIDDEN, lang, SDG_ESTIMATED),
        title("sdg_province_heading"), ctx,
        f"gaps_sdg_provinces_{f.as_of:%Y-%m}", "gaps_sdg_provinces",
    )  # fmt: skip
st.caption(" ".join([i18n.t("marker.adjusted", lang), formatting.legend(threshold, lang)]))
