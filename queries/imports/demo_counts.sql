-- Row counts of a freshly built store: linked persons, current registrations and episodes.
-- The persons table is rebuilt only when the session ends, so persons are counted here.
select
    (
        select count(distinct r.person_key) from registrations as r
        where r.ended_batch_id is null
    ) as persons,
    (
        select count(*) from registrations as r
        where r.ended_batch_id is null
    ) as registrations,
    (
        select count(*) from uptake as u
        where u.ended_batch_id is null
    ) as uptake;
