import streamlit as st

import i18n
import settings
from appdb import app_settings
from data_access import reads
from indicators import formatting, targeting

lang = st.session_state.get("lang", "en")
f = st.session_state["coverage_filter"]
marker = formatting.marker(app_settings.min_count())
reach = targeting.unregistered(reads.coverage_by_province(f))
national = reach.set_index("province_code").loc[settings.NATIONAL]
unregistered = formatting.cell(
    national["unregistered_est"],
    "count",
    national["registered_count_suppressed"],
    marker,
    lang=lang,
)


def t(key, **values):
    return i18n.t(f"gaps.{key}", lang, **values)


st.title(t("title"))
st.caption(t("caption", month=f"{f.as_of:%B %Y}"))

st.subheader(t("reach_heading"))
cols = st.columns(3)
cols[0].metric(
    t("gap"), formatting.cell(national["coverage_gap_count"], "count", False, marker, lang=lang)
)
cols[1].metric(t("unregistered"), unregistered)
cols[2].metric(
    t("estimate"), formatting.cell(national["informal_workers_est"], "count", False, "", lang=lang)
)
reach_columns = formatting.labelled(targeting.REACH_COLUMNS, t)
st.dataframe(
    formatting.table(reach, reach_columns, marker, targeting.REACH_HIDDEN, lang=lang),
    hide_index=True, key="gaps_reach",
)  # fmt: skip

st.subheader(t("targeting_heading"))
errors = reads.targeting_by_province(f)
programmes = dict(zip(errors["service_code"], errors["service_name_en"], strict=True))
left, right = st.columns([3, 2])
right.markdown(t("definitions"))
right.warning(t("invisible", count=unregistered))
if not programmes:
    left.info(t("no_rules"))
else:
    service = left.selectbox(
        t("programme"), list(programmes), key="gaps_programme", format_func=programmes.get
    )
    rule = targeting.rule_text(
        reads.eligibility_rule_list(), service, lambda c: t(f"criterion.{c}")
    )
    left.caption(t("rule") + formatting.plain(rule))
    left.dataframe(
        formatting.table(
            errors[errors["service_code"] == service],
            formatting.labelled(targeting.ERROR_COLUMNS, t), marker, targeting.ERROR_HIDDEN,
            lang=lang,
        ),
        hide_index=True, key="gaps_errors",
    )  # fmt: skip

st.subheader(t("sdg_heading"))
st.caption(t("sdg_caption"))
sdg = targeting.sdg_by_group(reads.coverage_by_group(f))
sdg["group"] = sdg["group_code"].map(lambda g: t(f"group.{g}"))
sdg["denominator_is"] = sdg["denominator_kind"].map(lambda k: t(f"denominator.{k}"))
columns = formatting.labelled(targeting.SDG_COLUMNS, t)
kh = sdg["province_code"] == settings.NATIONAL
st.dataframe(
    formatting.table(sdg[kh], columns, marker, targeting.SDG_HIDDEN, lang=lang),
    hide_index=True,
    key="gaps_sdg",
)
with st.expander(t("sdg_by_province")):
    st.dataframe(
        formatting.table(sdg[~kh], columns, marker, targeting.SDG_HIDDEN, lang=lang),
        hide_index=True, key="gaps_sdg_provinces",
    )  # fmt: skip
st.caption(t("suppression_note", marker=marker))
