-- The provinces of the store, in code order.
-- Grain: one row per province.
select
    province_code,
    iso_3166_2,
    name_en,
    name_km
from provinces
order by province_code;
