-- The service catalogue: every service or membership programme the store knows.
-- Grain: one row per service.
select
    service_code,
    name_en,
    name_km,
    ministry,
    pillar,
    sector,
    started_on,
    ended_on
from services
order by pillar, service_code;
