"""Identity stays with the agency: `encode` at the source, a Board store that holds no key."""

import datetime as dt
import io
import json
import os
import stat
import subprocess
import sys

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import cli
import settings
from demo import builder, demo_files
from ingest import encoded, encoding, importer, mapping_apply, mappings
from linkage import pseudonym
from store import storage

KEY = bytes.fromhex("ab" * 32)
OTHER_KEY = bytes.fromhex("cd" * 32)
TODAY = dt.date(2026, 6, 30)
HEADER = (
    "record_id,national_id,full_name,sex,birth_date,birth_year,province_code,district_code,"
    "commune_code,occupation,registered_on,poverty_level,disability"
)
ROWS = [
    "R-1,010203040,Sok Sophea,F,1990-04-12,,12,1201,120101,market_vendor,2024-03-02,none,false",
    "R-2,0102-0304-1,Chan Dara,M,1985-11-30,,Phnom Penh,,,tuk_tuk_driver,2024-03-05,1,",
    "R-3,,Keo Bopha,F,,1970,01,,,food_vendor,2023-01-10,2,true",
]
IDENTITIES = ("010203040", "0102-0304-1", "010203041", "Sok Sophea", "Chan Dara", "Keo Bopha",
              "1990-04-12", "1985-11-30")  # fmt: skip


def csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


@pytest.fixture
def encoded_only(monkeypatch):
    """New stores take encoded files only, as a fresh install's do."""
    monkeypatch.setenv("COVERAGE_ENCODED_ONLY", "on")


def board_import(path, data, source="MLVT", name="f.encoded.parquet", **extra):
    request = importer.Request(data=data, file_name=name, kind="registrations", source=source,
                               today=TODAY, **extra)  # fmt: skip
    return importer.run(request, path)


def every_text(table: pa.Table) -> set[str]:
    out = set()
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_binary(column.type):
            out |= {str(v) for v in column.to_pylist() if v is not None}
    return out


# ---- the key file -------------------------------------------------------------------------


def test_key_file_is_outside_the_checkout_owner_only_and_never_replaced(tmp_path, monkeypatch):
    monkeypatch.delenv("COVERAGE_KEY_FILE")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path, fingerprint = pseudonym.init_key()
    assert path == tmp_path / "config" / "coverage-dashboard" / "pseudonym.key"
    assert settings.REPO_ROOT not in path.parents
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = pseudonym.load_key()
    assert len(key) == 32
    assert pseudonym.fingerprint(key) == fingerprint
    with pytest.raises(FileExistsError):
        pseudonym.init_key()
    path.chmod(0o644)
    with pytest.raises(pseudonym.KeyMissing, match="chmod 600"):
        pseudonym.load_key()


def test_a_key_left_in_the_checkouts_secrets_is_refused_with_where_to_move_it(
    tmp_path, monkeypatch
):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'pseudonym_key = "{KEY.hex()}"\n')
    monkeypatch.setattr(pseudonym, "secrets_path", lambda: secrets)
    with pytest.raises(pseudonym.KeyMissing, match="inside the checkout"):
        pseudonym.load_key(tmp_path / "absent.key")


def test_key_init_and_fingerprint_on_the_command_line(tmp_path, capsys):
    out = tmp_path / "agency" / "key.toml"
    assert cli.main(["key", "init", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    fingerprint = pseudonym.fingerprint(pseudonym.load_key(out))
    assert fingerprint in printed
    assert "escrow" in printed
    assert cli.main(["key", "fingerprint", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == fingerprint
    assert cli.main(["key", "init", "--out", str(out)]) == 1  # never replaced


# ---- encode at the agency -----------------------------------------------------------------


def test_the_encoded_file_holds_no_name_id_or_birth_date_and_carries_its_manifest():
    result = encoding.encode(csv(*ROWS), "nssf.csv", "MLVT", KEY, TODAY)
    assert result.report.problems == []
    table = pq.read_table(io.BytesIO(result.content))
    assert table.column_names == list(encoded.COLUMNS)
    values = every_text(table)
    for identity in IDENTITIES:
        assert not any(identity in v for v in values), identity
    assert not any(identity.encode() in result.content for identity in IDENTITIES)
    manifest = json.loads(table.schema.metadata[encoded.MANIFEST_KEY])
    assert manifest["source"] == "MLVT"
    assert manifest["rows"] == 3
    assert manifest["key_fingerprint"] == pseudonym.fingerprint(KEY)
    assert manifest["schema_version"] == encoded.SCHEMA_VERSION
    assert manifest["encoder_version"] == encoded.ENCODER_VERSION
    assert manifest["content_sha256"] == encoded.content_hash(table)
    # the kept columns, worked out from the rows: year of the date, district of the commune
    rows = table.to_pydict()
    assert rows["birth_year"] == ["1990", "1985", "1970"]
    assert rows["province_code"] == ["12", "12", "01"]
    assert rows["registered_on"] == ["2024-03-02", "2024-03-05", "2023-01-10"]
    assert rows["disability"] == ["false", None, "true"]
    # the keyed ID hash is HMAC-SHA-256 of the normalised ID, "0102-0304-1" -> "010203041"
    assert rows["id_hash"] == [
        pseudonym.keyed_hash(KEY, "nid", "010203040"),
        pseudonym.keyed_hash(KEY, "nid", "010203041"),
        None,
    ]


def test_encode_reports_the_agencys_own_rows_and_columns_and_writes_nothing(tmp_path, capsys):
    raw = pd.read_csv(io.StringIO(csv(*ROWS).decode()), dtype=str).fillna("")
    native = mappings.load("IDPOOR", "registrations", mappings.file_text("IDPOOR"))
    theirs = {canonical: own for own, canonical in native.columns.items()}
    frame = raw.rename(columns=theirs)
    frame.loc[1, theirs["province_code"]] = "Atlantis"
    source = tmp_path / "idpoor.csv"
    frame.to_csv(source, index=False)
    key_file = tmp_path / "key.toml"
    pseudonym.init_key(key_file)
    out = tmp_path / "idpoor.encoded.parquet"
    args = ["encode", str(source), "--source", "IDPOOR", "--out", str(out),
            "--key-file", str(key_file), "--today", TODAY.isoformat()]  # fmt: skip
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert f"idpoor.csv, row 3, column '{theirs['province_code']}': value 'Atlantis'" in err
    assert not out.exists()


def test_encode_needs_only_its_key_and_data_libraries(tmp_path):
    """The agency's machine: no Streamlit, Splink, Plotly or browser is imported by encode."""
    source = tmp_path / "f.csv"
    source.write_bytes(csv(*ROWS))
    key_file = tmp_path / "key.toml"
    pseudonym.init_key(key_file)
    allowed = {"duckdb", "numpy", "pandas", "pyarrow", "dateutil", "pytz", "tzdata", "six",
               "python_calamine", "cloudpickle"}  # fmt: skip
    script = f"""
import importlib.abc, sys
sys.path.insert(0, {str(settings.REPO_ROOT / "dashboard")!r})
ours = {{"cli", "settings", "sql", "i18n", "appdb", "exports", "indicators", "ingest",
        "linkage", "store"}}
allowed = {sorted(allowed)!r}
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top in sys.stdlib_module_names or top in ours or top in allowed or top.startswith("_"):
            return None
        raise ImportError(f"not on an agency machine: {{name}}")
sys.meta_path.insert(0, Refuse())
import cli
sys.exit(cli.main(["encode", {str(source)!r}, "--source", "MLVT", "--out",
                   {str(tmp_path / "out.parquet")!r}, "--key-file", {str(key_file)!r}]))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.parquet").exists()


# ---- the Board's import -------------------------------------------------------------------


def test_an_encoded_only_store_refuses_raw_files_naming_encode(tmp_path, encoded_only):
    path = tmp_path / "coverage.duckdb"
    outcome = board_import(path, csv(*ROWS), name="raw.csv", key=KEY)
    assert outcome.result == "rejected"
    assert "python -m dashboard encode" in outcome.report.problems[0].reason
    with storage.open_read(path) as con:
        assert storage.encoded_only(con)
        assert con.execute("select count(*) from registrations").fetchone()[0] == 0


def test_encoded_files_are_checked_against_key_source_and_content(tmp_path, encoded_only):
    path = tmp_path / "coverage.duckdb"
    first = encoding.encode(csv(*ROWS), "a.csv", "MLVT", KEY, TODAY).content
    assert board_import(path, first).result == "accepted"
    # the same file encoded again a day later: another manifest, the same rows
    table = pq.read_table(io.BytesIO(first))
    manifest = json.loads(table.schema.metadata[encoded.MANIFEST_KEY])
    manifest["encoded_at"] = "2026-07-01T09:00:00+00:00"
    buffer = io.BytesIO()
    meta = {encoded.MANIFEST_KEY: json.dumps(manifest).encode()}
    pq.write_table(table.replace_schema_metadata(meta), buffer)
    assert buffer.getvalue() != first
    assert board_import(path, buffer.getvalue()).result == "duplicate"

    def refused(data, reason, source="MLVT"):
        outcome = board_import(path, data, source=source)
        assert outcome.result == "rejected"
        assert reason in " ".join(p.reason for p in outcome.report.problems)

    row = ROWS[0].replace("R-1", "R-9")
    refused(encoding.encode(csv(row), "b.csv", "MLVT", OTHER_KEY, TODAY).content, "not the store's")
    refused(encoding.encode(csv(row), "b.csv", "NSSF", KEY, TODAY).content, "encoded for NSSF")
    # altered after encoding: a row's province changed, the manifest kept
    data = encoding.encode(csv(row), "b.csv", "MLVT", KEY, TODAY).content
    table = pq.read_table(io.BytesIO(data))
    changed = table.set_column(3, "province_code", pa.array(["01"]))
    buffer = io.BytesIO()
    pq.write_table(changed.replace_schema_metadata(table.schema.metadata), buffer)
    refused(buffer.getvalue(), "the file was altered")
    # a manifest that announces another encoder
    manifest = json.loads(table.schema.metadata[encoded.MANIFEST_KEY])
    manifest["encoder_version"] = "0: something else"
    buffer = io.BytesIO()
    meta = {encoded.MANIFEST_KEY: json.dumps(manifest).encode()}
    pq.write_table(table.replace_schema_metadata(meta), buffer)
    refused(buffer.getvalue(), "encoded by encoder '0: something else'")
    with storage.open_read(path) as con:
        batches = con.execute("select result, key_fingerprint from import_batches").fetchall()
        assert con.execute("select count(*) from registrations").fetchone()[0] == 3
    assert batches[0] == ("accepted", pseudonym.fingerprint(KEY))
    assert [b[0] for b in batches] == ["accepted", "duplicate", *["rejected"] * 4]


def test_the_board_validates_encoded_rows_against_its_own_lists(tmp_path, encoded_only):
    data = encoding.encode(csv(*ROWS), "a.csv", "MLVT", KEY, TODAY).content
    table = pq.read_table(io.BytesIO(data))
    bad = table.set_column(3, "province_code", pa.array(["12", "77", "01"]))
    bad = bad.set_column(10, "id_hash", pa.array(["xyz", None, None]))
    content, _ = encoded.write(bad, "MLVT", pseudonym.fingerprint(KEY))
    outcome = board_import(tmp_path / "coverage.duckdb", content)
    assert outcome.result == "rejected"
    found = {(p.row, p.column) for p in outcome.report.problems}
    assert found == {(3, "province_code"), (2, "id_hash")}


def _raw_demo_files(people: int, seed: int, as_of: dt.date) -> list:
    """The demo's raw registration files (native formats, dirt, a bad first MoSVY file)."""
    regs, _ = demo_files._generate(people, seed, as_of)
    plan = demo_files._registration_files(np.random.default_rng([seed, 99]), regs, as_of)
    out = []
    for name, frame, source in plan:
        suffix = "." + name.rsplit(".", 1)[1]
        out.append((name, demo_files._write(io.BytesIO(), frame, suffix), source, frame))
    return out


def _linked(path) -> dict:
    with storage.open_read(path) as con:
        regs = con.execute(
            "select source, record_id, person_key from registrations order by all"
        ).fetchall()
        kept = con.execute(
            "select source, record_id, person_key, id_hash, name_clk, token_min_hash, "
            "token_max_hash, birth_hash, birth_swap_hash, birth_year, sex, province_code, "
            "commune_code from linkage_features order by source, record_id"
        ).fetchall()
        ids = con.execute("select id_hash, person_key from person_ids order by all").fetchall()
    return {"registrations": regs, "features": kept, "person_ids": ids}


def test_linkage_on_encoded_files_gives_the_raw_paths_person_keys(tmp_path, monkeypatch):
    as_of = dt.date(2026, 6, 30)
    files = _raw_demo_files(2500, 5, as_of)
    raw_store, encoded_store = tmp_path / "raw.duckdb", tmp_path / "encoded.duckdb"
    sent = 0
    for name, data, source, _ in files:
        request = importer.Request(data=data, file_name=name, kind="registrations",
                                   source=source, key=pseudonym.DEMO_KEY, today=as_of)  # fmt: skip
        importer.run(request, raw_store)
    monkeypatch.setenv("COVERAGE_ENCODED_ONLY", "on")
    for name, data, source, _ in files:
        result = encoding.encode(data, name, source, pseudonym.DEMO_KEY, as_of)
        if result.content is not None:
            sent += 1
            assert board_import(encoded_store, result.content, source=source).result == "accepted"
    assert sent == len(files) - 1  # MoSVY's first file fails at the agency
    raw, via_encode = _linked(raw_store), _linked(encoded_store)
    assert len(raw["registrations"]) > 1000  # of 2,500 workers drawn, a minority registered
    assert raw == via_encode
    persons = {key for _, _, key in raw["registrations"]}
    assert len(persons) < len(raw["registrations"])  # registries share persons: linked


def _files_under(folder):
    return [p for p in folder.rglob("*") if p.is_file()]


def _texts_of(path) -> set[str]:
    """Every text value a file holds, whatever its format."""
    if path.suffix == ".duckdb" or ".duckdb" in path.name and not path.name.endswith(".lock"):
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error:
            return {path.read_bytes().decode("utf-8", "ignore")}
        try:
            out = set()
            columns = con.execute(
                "select table_name, column_name from information_schema.columns "
                "where data_type in ('VARCHAR', 'BLOB')"
            ).fetchall()
            for table, column in columns:
                query = f'select distinct "{column}"::varchar from "{table}"'  # noqa: S608
                out |= {v for (v,) in con.execute(query).fetchall() if v}
            return out
        finally:
            con.close()
    if path.suffix == ".parquet":
        return every_text(pq.read_table(path))
    return {path.read_bytes().decode("utf-8", "ignore")}


def test_a_board_with_encoded_only_holds_no_key_and_no_name_or_id(tmp_path, monkeypatch):
    """A full demo, then an agency's file: nothing on the Board's side reveals an identity."""
    board = tmp_path / "board"
    monkeypatch.setenv("COVERAGE_ENCODED_ONLY", "on")
    monkeypatch.setenv("COVERAGE_DB", str(board / "coverage.duckdb"))
    monkeypatch.setenv("COVERAGE_KEY_FILE", str(board / "config" / "pseudonym.key"))
    as_of = dt.date(2026, 6, 30)
    builder.build(1500, 8, as_of)
    # the agency, on its own machine, with the key the Board handed it
    agency = tmp_path / "agency"
    key_file = agency / "key.toml"
    assert cli.main(["key", "init", "--out", str(key_file)]) == 0
    raw = agency / "new_members.csv"
    raw.write_bytes(csv(*ROWS))
    out = agency / "new_members.encoded.parquet"
    assert cli.main(["encode", str(raw), "--source", "MLVT", "--out", str(out),
                     "--key-file", str(key_file)]) == 0  # fmt: skip
    # the demo's key is public; a store holds one key's encodings: a new store for this one
    monkeypatch.setenv("COVERAGE_DB", str(board / "second" / "coverage.duckdb"))
    assert cli.main(["import", str(out), "--kind", "registrations", "--full-extract"]) == 0
    key_hex = pseudonym.load_key(key_file).hex()
    identities = set(IDENTITIES)
    for _, _, source, frame in _raw_demo_files(1500, 8, as_of):
        mapping = mappings.load(source, "registrations", mappings.file_text(source))
        canonical = mapping_apply.apply(frame, mapping).frame
        for column in ("national_id", "full_name"):
            identities |= {v for v in canonical[column].dropna() if len(v) >= 6}
    assert len(identities) > 1000
    assert not settings.key_path().exists()
    secrets = settings.REPO_ROOT / ".streamlit" / "secrets.toml"
    assert not secrets.exists() or "pseudonym_key" not in secrets.read_text()
    found = _files_under(board)
    assert any(p.suffix == ".duckdb" for p in found)
    assert any(p.name.endswith(".encoded.parquet") for p in found)
    for path in found:
        texts = _texts_of(path)
        assert not any(key_hex in t for t in texts), path
        assert not texts & identities, (path, sorted(texts & identities)[:3])
        if path.suffix not in (".duckdb", ".parquet"):
            blob = "\n".join(texts)
            assert not [i for i in identities if i in blob], path
    assert not any(os.access(p, os.R_OK) and key_hex.encode() in p.read_bytes() for p in found)
