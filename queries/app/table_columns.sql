-- The columns of one table of the app database (to tell which migrations it lacks).
-- :table_name text
select name
from pragma_table_info(:table_name);
