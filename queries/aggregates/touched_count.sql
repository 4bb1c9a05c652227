-- reads: persons, touched_persons
-- writes: nothing (a SELECT)
-- How many persons an import touched, against how many there are (before it).
select
    (select count(*) from touched_persons) as touched,
    (select count(*) from persons) as everyone;
