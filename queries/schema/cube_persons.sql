-- The persons a cube pass counts, with their attributes: one province's persons ($province),
-- or, when $province is null, the touched persons.
-- $province varchar or null
create or replace temp table cube_persons as
select p.* from persons as p  -- noqa: AM04
where
    p.province_code = $province
    or (
        $province is null
        and p.person_key in (select t.person_key from touched_persons as t)
    );
