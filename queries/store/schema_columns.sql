-- Every table and column of the store, to tell whether its schema is older than the code.
select
    table_name,
    column_name
from duckdb_columns();
