-- Provinces with every spelling an agency may use for them.
select
    province_code,
    iso_3166_2,
    name_en,
    name_km
from provinces;
