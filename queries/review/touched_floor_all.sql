-- reads: touched_persons
-- writes: touched_floor
-- Every month of the touched persons is counted again (aggregates/touched_floor's table,
-- floor month 0): a review decision can change a person's attributes from the first month.
create or replace temp table touched_floor as
select
    person_key,
    0 as floor_idx
from touched_persons;
