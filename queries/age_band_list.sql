-- Age bands of working age (15 and over), youngest first.
-- Grain: one row per age band.
select
    age_band,
    min_age,
    max_age
from age_bands
where min_age >= 15
order by min_age;
