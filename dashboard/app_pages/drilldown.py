import dataclasses

import streamlit as st

import i18n
from appdb import app_settings
from charts import axes, coverage_charts
from data_access import reads
from indicators import drilldown, formatting
from ingest import boundaries
from ui import downloads, filters, map_controls

lang = st.session_state.get("lang", "en")
f = st.session_state["coverage_filter"]
threshold = app_settings.min_count()
marker = formatting.marker(threshold, lang)
provinces = reads.province_list().set_index("province_code")[i18n.name_column(lang)]


def t(key, **values):
    return i18n.t(f"drilldown.{key}", lang, **values)


st.title(t("title"))
st.caption(t("caption", month=i18n.month_year(f.as_of, lang)))
if provinces.empty:  # none of the user's provinces is in this store
    st.info(i18n.t("auth.no_province", lang))
    st.stop()
province = st.selectbox(
    t("province"), list(provinces.index), key=filters.relabelled("drilldown_province"),
    format_func=provinces.get, placeholder=filters.choose(lang),
)  # fmt: skip
cut = reads.CoverageFilter(f.as_of, f.services)  # the only filters that apply below a province
place = provinces[province]
ctx = downloads.context(cut, reads.coverage_by_province(cut), lang, [(t("province"), place)])
stem = f"{province}_{f.as_of:%Y-%m}"
areas = reads.area_coverage(f, province)
areas["name"] = areas[i18n.name_column(lang)].fillna(areas["name_en"]).fillna(t("unknown"))
total = areas[areas["level"] == "province"].iloc[0]
cols = st.columns(3)
for col, key in zip(
    cols, ("registered_count", "covered_count", "registered_not_covered_count"), strict=True
):
    text = formatting.cell(total[key], "count", total[f"{key}_suppressed"], marker, lang=lang)
    col.metric(t(f"col.{key}"), text, help=formatting.explain(text, threshold, lang))

columns = formatting.labelled(drilldown.COLUMNS, t)
hover_items = [
    (t(f"col.{c}"), c, "count", [f"{c}_suppressed"]) for c in ("registered_count", "covered_count")
] + [(t("col.covered_share"), "covered_share_of_registered", "rate",
      drilldown.HIDDEN["covered_share_of_registered"])]  # fmt: skip
districts = drilldown.level(areas, "district")
left, right = st.columns([3, 2])
with right:
    downloads.shown_table(
        formatting.table(districts, columns, marker, drilldown.HIDDEN, lang=lang),
        filters.titled(t("districts_title", province=place), cut, lang, escaped=False), ctx,
        f"drilldown_districts_{stem}", "drilldown_districts", height=420,
    )  # fmt: skip
with left:
    shapes = boundaries.load()
    if shapes is None:
        figure = drilldown.bars(
            districts, filters.titled(t("bars_title", province=place), cut, lang), t
        )
        st.plotly_chart(figure, key="drilldown_bars", width="stretch")
        downloads.figure_buttons(
            figure, ctx, f"drilldown_bars_{stem}_{lang}", "drilldown_bars_download"
        )
        st.info(t("no_boundaries"))
    else:
        cls = map_controls.classification(
            "drilldown_map", districts["covered_share_of_registered"], lang, percent=True,
            default_breaks=[0.25, 0.5, 0.75],
        )  # fmt: skip
        shown = boundaries.of_province(shapes, province)
        figure = coverage_charts.coverage_map(
            districts.assign(
                district_code=districts["area_code"], province_code=districts["parent_code"],
                hover=axes.hover(districts, "name", hover_items, marker, lang),
            ),
            filters.titled(t("map_title", province=place), cut, lang), lang, cls,
            value="covered_share_of_registered", legend_title=t("col.covered_share"),
            geojson=shown, locations="district_code", view=boundaries.view(shown),
            attribution=shapes.get("attribution", ""),
        )  # fmt: skip
        st.plotly_chart(figure, key="drilldown_map", width="stretch")
        downloads.map_buttons(figure, ctx, f"drilldown_map_{stem}_{lang}", "drilldown_map_download")

names = dict(zip(districts["area_code"], districts["name"], strict=True))
district = st.selectbox(
    t("district"), districts["area_code"].tolist(), key=filters.relabelled("drilldown_district"),
    format_func=names.get, placeholder=filters.choose(lang),
)  # fmt: skip
area = names.get(district, "–")
downloads.shown_table(
    formatting.table(
        drilldown.level(areas, "commune", district), columns, marker, drilldown.HIDDEN, lang=lang
    ),
    filters.titled(t("communes_title", district=area), cut, lang, escaped=False),
    dataclasses.replace(ctx, filters=(*ctx.filters, (t("col.district"), area))),
    f"drilldown_communes_{district}_{f.as_of:%Y-%m}", "drilldown_communes",
)  # fmt: skip
st.caption(" ".join([t("note", marker=marker), formatting.legend(threshold, lang, ("over",))]))
