"""Fixture stores built in code: a tiny hand-made store whose numbers are worked out by hand."""

import datetime as dt
import os
import tempfile
from pathlib import Path

import argon2
import hypothesis
import pandas as pd
import pytest
import streamlit as st

from appdb import accounts
from ingest import reference
from store import storage
from ui import auth, downloads

REPO = Path(__file__).resolve().parent.parent

# The test gate replays the same fuzz examples every run (a red build means a change broke
# something, never that today's draw was unlucky); `make fuzz` explores with fresh seeds and
# many more examples, and every failure it finds becomes an @example in the test.
hypothesis.settings.register_profile("gate", derandomize=True, database=None)
hypothesis.settings.register_profile("explore", derandomize=False, print_blob=True)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "gate"))
D = dt.date
# Most tests import raw agency files, into stores that take them (encoded_only off), for
# this process and the servers and commands it starts; tests/test_encode.py covers the
# encoded files a new store takes by default. No test reads the user's own key file.
os.environ["COVERAGE_ENCODED_ONLY"] = "off"
# Fixture imports replace whole registries on purpose; the confirmation a full extract
# needs when it ends more than 10% of a source is tested in tests/test_extract_plan.py.
os.environ["COVERAGE_MAX_END_SHARE"] = "1"
os.environ["COVERAGE_KEY_FILE"] = str(Path(tempfile.mkdtemp()) / "no-key-here.toml")

SOURCES = pd.DataFrame(
    {"source": ["S1", "S2"], "source_bit": [0, 1], "name_en": ["Registry one", "Registry two"]}
)
SERVICES = pd.DataFrame(
    {"service_code": ["A", "B"], "service_bit": [0, 1], "name_en": ["Service A", "Service B"]}
)
OCCUPATIONS = pd.DataFrame(
    {
        "occupation": ["tuk_tuk_driver", "market_vendor", "food_vendor", "formal_employee"],
        "name_en": ["Tuk-tuk", "Market", "Food", "Formal"],
        "is_informal": [True, True, True, False],
        "informal_share": [0.25, 0.5, 0.25, None],
    }
)
AGE_BANDS = pd.DataFrame(
    {
        "age_band": ["0-14", "15-24", "25-34", "35-44", "45-54", "55-64", "65+"],
        "min_age": [0, 15, 25, 35, 45, 55, 65],
        "max_age": [14, 24, 34, 44, 54, 64, 150],
    }
)


def _registration(key, source, occupation, sex, birth, registered_on, province="12"):
    return {
        "person_key": key, "source": source, "record_id": f"{source}-{key}",
        "sex": sex, "birth_year": birth, "province_code": province,
        "occupation": occupation, "registered_on": registered_on, "batch_id": 1,
    }  # fmt: skip


def _episode(key, service, started_on, ended_on, source="S1"):
    return {
        "person_key": key, "source": source, "record_id": f"{source}-{key}",
        "service_code": service, "started_on": started_on, "ended_on": ended_on, "batch_id": 2,
    }  # fmt: skip


def tiny_registrations() -> pd.DataFrame:
    """Persons 1-17 in Phnom Penh (12), person 101 in Banteay Meanchey (01)."""
    rows = [
        _registration(k, "S1", "tuk_tuk_driver", "M", 1990, D(2023, 1, 15)) for k in range(1, 13)
    ]
    rows += [
        _registration(13, "S1", "market_vendor", "F", 1980, D(2022, 5, 1)),
        _registration(13, "S2", "tuk_tuk_driver", "F", 1980, D(2024, 2, 1)),
        _registration(14, "S1", "formal_employee", "M", 1985, D(2023, 1, 1)),
        _registration(15, "S2", "market_vendor", "M", 1985, D(2024, 7, 15)),
        _registration(16, "S2", "market_vendor", "F", 2000, D(2024, 6, 30)),
        _registration(17, "S1", "market_vendor", "M", 1970, D(2024, 6, 10)),
        _registration(101, "S2", "food_vendor", "F", 1995, D(2020, 1, 1), province="01"),
    ]
    return pd.DataFrame(rows)


def tiny_uptake() -> pd.DataFrame:
    rows = [_episode(k, "A", D(2024, 1, 1), None) for k in range(1, 11)]
    rows += [
        _episode(11, "A", D(2023, 2, 1), D(2024, 6, 29)),
        _episode(12, "A", D(2024, 3, 1), D(2024, 6, 30)),
        _episode(13, "B", D(2024, 6, 30), None, source="S2"),
        _episode(14, "A", D(2023, 1, 1), None),
        _episode(17, "A", D(2024, 4, 1), None),
        _episode(101, "B", D(2019, 6, 1), D(2020, 12, 31), source="S2"),
    ]
    return pd.DataFrame(rows)


def tiny_population() -> pd.DataFrame:
    """2024: every province 100 informal workers (men 25-34); Phnom Penh 1,000 in four cells.

    2023: Phnom Penh 900 (to check that the as-of year's estimate is the one used).
    """
    provinces = reference.read_csv("provinces")["province_code"]
    rows = [(p, 2024, "M", "25-34", 250, 100) for p in provinces if p != "12"]
    rows += [
        ("12", 2024, "M", "25-34", 1000, 400),
        ("12", 2024, "F", "25-34", 1000, 300),
        ("12", 2024, "M", "35-44", 800, 200),
        ("12", 2024, "F", "15-24", 500, 100),
        ("12", 2023, "M", "25-34", 2000, 900),
    ]
    frame = pd.DataFrame(
        rows, columns=["province_code", "year", "sex", "age_band", "population", "informal_workers"]
    )
    frame["source"] = "Test estimate"
    frame["reference_date"] = [D(y, 7, 1) for y in frame["year"]]
    frame["is_modelled"] = False
    return frame


def zero_record_keys(registrations: pd.DataFrame) -> pd.DataFrame:
    """Record key 0 for every person of a hand-worked store.

    Every cell key is then 0, which the p-table never perturbs (its rows give 0 at cell key
    0), so a hand-worked count is the published count: these stores test counts, rates and
    the threshold. The noise itself is tested with random keys (test_disclosure, test_attack).
    """
    keys = registrations["person_key"].drop_duplicates()
    return pd.DataFrame({"person_key": keys, "record_key": 0})


def build_tiny_store(path: Path, services: pd.DataFrame = SERVICES) -> Path:
    """The hand-made store, built through the same write session as real imports."""
    with storage.write_session(path, fresh=True) as con:
        for name in ("provinces", "districts", "communes"):
            storage.replace(con, name, reference.read_csv(name))
        storage.replace(con, "sources", SOURCES)
        storage.replace(con, "services", services)
        storage.replace(con, "occupations", OCCUPATIONS)
        storage.replace(con, "age_bands", AGE_BANDS)
        reference.load_population(con, tiny_population(), batch_id=3)
        storage.append(con, "registrations", tiny_registrations())
        storage.append(con, "uptake", tiny_uptake())
        storage.append(con, "record_keys", zero_record_keys(tiny_registrations()))
        storage.set_meta(con, data_as_of="2024-06-30", built_at="2024-07-01T00:00:00")
    return path


@pytest.fixture(scope="session")
def tiny_store_file(tmp_path_factory) -> Path:
    return build_tiny_store(tmp_path_factory.mktemp("tiny") / "coverage.duckdb")


@pytest.fixture(scope="session")
def bit63_store_file(tmp_path_factory) -> Path:
    """The tiny store with services A and B on bits 0 and 63 (the Parquet and Spark tests)."""
    path = tmp_path_factory.mktemp("bit63") / "coverage.duckdb"
    return build_tiny_store(path, services=SERVICES.assign(service_bit=[0, 63]))


@pytest.fixture
def tiny_store(tiny_store_file, monkeypatch) -> Path:
    monkeypatch.setenv("COVERAGE_DB", str(tiny_store_file))
    return tiny_store_file


@pytest.fixture
def tiny_con(tiny_store_file):
    con = storage.open_read(tiny_store_file)
    yield con
    con.close()


@pytest.fixture(scope="session")
def demo_store_file(tmp_path_factory) -> Path:
    """A small synthetic store (20,000 persons), as `make run` builds at larger size."""
    from demo import builder

    path = tmp_path_factory.mktemp("demo") / "coverage.duckdb"
    builder.build(20_000, seed=7, as_of=D(2026, 10, 31), path=path)
    return path


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(autouse=True)
def app_db(tmp_path, monkeypatch) -> Path:
    """Each test gets its own app database (accounts, audit, settings), never data/app.sqlite.

    Argon2 runs at its cheapest here so that creating accounts costs nothing; the hashes
    carry their parameters, so the app verifies them all the same.
    """
    path = tmp_path / "app.sqlite"
    monkeypatch.setenv("COVERAGE_APP_DB", str(path))
    cheap = argon2.PasswordHasher.from_parameters(argon2.profiles.CHEAPEST)
    monkeypatch.setattr(accounts, "HASHER", cheap)
    return path


@pytest.fixture
def as_role(app_db):
    """`as_role(at, "analyst")` signs an AppTest in with a local account of that role.

    The account `<role>-user` is created on first use. at.secrets is set so that a
    developer's own .streamlit/secrets.toml (an OIDC set-up) cannot change the sign-in mode.
    """

    def sign_in(at, role: str = "viewer") -> str:
        name = f"{role}-user"
        if accounts.get(name) is None:
            accounts.add(name, role, f"test-password-{role}")
        at.secrets = {"roles": {}}
        at.session_state[auth.SESSION_KEY] = name
        return name

    return sign_in


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian Chromium for every browser test."""
    import browser

    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=browser.CHROMIUM, args=browser.CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def needs_store_file(tmp_path_factory) -> Path:
    """Three provinces for the needs index and targeting (tests/needs_fixture.py)."""
    import needs_fixture

    return needs_fixture.build_needs_store(tmp_path_factory.mktemp("needs") / "coverage.duckdb")


@pytest.fixture
def needs_store(needs_store_file, monkeypatch) -> Path:
    monkeypatch.setenv("COVERAGE_DB", str(needs_store_file))
    return needs_store_file


@pytest.fixture
def needs_con(needs_store_file):
    con = storage.open_read(needs_store_file)
    yield con
    con.close()


@pytest.fixture
def signed_in(monkeypatch):
    """Every AppTest run in this test sees a signed-in user of the given role (mocked)."""

    def sign_in(role: str = "analyst") -> auth.User:
        user = auth.User(f"{role}-user", role, "password")
        monkeypatch.setattr(auth, "current_user", lambda: user)
        return user

    return sign_in


def capture_builds(monkeypatch) -> dict[str, object]:
    """The audited builder of every download rendered, by file name, to call as a click would."""
    builds, real = {}, downloads.audited

    def keep(detail, build):
        builds[detail["file"]] = real(detail, build)
        return build

    monkeypatch.setattr(downloads, "audited", keep)
    return builds
