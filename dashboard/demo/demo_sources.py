"""The demo's agency files: synthetic identities, each registry's own format, realistic dirt.

Every demo person gets a national ID, a Khmer name (family name, given name) with its
common romanisations, and a birth date. Each registry writes what it would export:
IDPoor in Khmer script with its own column names (CSV with a byte-order mark), NSSF
romanised "FAMILY Given" with codes 1/2 for sex (Parquet), MoSVY and the labour ministry
in the canonical columns. Dirt is applied per record, each kind with probability `dirt`:
a missing ID, a typo in the name, day and month swapped in the birth date, a missing
birth date (year kept), a missing commune. The person_key of the generator is the truth
that linkage is measured against (bench/runner.py); it never goes into the files.
"""

import numpy as np
import pandas as pd

from demo import generator

FAMILY = [
    ("សុខ", "Sok|Sokh"), ("ចាន់", "Chan|Chann"), ("លី", "Ly|Lee"), ("ហេង", "Heng|Hieng"),
    ("គឹម", "Kim|Kem"), ("ស៊ុន", "Sun|Soun"), ("ម៉ៅ", "Mao|Mau"), ("ឈឹម", "Chhim|Chhem"),
    ("ពេជ្រ", "Pich|Pech"), ("អ៊ុក", "Ouk|Uk"), ("ខៀវ", "Khiev|Khieu"), ("ណុប", "Nop|Nob"),
    ("ជា", "Chea|Chear"), ("ស៊ិន", "Sin|Sinn"), ("ទេព", "Tep|Teb"), ("យស់", "Yos|Yous"),
    ("គង់", "Kong|Korng"), ("ភួង", "Phoung|Phuong"), ("ប៊ុន", "Bun|Boun"), ("ឡុង", "Long|Lorng"),
    ("សេង", "Seng|Sieng"), ("ទូច", "Touch|Toch"), ("ព្រំ", "Prum|Prom"), ("នួន", "Nuon|Noun"),
    ("វង់", "Vong|Vorng"), ("ម៉េង", "Meng|Mheng"), ("ហ៊ុន", "Hun|Hoon"), ("កែវ", "Keo|Kaev"),
]  # fmt: skip
GIVEN_M = [
    ("ដារ៉ា", "Dara|Darah"), ("វណ្ណា", "Vanna|Vana"), ("សំណាង", "Samnang|Somnang"),
    ("វិចិត្រ", "Vichet|Vichith"), ("ពិសិដ្ឋ", "Piseth|Pisith"), ("សុផល", "Sophal|Sophol"),
    ("វុទ្ធី", "Vuthy|Vutthy"), ("រិទ្ធ", "Rith|Rit"), ("វីរៈ", "Virak|Vireak"),
    ("សុវណ្ណ", "Sovann|Sovan"), ("បូរ៉ា", "Bora|Borah"), ("រតនៈ", "Ratanak|Rathanak"),
    ("សុខា", "Sokha|Sokhar"), ("ធារ៉ា", "Theara|Thara"), ("មករា", "Makara|Makkara"),
    ("សីហា", "Seyha|Sieha"), ("កុសល", "Kosal|Kusal"), ("វិសាល", "Visal|Vesal"),
    ("ឧត្តម", "Oudom|Udom"), ("សម្បត្តិ", "Sambath|Sambat"),
]  # fmt: skip
GIVEN_F = [
    ("សុភា", "Sophea|Sopha"), ("ធីតា", "Thida|Theda"), ("ស្រីពៅ", "Sreypov|Srey Pov"),
    ("ចន្ថា", "Chantha|Chanthea"), ("រតនា", "Ratana|Rattana"), ("បុប្ផា", "Bopha|Bupha"),
    ("ស្រីនី", "Sreyny|Sreynee"), ("ម៉ាលី", "Maly|Mali"), ("រស្មី", "Rasmey|Reaksmey"),
    ("សុជាតា", "Socheata|Sochata"), ("កញ្ញា", "Kanha|Kagna"), ("ណារី", "Nary|Neary"),
    ("ចិន្តា", "Chenda|Chinda"), ("ស្រីមុំ", "Sreymom|Srey Mom"), ("លក្ខិណា", "Leakhena|Lakhena"),
    ("សុខលី", "Sokly|Sokhly"), ("ដាលីន", "Dalin|Daline"), ("សោភ័ណ", "Sophorn|Sophon"),
    ("គន្ធា", "Kunthea|Kuntha"), ("ពិសី", "Pisey|Pisei"),
]  # fmt: skip
# Share of each registry's records exported without a national ID, before any dirt.
MISSING_ID = {"IDPOOR": 0.35, "NSSF": 0.02, "MOSVY": 0.25, "MLVT": 0.15}
NSSF_JOBS = {
    "tuk_tuk_driver": "Tuk-tuk driver", "motor_taxi_driver": "Motor-taxi driver",
    "market_vendor": "Trader", "food_vendor": "Food seller", "souvenir_vendor": "Souvenir seller",
    "auto_mechanic": "Mechanic", "construction_worker": "Construction worker",
    "domestic_worker": "Domestic worker", "home_based_worker": "Home-based worker",
    "agricultural_worker": "Farmer", "other_informal": "Other self-employed",
    "formal_employee": "Employee",
}  # fmt: skip
KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")


def identities(rng, people: pd.DataFrame) -> pd.DataFrame:
    """National ID, name indices and birth date of each person (a bijection of person_key)."""
    n = len(people)
    key = people["person_key"].to_numpy()
    ids = pd.Series((key * 7919 + 100_000_007) % 10**9).astype(str).str.zfill(9)
    female = people["sex"].to_numpy() == "F"
    given = np.where(female, rng.integers(0, len(GIVEN_F), n), rng.integers(0, len(GIVEN_M), n))
    day = rng.integers(0, 365, n)
    birth = pd.to_datetime(people["birth_year"].astype(str) + "-01-01") + pd.to_timedelta(day, "D")
    return people.assign(
        national_id=ids.to_numpy(),
        family=rng.integers(0, len(FAMILY), n),
        given=given,
        birth_date=birth.dt.strftime("%Y-%m-%d").to_numpy(),
    )


IDENTITY = ["national_id", "family", "given", "birth_date"]


def attach(regs: pd.DataFrame, who: pd.DataFrame, as_of) -> pd.DataFrame:
    """Registrations with their person's identity; no birth after as_of or registration."""
    out = regs.merge(who[["person_key", *IDENTITY]], on="person_key", how="left")
    birth = pd.to_datetime(out["birth_date"]).clip(upper=pd.Timestamp(as_of))
    out["birth_date"] = birth.dt.strftime("%Y-%m-%d")
    out["registered_on"] = np.maximum(pd.to_datetime(out["registered_on"]), birth)
    return out


def _names(rng, rows: pd.DataFrame, script: str, family_first: bool) -> np.ndarray:
    """Each row's name in Khmer script or one of its romanisations."""
    out = []
    female = rows["sex"].to_numpy() == "F"
    choices = rng.integers(0, 2, (len(rows), 2))
    for fam, giv, fem, pick in zip(rows["family"], rows["given"], female, choices, strict=True):
        given = (GIVEN_F if fem else GIVEN_M)[giv]
        parts = [FAMILY[fam], given] if family_first or script == "km" else [given, FAMILY[fam]]
        if script == "km":
            out.append(" ".join(p[0] for p in parts))
        else:
            out.append(" ".join(p[1].split("|")[c] for p, c in zip(parts, pick, strict=True)))
    return np.array(out, dtype=object)


def _typo(rng, name: str) -> str:
    """One keyboard slip: a letter dropped, doubled, or two letters swapped."""
    if len(name) < 4:
        return name
    i = int(rng.integers(1, len(name) - 1))
    kind = int(rng.integers(0, 3))
    if kind == 0:
        return name[:i] + name[i + 1 :]
    if kind == 1:
        return name[:i] + name[i] + name[i:]
    return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]


def _swap_day_month(dates: pd.Series, registered: pd.Series) -> pd.Series:
    """Dates with day and month exchanged where that gives another valid, earlier date."""
    parsed = pd.to_datetime(dates)
    swapped = pd.to_datetime(parsed.dt.strftime("%Y-%d-%m"), format="%Y-%m-%d", errors="coerce")
    ok = swapped.notna() & (swapped <= pd.to_datetime(registered))
    return dates.where(~ok, swapped.dt.strftime("%Y-%m-%d"))


def dirty(rng, records: pd.DataFrame, source: str, dirt: float) -> pd.DataFrame:
    """Canonical records of one registry with its names, missing IDs and dirt applied."""
    n = len(records)
    out = records.copy()
    script = "km" if source == "IDPOOR" else "latin"
    out["full_name"] = _names(rng, records, script, family_first=source != "MLVT")
    typo = rng.random(n) < dirt
    out.loc[typo, "full_name"] = [_typo(rng, s) for s in out.loc[typo, "full_name"]]
    no_id = rng.random(n) < MISSING_ID[source] + dirt
    out["national_id"] = np.where(no_id, "", out["national_id"])
    swap = rng.random(n) < dirt
    out.loc[swap, "birth_date"] = _swap_day_month(
        out.loc[swap, "birth_date"], out.loc[swap, "registered_on"]
    )
    no_date = rng.random(n) < dirt / 2
    out.loc[no_date, "birth_date"] = ""
    no_commune = rng.random(n) < dirt / 2
    out.loc[no_commune, ["commune_code", "district_code"]] = ""
    return out


CANONICAL = [
    "record_id", "national_id", "full_name", "sex", "birth_date", "birth_year",
    "province_code", "district_code", "commune_code", "occupation", "registered_on",
    "poverty_level", "disability",
]  # fmt: skip


def canonical(records: pd.DataFrame) -> pd.DataFrame:
    """The canonical registration columns as text."""
    out = records.reindex(columns=CANONICAL)
    out["birth_year"] = np.where(out["birth_date"] == "", out["birth_year"].astype(str), "")
    out["registered_on"] = pd.to_datetime(out["registered_on"]).dt.strftime("%Y-%m-%d")
    out["disability"] = np.where(out["disability"].astype(bool), "true", "false")
    return out.fillna("").astype(str)


def idpoor_native(frame: pd.DataFrame, provinces: pd.DataFrame) -> pd.DataFrame:
    """IDPoor's own export: Khmer column values, its own column names (data/mappings)."""
    khmer = provinces.set_index("province_code")["name_km"]
    return pd.DataFrame(
        {
            "HH_MEMBER_ID": frame["record_id"],
            "NID": frame["national_id"].str.translate(KHMER_DIGITS),
            "NAME_KH": frame["full_name"],
            "GENDER": frame["sex"].map({"M": "ប្រុស", "F": "ស្រី"}),
            "DOB": frame["birth_date"],
            "BIRTH_YEAR": frame["birth_year"],
            "PROVINCE_NAME": frame["province_code"].map(khmer),
            "COMMUNE_CODE": frame["commune_code"],
            "OCCUPATION": frame["occupation"],
            "POVERTY": frame["poverty_level"].map({"1": "ID Poor 1", "2": "ID Poor 2"}),
            "REG_DATE": frame["registered_on"],
            "DISABLED": frame["disability"].map({"true": "Y", "false": "N"}),
        }
    )


def nssf_native(frame: pd.DataFrame, provinces: pd.DataFrame) -> pd.DataFrame:
    """NSSF's own export: romanised 'FAMILY Given', sex 1/2, English province names."""
    english = provinces.set_index("province_code")["name_en"]
    name = frame["full_name"].str.split(" ", n=1)
    spaced = frame["national_id"].str.replace(r"^(\d{4})(\d{4})(\d)$", r"\1 \2 \3", regex=True)
    return pd.DataFrame(
        {
            "MEMBER_NO": frame["record_id"],
            "ID_CARD_NO": spaced,
            "MEMBER_NAME": name.str[0].str.upper() + " " + name.str[1].fillna(""),
            "Sex": frame["sex"].map({"M": "1", "F": "2"}),
            "DOB": frame["birth_date"],
            "PROVINCE": frame["province_code"].map(english),
            "COMMUNE": frame["commune_code"],
            "JOB": frame["occupation"].map(NSSF_JOBS).fillna(""),
            "JOIN_DATE": frame["registered_on"],
            "BRANCH": "HQ",
        }
    )


def nssf_uptake(frame: pd.DataFrame) -> pd.DataFrame:
    """NSSF's contribution periods with its own column names and scheme codes."""
    return pd.DataFrame(
        {
            "MEMBER_NO": frame["record_id"],
            "SCHEME": frame["service_code"].map({"NSSF_HEALTH": "HEALTH", "NSSF_INJURY": "INJURY"}),
            "FROM_DATE": frame["started_on"],
            "PAID_UNTIL": frame["ended_on"],
        }
    )


def record_ids(person_key: np.ndarray, source: str) -> np.ndarray:
    """Each registry's own record numbers (the foundation's bijection)."""
    return generator.record_ids(person_key, source)
