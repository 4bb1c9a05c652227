-- reads: nothing
-- writes: touched_persons
-- The persons whose rows a review decision changes in place (store/aggregates.py,
-- persons_changing).
-- $persons bigint[]: the persons, new ones included.
create or replace temp table touched_persons as
select distinct unnest($persons::bigint[]) as person_key;
