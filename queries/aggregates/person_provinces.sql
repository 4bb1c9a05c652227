-- reads: persons
-- writes: nothing (a SELECT)
-- Provinces that hold at least one person (by latest registration), for the cube build.
select distinct province_code
from persons
order by province_code;
