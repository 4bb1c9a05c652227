-- Every base table of the store, for the Parquet export, but the persons' record keys
-- (cell-key method: never exported).
select table_name
from information_schema.tables
where
    table_type = 'BASE TABLE' and table_schema = 'main'
    and table_name <> 'record_keys'
order by table_name;
