"""The demo beside the published figures it is calibrated on (`demo --check-calibration`).

Each published figure of DOMAIN.md is either modelled (the demo's value is read from the
built store, scaled to national size, and must lie within +-20% of the figure) or not
modelled, with the reason. The demo draws informal workers and, beside them, the other
members of IDPoor households, so registries and programmes reached through IDPoor are
modelled whole (all their persons); households, formal employees and the whole population
are not drawn, and no figure about them is compared.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from data_access import reads
from demo import generator
from store import storage

BAND = 0.20


@dataclass(frozen=True)
class Figure:
    """A published figure; `measure` names how the demo's value is read, or None."""

    name: str
    target: float
    reference: str
    source: str
    measure: tuple | None = None
    note: str = ""


def _nssf(last: str, first: str | None = None, occupations: tuple = ()) -> tuple:
    return ("registered", "NSSF", first, last, True, occupations)


PRESS = "NSSF figures reported by the press (DOMAIN.md, programmes)"
COVID = "Phnom Penh Post"
MODELLED = [
    Figure("NSSF voluntary members (self-employed)", 24_000, "Aug 2023 (2023-08-31)", PRESS,
           _nssf("2023-08-31"), "over 24,000"),
    Figure("  of whom traders", 13_000, "Aug 2023 (2023-08-31)", PRESS,
           _nssf("2023-08-31", None, ("market_vendor",)), "over 13,000"),
    Figure("  of whom tuk-tuk drivers", 3_000, "Aug 2023 (2023-08-31)", PRESS,
           _nssf("2023-08-31", None, ("tuk_tuk_driver",)), "over 3,000"),
    Figure("  of whom construction workers", 1_500, "Aug 2023 (2023-08-31)", PRESS,
           _nssf("2023-08-31", None, ("construction_worker",)), "over 1,500"),
    Figure("NSSF self-employed new voluntary members", 97_031, "2023-11-14 to 2024-01-01",
           "Phnom Penh Post", _nssf("2024-01-01", "2023-11-14")),
    Figure("NSSF voluntary members (self-employed)", 130_000, "early 2024 (2024-01-31)", PRESS,
           _nssf("2024-01-31"), "over 130,000"),
    Figure("NSSF self-employed members", 170_000, "2024-06-30",
           "NSSF figures reported by the press, 2024", _nssf("2024-06-30")),
    Figure("Labour ministry informal-worker platform: registered", 18_500,
           "early 2025 (2025-03-31)", "Cambodia press reports",
           ("registered", "MLVT", None, "2025-03-31", True, ())),
    Figure("IDPoor card holders (persons)", 2_800_000, "2021-2024 (2022-12-31)",
           "DOMAIN.md, programmes", ("registered", "IDPOOR", None, "2022-12-31", False, ())),
    Figure("Health Equity Fund beneficiaries", 2_600_000, "2023-24 (2023-12-31)",
           "DFAT programme summary", ("active", "HEF", "2023-12-31", "persons")),
    Figure("COVID-19 cash transfer recipients", 2_783_989, "peak 2021-22 (2021-12-31)", COVID,
           ("active", "COVID_CASH", "2021-12-31", "persons")),
    Figure("  of whom aged 60+", 386_035, "peak 2021-22 (2021-12-31)", COVID,
           ("active", "COVID_CASH", "2021-12-31", "older_persons")),
    Figure("  of whom with disabilities", 60_660, "peak 2021-22 (2021-12-31)", COVID,
           ("active", "COVID_CASH", "2021-12-31", "disabled_persons")),
    Figure("Informal workers", 6_200_000, "2024", "news reports citing the labour ministry, "
           "Dec 2024", ("population", 2024, "informal_workers"),
           "the demo's modelled denominator (census x LFS 2019 rates)"),
]  # fmt: skip
NOT_MODELLED = [
    Figure("Informal workers (advocacy figure)", 7_000_000, "recent", "informal-economy "
           "associations", note="not a check: national scale draws 7,000,000 informal workers "
           "by definition (--people 7000000)"),
    Figure("Informal employment rate", 0.88, "2019", "Cambodia LFS 2019 (NIS, ILO, ADB)",
           note="an input, not an output: denominators are employed persons x 88%; the demo "
           "draws no formal workforce to measure a rate on"),
    Figure("Labour force; formal workers", 7_900_000, "2024", "news reports citing the labour "
           "ministry, Dec 2024", note="the demo draws informal workers only (the 6.2 M "
           "informal part is modelled above)"),
    Figure("NSSF health-care members (all schemes)", 2_229_522, "2024-06-30", "NSSF figures "
           "reported by the press, 2024", note="about 2.06 M of them are employees and civil "
           "servants, outside the informal-worker population; the demo's NSSF registry is the "
           "voluntary scheme for the self-employed (its 170,000 are modelled above)"),
    Figure("NSSF four-week national campaign: new members", 88_005, "late 2023", PRESS,
           note="the four weeks' dates are not given; the 97,031 of 14 Nov 2023 - 1 Jan 2024 "
           "cover the campaign"),
    Figure("IDPoor households; on-demand IDPoor households", 700_000, "2021-2024; COVID-19",
           "DOMAIN.md, programmes", note="the demo draws persons, not households; it turns "
           "the 178,000 on-demand households into 712,000 persons (4 a household, 2.8 M / "
           "700,000)"),
    Figure("COVID-19 cash transfer households", 705_487, "peak 2021-22", COVID,
           note="households (the demo has persons; its 2.78 M persons are modelled above)"),
    Figure("Family Package households registered", 570_000, "Apr-Jun 2024", "Phnom Penh Post",
           note="households, of a target of 700,000; the demo's Family Package uptake is an "
           "assumption"),
    Figure("Labour ministry platform applications", 11_447, "2025-02-11",
           "Cambodia press reports", note="the demo holds registrations, not applications"),
    Figure("Disability ID cards", 250_000, "from Oct 2023", "DOMAIN.md, programmes",
           note="the demo has no disability-ID registry (disability is a record attribute)"),
    Figure("SDG 1.3.1: at least one cash benefit", 0.062, "latest ILO profile",
           "ILO World Social Protection Data Dashboards", note="of the whole population, "
           "which the demo does not draw (only registered persons); the profile's year is not "
           "stated, and it counts schemes the demo lacks (pensions)"),
    Figure("SDG 1.3.1: health-protection affiliation", 0.314, "latest ILO profile",
           "ILO World Social Protection Data Dashboards", note="of the whole population; "
           "counts NSSF's employees and civil servants, which the demo does not draw"),
]  # fmt: skip


def _value(con, measure: tuple) -> float:
    """The demo's own count (not scaled) for a measure."""
    kind, *args = measure
    if kind == "registered":
        source, first, last, informal, occupations = args
        frame = reads.run(
            con, "demo/registered_persons", source=source, first_day=first, last_day=last,
            informal=informal, occupations=list(occupations),
        )  # fmt: skip
        return float(frame["persons"].iloc[0])
    if kind == "active":
        service, day, column = args
        frame = reads.run(con, "demo/active_persons", service=service, day=day, older_age=60)
        return float(frame[column].iloc[0])
    year, column = args
    return float(reads.run(con, "demo/modelled_population", year=year)[column].iloc[0])


def figures(con) -> tuple[pd.DataFrame, int]:
    """Every modelled figure beside the demo's value, and the demo's size (informal workers).

    Columns: figure, target, reference, source, note, demo_count (in the store),
    demo_value (x NATIONAL_PEOPLE / demo size), ratio, within (the +-20% band).
    """
    meta = storage.meta_values(con)
    if meta.get("is_demo") != "true":
        raise ValueError("not a demo store: only a demo is calibrated on published figures")
    people = int(meta["demo_people"])
    rows = []
    for f in MODELLED:
        count = _value(con, f.measure)
        value = count * generator.NATIONAL_PEOPLE / people
        rows.append((f.name, f.target, f.reference, f.source, f.note, count, value))
    frame = pd.DataFrame(rows, columns=["figure", "target", "reference", "source", "note",
                                        "demo_count", "demo_value"])  # fmt: skip
    frame["ratio"] = frame["demo_value"] / frame["target"]
    frame["within"] = (frame["ratio"] - 1).abs() <= BAND
    return frame, people


def unpublished(con, people: int) -> list[tuple[str, str]]:
    """Demo values with no published figure to compare: (what, value and why)."""
    meta = storage.meta_values(con)
    as_of = dt.date.fromisoformat(meta["data_as_of"])
    registered = float(reads.run(con, "demo/registered_informal_workers")["persons"].iloc[0])
    workers = _value(con, ("population", as_of.year, "informal_workers"))
    prov = generator.province_profile()
    farming = prov["mix_agricultural_worker"]
    rest = (farming * prov["weight"]).drop("12").sum() / prov["weight"].drop("12").sum()
    return [
        (f"Registration rate of informal workers on {as_of}",
         f"{registered / workers:.1%} (no published figure; follows from the registries' "
         "reach above, IDPoor first)"),
        ("Agricultural workers' share of informal workers",
         f"Phnom Penh {farming['12']:.1%}, other provinces {rest:.1%}, national "
         f"{(farming * prov['weight']).sum():.1%} (demo assumption: occupations.csv's national "
         "mix tilted by urbanity; the LFS 2019 urban and rural shares are not in DOMAIN.md)"),
    ]  # fmt: skip


def _number(value: float) -> str:
    return f"{value:.1%}" if value < 1 else f"{value:,.0f}"


def lines(frame: pd.DataFrame, people: int, extra: list[tuple[str, str]]) -> list[str]:
    """The check as printed: modelled figures, then the others and why."""
    scale = generator.NATIONAL_PEOPLE / people
    out = [
        f"Demo calibration: a store of {people:,} informal workers drawn; demo values are its "
        + ("counts (national scale)." if scale == 1 else
           f"counts x {scale:,.4g} (scaled to national: {generator.NATIONAL_PEOPLE:,})."),
        "",
        f"{'figure':<54} {'target':>10} {'demo':>10} {'ratio':>6}  {'check':<16} "
        "reference date; source",
    ]  # fmt: skip
    for r in frame.itertuples():
        check = "within +-20%" if r.within else "OUTSIDE +-20%"
        note = f" ({r.note})" if r.note else ""
        out.append(f"{r.figure:<54} {_number(r.target):>10} {_number(r.demo_value):>10} "
                   f"{r.ratio:>6.2f}  {check:<16} {r.reference}; {r.source}{note}")  # fmt: skip
    out += ["", "Not modelled:"]
    for f in NOT_MODELLED:
        out.append(f"  {f.name}: {_number(f.target)} ({f.reference}; {f.source}): {f.note}")
    out += ["", "No published figure:"] + [f"  {what}: {text}" for what, text in extra]
    return out


def check(path: Path) -> tuple[list[str], bool]:
    """The printed check of the store at `path`, and whether every modelled figure is within."""
    con = storage.open_read(path)
    try:
        frame, people = figures(con)
        extra = unpublished(con, people)
    finally:
        con.close()
    return lines(frame, people, extra), bool(frame["within"].all())
