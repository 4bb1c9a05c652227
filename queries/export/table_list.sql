-- Every base table of the store, for the Parquet export.
select table_name
from information_schema.tables
where table_type = 'BASE TABLE' and table_schema = 'main'
order by table_name;
