import pytest

import settings
import sql


def test_loads_a_query_by_name_once():
    sql.load_query.cache_clear()
    text = sql.load_query("coverage_by_province")
    assert "$as_of" in text
    assert sql.load_query("coverage_by_province") is text
    assert sql.load_query.cache_info().hits == 1


@pytest.mark.parametrize("name", ["../README", "schema/../../Makefile", "/etc/passwd", "nope"])
def test_rejects_names_outside_queries_or_missing(name):
    with pytest.raises(sql.UnknownQuery):
        sql.load_query(name)


@pytest.mark.parametrize("name", sql.query_names())
def test_every_query_file_opens_with_a_header_comment(name):
    text = (settings.QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
    assert text.startswith("-- ")
    assert "grain" in text.lower()
