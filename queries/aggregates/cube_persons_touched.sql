-- reads: persons, touched_before, touched_floor, touched_persons
-- writes: cube_persons
-- The touched persons for a cube pass of an incremental refresh, with their attributes as
-- they were before the new batches ($old: from touched_before) or as they are, and the
-- first month whose rows can have changed (touched_floor). Both passes count the same
-- months, so the months before that cancel out and are not counted at all.
-- $old boolean
create or replace temp table cube_persons as
with
attributes as (
    select * from touched_before
    where $old
    union all
    select p.* from persons as p
    where not $old and p.person_key in (select t.person_key from touched_persons as t)
)

select
    a.*,  -- noqa: AM04
    f.floor_idx
from attributes as a
inner join touched_floor as f on a.person_key = f.person_key;
