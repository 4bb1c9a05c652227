-- Export: every person (latest attributes, not the record key) with the partition columns.
-- Grain: one row per person_key.
select
    p.* exclude (p.record_key),  -- noqa: AM04
    year(p.first_registered_on) as year
from persons as p;
