-- Occupations that count as informal work, with their share of informal employment.
-- Grain: one row per occupation.
select
    occupation,
    name_en,
    name_km,
    informal_share,
    share_source,
    share_reference_date
from occupations
where is_informal
order by name_en;
