-- Export: every person (latest attributes) with the partition columns.
-- Grain: one row per person_key.
select
    p.*,  -- noqa: AM04
    year(p.first_registered_on) as year
from persons as p;
