"""The query files in Spark SQL: sqlglot's DuckDB-to-Spark transpiler, plus three rewrites.

A cluster runs the same queries/*.sql over the Parquet export (exports/parquet_export.py). Three
DuckDB constructs in them have no direct Spark equivalent, and are rewritten here:

- unsigned integers (the cubes' bit masks are UBIGINT/USMALLINT): Spark's signed types,
  a wider one where Spark has it (the value is kept), BIGINT for UBIGINT (the 64 bits are
  kept). Masks are only combined with `&`/`|` and compared with 0, which give the same
  answer on the two's-complement bits (bit 63 just reads as a negative number). The export
  writes every unsigned column as the same type (`signed_type`).
- `len(list)`: sqlglot reads DuckDB's `len` as a string length; on a list it is Spark's
  `size`.
- `string_agg([distinct] x, sep [order by x])`: Spark 3 has no string_agg; `array_join` of
  the sorted `collect_set` (or `collect_list`) gives the same text.

Named parameters stay named (`$as_of` becomes `:as_of`, Spark 3.4+'s parameter markers).
What resists is listed in RESISTS (kept empty for the page queries: tests/test_parquet.py).
"""

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

import sql

SIGNED = {
    exp.DataType.Type.UTINYINT: exp.DataType.Type.SMALLINT,
    exp.DataType.Type.USMALLINT: exp.DataType.Type.INT,
    exp.DataType.Type.UINT: exp.DataType.Type.BIGINT,
    exp.DataType.Type.UBIGINT: exp.DataType.Type.BIGINT,
}
# Query files with DuckDB-only constructs that no rewrite covers: name -> why.
RESISTS: dict[str, str] = {}


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.DataType) and node.this in SIGNED:
        return exp.DataType(this=SIGNED[node.this])
    if isinstance(node, exp.Length) and _is_list(node.this):
        return exp.ArraySize(this=node.this)
    if isinstance(node, exp.GroupConcat):
        return _string_agg(node)
    return node


def _string_agg(node: exp.GroupConcat) -> exp.Expression:
    """string_agg([distinct] x, sep [order by x]) as array_join(array_sort(collect_...(x)))."""
    inner = node.this
    if isinstance(inner, exp.Order):
        keys = [o.this for o in inner.expressions]
        inner = inner.this
        value = inner.expressions[0] if isinstance(inner, exp.Distinct) else inner
        if keys != [value]:
            return node  # ordered by something else: no rewrite (sqlglot then raises)
    if isinstance(inner, exp.Distinct):
        values = exp.func("COLLECT_SET", *inner.expressions)
    else:
        values = exp.func("COLLECT_LIST", inner)
    separator = node.args.get("separator") or exp.Literal.string(",")
    return exp.func("ARRAY_JOIN", exp.func("ARRAY_SORT", values), separator)


def _is_list(node: exp.Expression) -> bool:
    return isinstance(node, exp.Cast) and node.to.is_type(exp.DataType.Type.ARRAY)


def signed_type(duckdb_type: str) -> str | None:
    """The signed DuckDB type that SIGNED maps an unsigned one to; None for any other type.

    The Parquet export writes each unsigned column as this type, the one the Spark SQL casts
    the queries' unsigned values to.
    """
    names = {exp.DataType(this=u).sql("duckdb"): exp.DataType(this=s) for u, s in SIGNED.items()}
    signed = names.get(duckdb_type.upper())
    return signed.sql("duckdb") if signed else None


def transpile_text(text: str) -> str:
    """One DuckDB SELECT as Spark SQL; sqlglot raises on anything it cannot express."""
    tree = sqlglot.parse_one(text, read="duckdb").transform(_rewrite)
    return tree.sql(dialect="spark", pretty=True, unsupported_level=ErrorLevel.RAISE)


def transpile(name: str) -> str:
    """queries/<name>.sql as Spark SQL."""
    return transpile_text(sql.load_query(name))
