-- reads: touched_persons
-- writes: persons
-- Drop the touched persons' rows from persons; aggregates/persons_rows adds their current ones.
delete from persons
where person_key in (select t.person_key from touched_persons as t);
