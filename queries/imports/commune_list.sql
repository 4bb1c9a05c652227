-- Communes and the district each belongs to.
select
    commune_code,
    district_code
from communes;
