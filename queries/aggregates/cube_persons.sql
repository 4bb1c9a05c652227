-- reads: persons
-- writes: cube_persons
-- The persons a cube pass counts, with their attributes and the first month to count
-- (floor_idx): one province's persons ($province), every month.
-- $province varchar
create or replace temp table cube_persons as
select
    p.*,  -- noqa: AM04
    0 as floor_idx
from persons as p
where p.province_code = $province;
