-- Districts and the province each belongs to.
select
    district_code,
    province_code
from districts;
