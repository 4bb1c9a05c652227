"""On a cluster: every page query's Spark SQL, run by Spark over the export, gives DuckDB's rows.

Spark runs in local mode (Java 17+; `-m "not spark"` skips these tests). The export is of
test_parquet's store, with service B on bit 63: every mask that holds B is negative once
signed, which is what a cluster reads. Each query runs with the parameters test_parquet
gives it for its first two cuts, every filter unset and service B alone (the other cuts
would double the time, about a second a query on two cores); a query that takes no
services runs once. The export is the default one (aggregates and reference data), so
every page query it answers is run: all but those that count records (store_summary).
"""

import datetime as dt
import decimal
import math

import numpy as np
import pandas as pd
import pytest
from pyspark.sql import SparkSession

import sql
import test_parquet
from data_access import reads
from exports import parquet_export, spark_sql
from store import storage

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

# Every page query the export answers: it holds aggregates and reference data only, so a
# query that reads a record-level table (test_parquet.NEEDS_RECORDS) has no Spark SQL there.
PAGE_QUERIES = [
    n
    for n in sql.query_names()
    if not n.startswith("bench_") and n not in test_parquet.NEEDS_RECORDS
]


def runs() -> list:
    """(query, parameters) for every page query and cut, each distinct pair once."""
    found, seen = [], set()
    for name in PAGE_QUERIES:
        for i, cut in enumerate(test_parquet.CUTS[:2]):
            params = test_parquet.params_of(name, cut)
            if (name, repr(params)) not in seen:
                seen.add((name, repr(params)))
                found.append(pytest.param(name, params, id=f"{name}-cut{i}"))
    return found


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    session = (
        SparkSession.builder.master("local[2]")
        .appName("coverage-dashboard-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        # a partition folder province_code=01 stays the text '01', as in the store
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def exported(bit63_store_file, tmp_path_factory):
    folder = tmp_path_factory.mktemp("export") / "parquet"
    with pytest.MonkeyPatch.context() as patch:  # an app database for the audit entry
        patch.setenv("COVERAGE_APP_DB", str(folder.parent / "app.sqlite"))
        parquet_export.export(folder, bit63_store_file)
    return folder, parquet_export.read_manifest(folder)["tables"]


@pytest.fixture(scope="module")
def on_spark(spark, exported):
    """A temp view per exported table, over its Parquet folder (or file), as on the store."""
    folder, tables = exported
    for table, info in tables.items():
        single = folder / f"{table}.parquet"
        path = single if single.exists() else folder / table
        spark.read.parquet(str(path)).select(*info["columns"]).createOrReplaceTempView(table)
    return spark


@pytest.fixture(scope="module")
def on_store(bit63_store_file):
    con = storage.open_read(bit63_store_file)
    yield con
    con.close()


def value(v):
    """One value as both engines' rows can be compared: numbers as floats of 12 significant
    digits, dates and timestamps as ISO text, nulls as None, lists as tuples."""
    if isinstance(v, list | tuple | np.ndarray):
        return tuple(value(x) for x in v)
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, dt.date | np.datetime64):
        return pd.Timestamp(v).isoformat()
    if isinstance(v, int | float | decimal.Decimal | np.number):
        return float(f"{float(v):.12g}")
    return v


def rows(columns: list[str], records) -> tuple[list[str], list[tuple]]:
    table = [tuple(value(v) for v in record) for record in records]
    return list(columns), sorted(table, key=repr)


@pytest.mark.parametrize(("name", "params"), runs())
def test_every_page_query_on_spark_gives_duckdbs_rows(on_spark, on_store, exported, name, params):
    frame = reads.run(on_store, name, **params)
    ours = rows(frame.columns, frame.itertuples(index=False))
    text = (exported[0] / "spark" / f"{name}.sql").read_text(encoding="utf-8")
    assert text == spark_sql.transpile(name) + ";\n"  # the file a cluster runs, as shipped
    result = on_spark.sql(text, args=params)
    theirs = rows(result.columns, result.collect())
    assert theirs == ours


def test_service_b_on_bit_63_counts_its_person_in_the_area_cube(on_spark):
    june = {"as_of": test_parquet.JUNE, "services": ["B"], "province": "12"}
    area = on_spark.sql(spark_sql.transpile("area_coverage"), args=june).collect()
    assert area[0]["level"] == "province"
    assert area[0]["covered_count"] == 1  # person 13


def test_the_readme_recipe_reads_every_partition_with_text_codes(spark, exported):
    """CREATE TABLE … LOCATION, then MSCK REPAIR TABLE: without it the table is empty."""
    folder, tables = exported
    spark.sql("create database if not exists recipe")
    location = folder / "coverage_cube"  # LOCATION takes a literal, no parameter marker
    spark.sql(f"create table recipe.coverage_cube using parquet location '{location}'")
    assert spark.table("recipe.coverage_cube").count() == 0
    spark.sql("msck repair table recipe.coverage_cube")
    table = spark.table("recipe.coverage_cube")
    assert table.count() == tables["coverage_cube"]["rows"]
    codes = {r["province_code"] for r in table.select("province_code").distinct().collect()}
    assert codes == {"01", "12"}
    spark.sql("drop database recipe cascade")
