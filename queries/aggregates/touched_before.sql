-- reads: persons, touched_persons
-- writes: touched_before
-- The touched persons' rows of persons as the aggregates last counted them, kept before
-- aggregates/persons_forget_touched drops them (for aggregates/touched_floor and the old rows'
-- cube pass).
create or replace temp table touched_before as
select p.* from persons as p  -- noqa: AM04
where p.person_key in (select t.person_key from touched_persons as t);
