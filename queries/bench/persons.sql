-- Bench only: every person with province and informal flag, as a pandas app would load it.
-- Grain: one row per person.
select
    p.person_key,
    p.province_code,
    coalesce(o.is_informal, false) as is_informal
from persons as p
left join occupations as o on p.occupation = o.occupation;
