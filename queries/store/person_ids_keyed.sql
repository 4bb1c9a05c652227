-- Whether person_ids still has the primary-key index of stores created before it was
-- dropped (see schema/store); schema/person_ids_unkeyed then rewrites it without.
select count(*) > 0 as keyed
from duckdb_constraints()
where table_name = 'person_ids' and constraint_type = 'PRIMARY KEY';
