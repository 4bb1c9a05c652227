-- The persons (person_key) with a registration but no record key yet: those the writer added.
-- Grain: one row per person_key.
select distinct r.person_key
from registrations as r
anti join record_keys as k on r.person_key = k.person_key
order by r.person_key;
