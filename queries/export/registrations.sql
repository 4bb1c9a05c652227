-- Export: every registration with its partition columns (province_code is its own).
-- Grain: one row per registration.
select
    r.*,  -- noqa: AM04
    year(r.registered_on) as year
from registrations as r;
