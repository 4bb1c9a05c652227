-- Bench only: the first person_key after every key in the store (for new persons).
-- Grain: one row.
select coalesce(max(person_key), 0) + 1 as person_key
from persons;
