-- reads: persons, touched_persons
-- writes: nothing (a SELECT)
-- How many persons the store held before an import that the import touched, against how
-- many it held. Persons the import adds are not counted: they have no old rows to take
-- out, and their new rows cost what a full rebuild would spend on them.
select
    (
        select count(*) from touched_persons as t
        where t.person_key in (select p.person_key from persons as p)
    ) as touched,
    (select count(*) from persons) as everyone;
