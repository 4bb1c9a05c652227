-- Codes a file may use: occupations, services, age bands and sources, as (list, code).
select
    'occupation' as list_name,
    occupation as code
from occupations
union all
select
    'service' as list_name,
    service_code as code
from services
union all
select
    'age_band' as list_name,
    age_band as code
from age_bands
union all
select
    'source' as list_name,
    source as code
from sources;
