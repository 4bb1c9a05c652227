"""No raw national ID or name reaches the store, its file, its kept versions or the logs."""

import logging

import duckdb

import cli
import settings
from linkage import pseudonym

KEY = "cd" * 32
IDS = ["987654321012", "២៣៤៥៦៧៨៩០១២៣"]  # the second in Khmer digits: 234567890123
NAMES = ["Sovannarith Phalkun", "សុវណ្ណរិទ្ធ ផលគុណ", "Chanmonyroth Keovisal"]
FORBIDDEN_TEXT = ["987654321012", "234567890123", "Sovannarith", "Phalkun", "សុវណ្ណរិទ្ធ",
                  "ផលគុណ", "Chanmonyroth", "Keovisal", "1234-56", "SOVANNARITH"]  # fmt: skip
HEADER = "record_id,national_id,full_name,sex,birth_date,province_code,registered_on"


def write_files(tmp_path):
    good = tmp_path / "people.csv"
    good.write_text(
        "\n".join(
            [
                HEADER,
                f"P-1,{IDS[0]},{NAMES[0]},M,1991-02-03,12,2024-01-10",
                f"P-2,{IDS[1]},{NAMES[1]},F,1988-12-01,17,2024-02-11",
                f"P-3,,{NAMES[2]},M,1979-05-06,01,2024-03-12",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\nP-9,1234-56,{NAMES[0]},M,1991-02-03,99,2024-01-10\n")
    return good, bad


def table_texts(path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    tables = [r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()]
    parts = []
    for table in tables:
        rows = con.execute(f'select * from "{table}"').fetchall()  # noqa: S608 - catalogue names
        parts += [str(value) for row in rows for value in row]
    con.close()
    return "\n".join(parts)


def test_raw_ids_and_names_are_nowhere(tmp_path, monkeypatch, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    store_path = tmp_path / "store" / "coverage.duckdb"
    monkeypatch.setenv("COVERAGE_DB", str(store_path))
    monkeypatch.setenv(pseudonym.ENV_VAR, KEY)
    good, bad = write_files(tmp_path)
    for file in (good, bad, good):  # accepted, rejected, duplicate
        cli.main(
            ["import", str(file), "--kind", "registrations", "--source", "MLVT", "--full-extract"]
        )
    cli.main(
        [
            "import",
            str(good),
            "--kind",
            "registrations",
            "--source",
            "NSSF",
            "--dry-run",
            "--full-extract",
        ]
    )
    # a second accepted file keeps the store before it as a version (rejected and
    # duplicate imports keep none), which is scanned too
    cli.main(["import", str(good), "--kind", "registrations", "--source", "MOSVY",
              "--full-extract"])  # fmt: skip
    output = capsys.readouterr()
    logs = output.out + output.err + caplog.text
    assert "accepted" in logs
    assert "unknown province" in logs
    texts = table_texts(store_path)
    assert "P-1" in texts  # the agency's record numbers are kept
    files = [store_path, *sorted((store_path.parent / "versions").glob("*.duckdb"))]
    assert len(files) >= 2
    blobs = [f.read_bytes() for f in files]
    for secret in FORBIDDEN_TEXT + IDS + NAMES:
        assert secret not in logs, secret
        assert secret not in texts, secret
        for blob in blobs:
            assert secret.encode("utf-8") not in blob, secret
    assert settings.store_path() == store_path
