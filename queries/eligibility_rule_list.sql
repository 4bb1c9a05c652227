-- The eligibility rules of the programmes, as data (data/reference/eligibility_rules.csv).
-- Grain: one row per service x criterion; several values of a criterion are alternatives.
select
    r.service_code,
    s.name_en as service_name_en,
    s.name_km as service_name_km,
    r.criterion,
    string_agg(r.value, ' or ' order by r.value) as accepted_values,
    max(r.note) as note
from eligibility_rules as r
inner join services as s on r.service_code = s.service_code
group by r.service_code, s.name_en, s.name_km, r.criterion
order by r.service_code, r.criterion;
