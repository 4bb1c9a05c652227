"""Scoped access (issue 15): provinces a user sees, the one agency a data manager acts for.

A user limited to Phnom Penh (12) on the tiny fixture store: every page, download, briefing
pack and "explain" popover holds Phnom Penh's cells and the national row, no other
province's; a province asked for outside the scope is refused and audited. A data manager
limited to one agency is refused another agency's import, mapping, rollback and export,
each refusal in the audit log. Expected figures are worked out here from the fixture's rows.
"""

import ast
import dataclasses
import datetime as dt
import inspect
import json
import re
import sqlite3

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import cli
import conftest
import settings
import test_app_access
from appdb import accounts, audit, database, scopes, targets
from data_access import reads, registries, scope
from exports import brief, brief_files, files, rendering
from ingest import importer, reference
from store import storage
from ui import auth, downloads

JUNE = dt.date(2024, 6, 30)
CUT = reads.CoverageFilter(as_of=JUNE)
MINE = "12"  # Phnom Penh: the fixture's persons 1-17
PROVINCES = reference.read_csv("provinces").set_index("province_code")["name_en"]
OTHERS = [name for code, name in PROVINCES.items() if code != MINE]
PASSWORD = "a long enough password"


def hand_counts(province: str) -> tuple[int, int]:
    """(registered, covered) informal persons on 30 June 2024, from the fixture's rows.

    A person counts once, with the province and occupation of their latest registration;
    covered means an episode with started_on <= the day <= ended_on (or no end).
    """
    informal = set(conftest.OCCUPATIONS.loc[conftest.OCCUPATIONS["is_informal"], "occupation"])
    rows = conftest.tiny_registrations()
    rows = rows[rows["registered_on"] <= JUNE].sort_values("registered_on")
    persons = rows.groupby("person_key").last()
    persons = persons[persons["occupation"].isin(informal)]
    if province != "KH":
        persons = persons[persons["province_code"] == province]
    episodes = conftest.tiny_uptake()
    ended = episodes["ended_on"].map(lambda d: d is None or pd.isna(d) or d >= JUNE)
    active = episodes[(episodes["started_on"] <= JUNE) & ended]
    return len(persons), len(persons.index.intersection(active["person_key"]))


def foreign_names(text: str) -> list[str]:
    """The names of provinces other than Phnom Penh that `text` mentions."""
    return [name for name in OTHERS if re.search(rf"\b{re.escape(name)}\b", text)]


# ---------------------------------------------------------------------------------------
# The scope kept with the account


OLD_ACCOUNTS = """
create table accounts (
    name text primary key collate nocase,
    role text not null check (role in ('viewer', 'analyst', 'data_manager', 'admin')),
    password_hash text,
    failed_count integer not null default 0,
    locked_until text,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    last_sign_in_at text
);
insert into accounts (name, role, password_hash) values ('ana', 'analyst', null);
"""


def test_an_app_database_made_before_scopes_gains_them(app_db):
    with sqlite3.connect(app_db) as con:
        con.executescript(OLD_ACCOUNTS)
    assert accounts.get("ana")["agency"] is None  # migrated on first connection
    accounts.set_scope("ana", "nssf", ["21", "7"])
    database.connect().close()  # a second connection adds nothing twice
    with sqlite3.connect(app_db) as con:
        columns = [row[1] for row in con.execute("pragma table_info(accounts)")]
    assert columns.count("agency") == columns.count("provinces") == 1
    assert scopes.of_account(accounts.get("ana")) == ("NSSF", ("07", "21"))


def test_a_scope_is_checked_before_it_is_kept():
    accounts.add("sok", "data_manager", None, " mlvt ", "12,01")
    assert (accounts.get("sok")["agency"], accounts.get("sok")["provinces"]) == ("MLVT", "01,12")
    for agency, provinces, key in [
        ("nssf-x", (), "scopes.bad_agency"),
        (None, ["26"], "scopes.bad_province"),
        (None, ["KH"], "scopes.bad_province"),  # the national row is always seen, never chosen
    ]:
        with pytest.raises(accounts.AccountError) as refused:
            accounts.set_scope("sok", agency, provinces)
        assert refused.value.key == key
    assert accounts.get("sok")["provinces"] == "01,12"  # unchanged by the refusals
    accounts.set_scope("sok", None, ())
    assert scopes.of_account(accounts.get("sok")) == (None, ())


# ---------------------------------------------------------------------------------------
# Province scope at the one read side


READ_SIDE = (reads, registries)  # the modules of data_access that pages read through


def public_readers():
    """Every public function of the read side that pages call (not the unscoped helpers)."""
    unscoped = {"run", "validate", "pin_version", "connection", "store_version", "cached_query"}
    return [
        (name, fn)
        for module in READ_SIDE
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if fn.__module__ == module.__name__ and not name.startswith(("_", "load_"))
        and name not in unscoped
    ]  # fmt: skip


def call(fn, province: str = MINE):
    """Call a reader with the fixture's arguments, by parameter name."""
    values = {"f": CUT, "group_by": "sex", "province": province}
    return fn(*(values[p] for p in inspect.signature(fn).parameters))


def frames(result) -> list[pd.DataFrame]:
    items = result if isinstance(result, tuple | list) else [result]
    return [i for i in items if isinstance(i, pd.DataFrame) and "province_code" in i]


def test_every_reader_returns_only_the_pinned_provinces_and_the_national_row(
    tiny_store_file, needs_store_file, monkeypatch
):
    shown_others = set()  # the readers that show other provinces to a user without a scope
    # the tiny store (Phnom Penh's persons, an estimate everywhere) and the needs store
    # (three provinces with eligibility rules, so targeting rows), each with one province
    for store, mine in ((tiny_store_file, MINE), (needs_store_file, "01")):
        monkeypatch.setenv("COVERAGE_DB", str(store))
        for code in ("02", mine, "KH"):  # a target for another province, mine, the nation
            targets.save({"province_code": code, "service_code": "*", "target_rate": 0.5,
                          "target_date": "2026-12-31", "note": None}, "ana")  # fmt: skip
        seen = {}
        for pinned in (None, (mine,)):
            scope.pin("pv", pinned)
            for name, fn in public_readers():
                codes = {c for frame in frames(call(fn, mine)) for c in frame["province_code"]}
                seen.setdefault(name, {})[pinned] = codes
        for name, codes in seen.items():
            assert codes[(mine,)] <= {mine, "KH"}, (store, name, codes)
            assert codes[(mine,)] == codes[None] & {mine, "KH"}, (store, name, codes)
            if codes[None] - {mine, "KH"}:
                shown_others.add(name)
    assert shown_others == {
        "coverage_by_province", "coverage_by_group", "needs_inputs", "targeting_by_province",
        "uptake_monthly", "uptake_by_group", "province_list", "coverage_trend",
        "source_quality_by_province", "coverage_targets",
    }  # fmt: skip


def test_a_reader_with_no_scope_pinned_reads_no_province(tiny_store):
    scope.unpin()  # a thread outside the script run, or a run before sign-in
    readers = dict(public_readers())
    for name in ("coverage_by_province", "province_list", "area_coverage", "lineage_batches"):
        with pytest.raises(scope.OutOfScope):
            call(readers[name])


def test_another_province_asked_for_is_refused_and_audited(tiny_store):
    scope.pin("pv", (MINE,))
    assert not reads.area_coverage(CUT, MINE).empty
    for ask in (
        lambda: reads.area_coverage(CUT, "01"),
        lambda: registries.lineage_batches(CUT, "01"),
    ):
        with pytest.raises(scope.OutOfScope):
            ask()
    log = audit.recent(scopes.REFUSED)
    assert list(log["user_name"]) == ["pv", "pv"]
    assert json.loads(log["detail"].iloc[0]) == {"province": "01", "scope_provinces": MINE}
    assert not registries.lineage_batches(CUT, "KH").empty  # the national row is the user's too


def test_pages_and_widgets_read_only_through_the_scoped_readers():
    # run and the load_* helpers return every province: only the command line and exports
    # (which are handed a scope) may call them.
    root = conftest.REPO / "dashboard"
    for path in [*root.glob("app_pages/*.py"), *root.glob("ui/*.py"), root / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and getattr(node.value, "id", "") == "reads":
                assert node.attr != "run", path
                assert not node.attr.startswith("load_"), (path, node.attr)
    assert "provinces" in inspect.signature(brief.build).parameters
    assert inspect.signature(brief.build).parameters["provinces"].default is inspect._empty


# ---------------------------------------------------------------------------------------
# Every page of a province-scoped user


def scoped_app(role: str = "viewer", provinces=(MINE,), agency=None) -> AppTest:
    name = f"scoped-{role}"
    if accounts.get(name) is None:
        accounts.add(name, role, PASSWORD, agency, provinces)
    at = AppTest.from_file(test_app_access.APP, default_timeout=60)
    at.secrets = {"roles": {}}
    at.session_state[auth.SESSION_KEY] = name
    return at


POPOVERS = ("coverage_explain", "coverage_bars_section", "needs_explain")
# The pages that show a row or a choice per province.
PROVINCE_PAGES = {
    f"app_pages/{page}.py"
    for page in ("coverage", "needs", "gaps", "uptake", "drilldown", "planning")
}


def page_text(at: AppTest) -> str:
    """Everything a page shows: texts, metrics, tables, charts, and every selector's options."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "success", "error"):  # fmt: skip
        parts += [str(e.value) for e in at.get(kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [d.value.to_csv() for d in at.dataframe]
    parts += [p.proto.spec for p in at.get("plotly_chart")]
    parts += [" | ".join(map(str, s.options)) for s in [*at.selectbox, *at.multiselect]]
    return "\n".join(parts)


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page with that column heading (AppTest keeps no table keys)."""
    return next(d.value for d in at.dataframe if column in d.value)


def chart_locations(at: AppTest) -> set[str]:
    """The area codes every map trace draws."""
    traces = [t for p in at.get("plotly_chart") for t in json.loads(p.proto.spec)["data"]]
    return {code for trace in traces for code in trace.get("locations") or ()}


def open_page(at: AppTest, file: str) -> AppTest:
    at.run()
    at.switch_page(file).run()
    for key in POPOVERS:  # the lazy popovers and sections, opened
        at.session_state[key] = True
    return at.run()


@pytest.mark.app
@pytest.mark.parametrize("role", ["viewer", "data_manager"])
@pytest.mark.parametrize(
    ("file", "least"), test_app_access.PAGES, ids=[f for f, _ in test_app_access.PAGES]
)
def test_a_province_scoped_user_sees_only_its_province_on_every_page(tiny_store, role, file, least):
    if not accounts.allows(role, least):
        pytest.skip(f"{role} has no {file}")
    at = open_page(scoped_app(role), file)
    assert not at.exception
    text = page_text(at)
    assert foreign_names(text) == []
    assert {code[:2] for code in chart_locations(at)} <= {MINE}
    # the same page without a scope shows other provinces
    if file in PROVINCE_PAGES:
        everyone = open_page(scoped_app("admin", provinces=()), file)
        assert foreign_names(page_text(everyone))


@pytest.mark.app
@pytest.mark.parametrize("file", sorted(PROVINCE_PAGES))
def test_a_user_whose_province_the_store_lacks_sees_the_national_row_only(needs_store, file):
    at = open_page(scoped_app("analyst", provinces=("07",)), file)  # provinces 01-03 only
    assert not at.exception
    assert not at.error
    assert foreign_names(page_text(at).replace("Kampot", "")) == []


@pytest.mark.app
def test_the_coverage_page_shows_the_province_and_the_national_row(tiny_store):
    at = open_page(scoped_app(), "app_pages/coverage.py")
    table = table_with(at, "Covered persons")
    assert list(table["Province"]) == ["Phnom Penh", "Cambodia"]
    registered, covered = hand_counts(MINE)
    assert (registered, covered) == (15, 13)
    row = table.iloc[0]
    assert (row["Covered persons"], row["Registered persons"]) == (str(covered), str(registered))
    assert table.iloc[1]["Registered persons"] == str(hand_counts("KH")[0])
    assert at.selectbox(key="coverage_brief_area").options == ["Phnom Penh"]  # no national pack
    assert at.selectbox(key="coverage_explain_province").options == ["Cambodia", "Phnom Penh"]
    assert "Figures of Phnom Penh and the national row only." in [
        c.value for c in at.sidebar.caption
    ]


@pytest.mark.app
@pytest.mark.parametrize(
    ("file", "key"),
    [("app_pages/drilldown.py", "drilldown_province"), ("app_pages/planning.py", "planning_place"),
     ("app_pages/uptake.py", "uptake_province")],
)  # fmt: skip
def test_province_selectors_offer_only_the_users_provinces(tiny_store, file, key):
    at = open_page(scoped_app(provinces=(MINE, "01")), file)
    codes = {MINE, "01"} if file == "app_pages/drilldown.py" else {MINE, "01", "KH"}
    names = {PROVINCES.get(code, "Cambodia") for code in codes}
    assert set(at.selectbox(key=key).options) == names


@pytest.fixture
def captured(monkeypatch):
    """Every file the pages would hand out, built as on click, with charts as their JSON.

    Records each frame written as CSV or XLSX, each chart exported, and each briefing
    pack's content (brief.Brief), instead of rendering PNG/PDF with Chromium.
    """
    got = {"frames": [], "charts": [], "briefs": [], "builds": []}
    to_csv, to_xlsx, audited = files.to_csv, files.to_xlsx, downloads.audited

    def record_csv(frame, *args, **kwargs):
        got["frames"].append(frame)
        return to_csv(frame, *args, **kwargs)

    def record_xlsx(frame, *args, **kwargs):
        got["frames"].append(frame)
        return to_xlsx(frame, *args, **kwargs)

    def record_build(detail, build):
        got["builds"].append(audited(detail, build))
        return b""

    def chart(fig, ctx, fmt):
        got["charts"].append(fig.to_json())
        return b""

    def pack(content, fmt):
        got["briefs"].append(content)
        return b""

    monkeypatch.setattr(files, "to_csv", record_csv)
    monkeypatch.setattr(files, "to_xlsx", record_xlsx)
    monkeypatch.setattr(downloads, "audited", record_build)
    monkeypatch.setattr(rendering, "figure_bytes", chart)
    monkeypatch.setattr(brief_files, "document", pack)
    return got


@pytest.mark.app
@pytest.mark.parametrize(
    "file",
    [f"app_pages/{page}.py"
     for page in ("coverage", "needs", "planning", "gaps", "uptake", "drilldown")],
)  # fmt: skip
def test_downloads_and_the_briefing_pack_hold_only_the_users_province(tiny_store, captured, file):
    at = open_page(scoped_app("analyst"), file)  # analysts also download the drive plan
    assert not at.exception
    for build in captured["builds"]:  # the user clicks every download button
        build()
    assert captured["frames"] or captured["charts"]
    for frame in captured["frames"]:
        if "province_code" in frame:
            assert set(frame["province_code"]) <= {MINE, "KH"}
        assert foreign_names(frame.to_csv()) == []
    for spec in captured["charts"]:
        assert foreign_names(spec) == []
    if file == "app_pages/coverage.py":
        table = next(f for f in captured["frames"] if "covered_count" in f)
        assert table.set_index("province_code")["covered_count"].to_dict() == {
            MINE: hand_counts(MINE)[1],
            "KH": hand_counts("KH")[1],
        }
        assert captured["briefs"]  # one per run of the page, each built on its click
        for pack in captured["briefs"]:
            assert (pack.code, set(pack.table["province_code"])) == (MINE, {MINE, "KH"})
            assert "not ranked against the others" in brief.rank_text(pack)
            assert foreign_names(pack.table.to_csv()) == []
            assert foreign_names(pack.by_occupation.to_csv() + pack.trend.to_csv()) == []
        assert "briefing_pack" in set(audit.recent()["action"])


def test_a_pack_outside_the_scope_is_refused(tiny_con):
    for code in (None, "01"):  # the nation's pack, another province's
        with pytest.raises(scope.OutOfScope):
            brief.build(tiny_con, CUT, code, "en", 10, provinces=(MINE,))


@pytest.mark.app
def test_the_needs_explanation_offers_only_the_users_provinces(tiny_store):
    at = open_page(scoped_app(provinces=(MINE, "01")), "app_pages/needs.py")
    assert at.selectbox(key="needs_explain_province").options == ["Banteay Meanchey", "Phnom Penh"]
    assert set(table_with(at, "Needs index")["Province"]) == {"Banteay Meanchey", "Phnom Penh"}


# ---------------------------------------------------------------------------------------
# OIDC: [scopes] in secrets


def test_oidc_identities_get_their_scope_from_secrets_or_their_account():
    secrets = {
        "roles": {"@kampot.gov.kh": "viewer", "sok@nssf.gov.kh": "data_manager"},
        "scopes": {
            "@kampot.gov.kh": {"provinces": ["07"]},
            "sok@nssf.gov.kh": {"agency": "NSSF", "provinces": "12,21"},
        },
    }
    assert auth.oidc_user("Dara@Kampot.gov.kh", True, secrets) == auth.User(
        "Dara@Kampot.gov.kh", "viewer", "oidc", None, ("07",)
    )
    sok = auth.oidc_user("sok@nssf.gov.kh", True, secrets)
    assert (sok.agency, sok.provinces) == ("NSSF", ("12", "21"))
    accounts.add("sok@nssf.gov.kh", "data_manager", None, "MLVT")  # the account wins
    assert auth.oidc_user("sok@nssf.gov.kh", True, secrets).agency == "MLVT"
    broken = {**secrets, "scopes": {"@kampot.gov.kh": {"provinces": ["99"]}}}
    assert auth.oidc_user("dara@kampot.gov.kh", True, broken).role is None  # sees nothing


@pytest.mark.app
def test_an_oidc_user_scoped_in_secrets_sees_only_its_province(tiny_store):
    at = AppTest.from_file(test_app_access.APP, default_timeout=60)
    at.secrets = {
        **test_app_access.OIDC_SECRETS,
        "roles": {"@pp.gov.kh": "viewer"},
        "scopes": {"@pp.gov.kh": {"provinces": [MINE]}},
    }
    at.user = {"is_logged_in": True, "email": "vanna@pp.gov.kh"}
    at.run()
    assert not at.exception
    assert list(table_with(at, "Covered persons")["Province"]) == ["Phnom Penh", "Cambodia"]


# ---------------------------------------------------------------------------------------
# Setting scopes: the admin page and the command line


@pytest.mark.app
def test_the_admin_page_sets_an_accounts_scope(tiny_store, as_role):
    at = AppTest.from_file(test_app_access.APP, default_timeout=60)
    as_role(at, "admin")
    at.run()
    at.switch_page("app_pages/admin.py").run()
    at.text_input(key="admin_add_name").input("dara")
    at.selectbox(key="admin_add_role").select("viewer")
    at.multiselect(key="admin_add_provinces").select("07").select("21")
    at.button(key="admin_add_submit").click().run()
    assert not at.exception
    assert scopes.of_account(accounts.get("dara")) == (None, ("07", "21"))
    at.selectbox(key="admin_manage_name").select("dara")
    at.selectbox(key="admin_manage_agency").select("S2")
    at.multiselect(key="admin_manage_provinces").select(MINE)
    at.button(key="admin_set_scope").click().run()
    assert scopes.of_account(accounts.get("dara")) == ("S2", (MINE,))
    detail = json.loads(audit.recent("user_scope")["detail"].iloc[0])
    assert detail == {"name": "dara", "agency": "S2", "provinces": MINE}
    accounts_table = table_with(at, "Provinces").set_index("User")
    assert accounts_table.loc["dara", ["Agency", "Provinces"]].tolist() == ["S2", PROVINCES[MINE]]


def test_user_add_takes_agency_and_provinces(monkeypatch, capsys):
    args = ["user", "add", "sok", "--role", "data_manager", "--agency", "nssf",
            "--province", "21,7", "--province", "12", "--no-password"]  # fmt: skip
    assert cli.main(args) == 0
    assert scopes.of_account(accounts.get("sok")) == ("NSSF", ("07", "12", "21"))
    assert "agency NSSF, provinces 07,12,21" in capsys.readouterr().out
    assert cli.main(["user", "add", "bo", "--role", "viewer", "--province", "31"]) == 1
    assert "Unknown province code(s): 31" in capsys.readouterr().err
    assert accounts.get("bo") is None
    assert cli.main(["user", "scope", "sok", "--province", "01"]) == 0
    assert scopes.of_account(accounts.get("sok")) == (None, ("01",))
    assert audit.recent()["action"].tolist()[:2] == ["user_scope", "user_add"]


# ---------------------------------------------------------------------------------------
# Agency scope: imports, mappings, rollbacks and exports of one agency


def registrations(record_id: str) -> bytes:
    return (
        b"record_id,full_name,sex,birth_date,province_code,registered_on\n"
        + f"{record_id},Sok Dara,M,1990-01-01,12,2024-01-01\n".encode()
    )


@pytest.fixture
def two_agencies(tmp_path, monkeypatch) -> dict[str, int]:
    """A store of one MLVT file, then one NSSF file: the batch of each source."""
    path = tmp_path / "coverage.duckdb"
    batches = {}
    for source, record in (("MLVT", "A"), ("NSSF", "B")):
        request = importer.Request(data=registrations(record), file_name=f"{source}.csv",
                                   kind="registrations", source=source, key=bytes(32))  # fmt: skip
        outcome = importer.run(request, path)
        assert outcome.result == "accepted"
        batches[source] = outcome.batch_id
    monkeypatch.setenv("COVERAGE_DB", str(path))
    return batches


def refusals(user: str) -> list[dict]:
    """An account's refusals: on a page it is the actor; on the command line the actor is
    the operating-system login, acting as the account."""
    log = audit.recent(scopes.REFUSED)
    rows = [
        (name, json.loads(text)) for name, text in zip(log["user_name"], log["detail"], strict=True)
    ]
    login = audit.os_user()
    return [d for name, d in rows if name == user or (name, d.get("as_account")) == (login, user)]


def store_sources() -> list[str]:
    """The sources whose latest batch is still in the store."""
    with storage.open_read(settings.store_path()) as con:
        return sorted(reads.run(con, "rollback_candidates")["source"])


@pytest.mark.app
def test_an_agency_data_manager_is_refused_another_agencys_import_mapping_and_rollback(
    two_agencies,
):
    at = scoped_app("data_manager", provinces=(), agency="MLVT")
    at.run()
    at.switch_page("app_pages/import_data.py").run()
    assert at.selectbox(key="import_data_source").value == "MLVT"  # their own agency first
    assert any("MLVT" in note.value and "only" in note.value for note in at.info)
    at.selectbox(key="import_data_source").select("NSSF").run()
    at.button(key="import_data_run").click().run()
    assert "NSSF" in at.error[0].value
    assert "refused" in at.error[0].value
    at.button(key="import_data_save_mapping").click().run()
    assert "refused" in at.error[0].value
    at.selectbox(key="import_data_kind").select("population").run()
    at.button(key="import_data_run").click().run()
    assert "every agency" in at.error[0].value
    at.selectbox(key="import_data_rollback_batch").set_value(two_agencies["NSSF"]).run()
    at.button(key="import_data_rollback").click().run()
    assert "refused" in at.error[0].value
    assert not at.exception
    assert store_sources() == ["MLVT", "NSSF"]  # nothing was rolled back
    assert [(r["action"], r["agency"]) for r in refusals("scoped-data_manager")] == [
        ("rollback", "NSSF"), ("import", "every agency"), ("mapping_save", "NSSF"),
        ("import", "NSSF"),
    ]  # fmt: skip
    assert database.execute("mapping_get", {"source": "NSSF"}) == []
    # their own agency's batch rolls back
    at.selectbox(key="import_data_rollback_batch").set_value(two_agencies["MLVT"]).run()
    at.checkbox(key="import_data_rollback_confirm").check().run()
    at.button(key="import_data_rollback").click().run()
    assert "rolled back" in at.success[0].value
    assert store_sources() == ["NSSF"]


@pytest.mark.app
def test_an_agency_data_manager_exports_for_its_agency_only(two_agencies):
    at = scoped_app("data_manager", provinces=(), agency="MLVT")
    at.run()
    at.switch_page("app_pages/registry_sync.py").run()
    assert not at.exception
    assert at.selectbox(key="registry_sync_agency").options == ["MLVT"]


@pytest.mark.app
def test_a_province_scoped_data_manager_gets_no_agency_export(tiny_store):
    # the agency's file lists its records of every province
    at = open_page(scoped_app("data_manager"), "app_pages/registry_sync.py")
    assert "registry_sync_agency" not in {box.key for box in at.selectbox}
    assert "registry_sync_source" in {box.key for box in at.selectbox}  # its quality, scoped


def test_the_command_line_refuses_another_agency_to_a_named_user(two_agencies, tmp_path, capsys):
    accounts.add("sok", "data_manager", None, "MLVT")
    file = tmp_path / "nssf.csv"
    file.write_bytes(registrations("C"))
    imported = [
        "import",
        str(file),
        "--kind",
        "registrations",
        "--source",
        "NSSF",
        "--full-extract",
    ]
    assert cli.main([*imported, "--user", "sok"]) == 1
    assert "sok acts for MLVT only: import for NSSF refused" in capsys.readouterr().err
    assert cli.main(["rollback", str(two_agencies["NSSF"]), "--user", "sok"]) == 1
    assert cli.main(["restore", "1", "--user", "sok"]) == 1
    assert store_sources() == ["MLVT", "NSSF"]
    assert [(r["action"], r["agency"]) for r in refusals("sok")] == [
        ("restore", "every agency"), ("rollback", "NSSF"), ("import", "NSSF")
    ]  # fmt: skip
    assert cli.main(["rollback", str(two_agencies["MLVT"]), "--user", "sok", "--yes"]) == 0
    assert store_sources() == ["NSSF"]


def test_the_command_line_brief_of_a_scoped_user_is_for_its_province(tiny_store, tmp_path):
    accounts.add("vanna", "viewer", None, None, [MINE])
    out = tmp_path / "brief.pdf"
    assert cli.main(["brief", "--national", "--out", str(out), "--user", "vanna"]) == 1
    assert cli.main(["brief", "--province", "01", "--out", str(out), "--user", "vanna"]) == 1
    assert [r["province"] for r in refusals("vanna")] == ["01", None]
    assert not out.exists()


def test_a_user_dataclass_without_a_scope_sees_every_province():
    user = auth.User("ana", "analyst", "password")
    assert auth.visible_provinces(user) is None
    assert auth.visible_provinces(dataclasses.replace(user, provinces=(MINE,))) == (MINE,)
